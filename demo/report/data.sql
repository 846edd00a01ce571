-- demo/report/data.sql: the data of the HTML report (scripts/report.sh), one
-- JSON object read from the BI views of docs/recipes.md (schema bi), the
-- same views a BI tool reads.
--
-- survival_km is the slot of the Kaplan-Meier survival curves: when a view
-- bi.survival_km(curve text, t, survival float8) exists, its rows are drawn;
-- until then the report shows the cohorts' logo retention curves only.
\set ON_ERROR_STOP 1
SELECT to_regclass('bi.survival_km') IS NOT NULL AS has_survival_km \gset
\if :has_survival_km
\set survival_km '(SELECT json_agg(k ORDER BY k.curve, k.t) FROM (SELECT curve, t, survival FROM bi.survival_km) AS k)'
\else
\set survival_km 'NULL::json'
\endif
SELECT json_build_object(
    'database', current_database(),
    'generated_at', to_char(now(), 'YYYY-MM-DD HH24:MI TZ'),
    'mrr_monthly', (SELECT json_agg(m ORDER BY m.period_start) FROM (
        SELECT period_start, new_mrr, expansion_mrr, reactivation_mrr, contraction_mrr, churned_mrr,
               mrr_end, customers_end, nrr, customer_churn
        FROM bi.mrr_monthly) AS m),
    'cohorts_monthly', (SELECT json_agg(c ORDER BY c.cohort_start, c.age) FROM (
        SELECT cohort_start, age, cohort_customers, active_customers, logo_retention
        FROM bi.cohorts_monthly) AS c),
    'retention_by_signup_quarter', (SELECT json_agg(r ORDER BY r.signup_quarter, r.age) FROM (
        SELECT signup_quarter, age, customers, logo_retention
        FROM bi.retention_by_signup_quarter) AS r),
    'survival_km', :survival_km,
    'nps_quarterly', (SELECT json_agg(q ORDER BY q.quarter) FROM (
        SELECT quarter, responses, promoters, passives, detractors, nps
        FROM bi.nps_quarterly) AS q));
