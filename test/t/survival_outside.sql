-- pgTAP: the Kaplan-Meier readers and the log-rank test against R's survival
-- package.  test/outside/survival/make_expected.R computed the expected
-- values once (R 4.2.2, survival 3.5.3) on R's data sets lung, aml and
-- ovarian and on generated ones (whole days with many ties, continuous
-- times, a curve that sits exactly at 0.75 and 0.5 over intervals,
-- censorings before the first event and events at 0, four and five groups,
-- two arms whose p-value is far in the tail), and stored them as CSV next
-- to the script; this test reads them and never runs R.
--
-- Numbers agree when they differ by at most 1e-9 of the larger (1e-12
-- absolute near 0 for survival probabilities); counts and times exactly.
BEGIN;
SELECT plan(44);

CREATE FUNCTION pg_temp.near(a float8, b float8) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN a IS NULL OR b IS NULL THEN a IS NULL AND b IS NULL
                ELSE abs(a - b) <= greatest(1e-9 * greatest(abs(a), abs(b)), 1e-12) END
$$;
-- strictly relative, for p-values far in the tail
CREATE FUNCTION pg_temp.near_relative(a float8, b float8) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN a IS NULL OR b IS NULL THEN a IS NULL AND b IS NULL
                ELSE abs(a - b) <= 1e-9 * greatest(abs(a), abs(b)) END
$$;

CREATE TEMP TABLE r_data(dataset text, grp text, time float8, observed boolean);
\copy r_data FROM 'test/outside/survival/data.csv' (FORMAT csv, HEADER)
CREATE TEMP TABLE r_km(dataset text, grp text, time float8, n_risk bigint, n_event bigint, n_censor bigint,
                       surv float8, std_err float8,
                       lower_ll95 float8, upper_ll95 float8, lower_log95 float8, upper_log95 float8,
                       lower_plain95 float8, upper_plain95 float8, lower_ll90 float8, upper_ll90 float8,
                       lower_log99 float8, upper_log99 float8);
\copy r_km FROM 'test/outside/survival/km.csv' (FORMAT csv, HEADER)
CREATE TEMP TABLE r_at(dataset text, grp text, t float8, surv float8, std_err float8,
                       lower_ll95 float8, upper_ll95 float8, lower_log95 float8, upper_log95 float8,
                       lower_plain95 float8, upper_plain95 float8, lower_ll90 float8, upper_ll90 float8,
                       lower_log99 float8, upper_log99 float8);
\copy r_at FROM 'test/outside/survival/at.csv' (FORMAT csv, HEADER)
CREATE TEMP TABLE r_summary(dataset text, grp text, conf_type text, conf_level float8, n bigint, events bigint,
                            median float8, median_lcl float8, median_ucl float8,
                            q25 float8, q25_lcl float8, q25_ucl float8, q75 float8, q75_lcl float8, q75_ucl float8);
\copy r_summary FROM 'test/outside/survival/summary.csv' (FORMAT csv, HEADER)
CREATE TEMP TABLE r_rmean(dataset text, grp text, tau float8, rmean float8, se_rmean float8);
\copy r_rmean FROM 'test/outside/survival/rmean.csv' (FORMAT csv, HEADER)
CREATE TEMP TABLE r_logrank(dataset text, groups text, chisq float8, df integer, p_value float8);
\copy r_logrank FROM 'test/outside/survival/logrank.csv' (FORMAT csv, HEADER)

-- the limits of each setting, one row per setting
CREATE TEMP VIEW r_limits AS
SELECT k.dataset, k.grp, k.time, k.surv, s.conf_type, s.conf_level, s.lower, s.upper
FROM r_km AS k,
     LATERAL (VALUES ('log-log', 0.95::float8, k.lower_ll95, k.upper_ll95), ('log', 0.95, k.lower_log95, k.upper_log95),
                     ('plain', 0.95, k.lower_plain95, k.upper_plain95), ('log-log', 0.90, k.lower_ll90, k.upper_ll90),
                     ('log', 0.99, k.lower_log99, k.upper_log99)) AS s(conf_type, conf_level, lower, upper);
CREATE TEMP VIEW r_at_limits AS
SELECT a.dataset, a.grp, a.t, a.surv, a.std_err, s.conf_type, s.conf_level, s.lower, s.upper
FROM r_at AS a,
     LATERAL (VALUES ('log-log', 0.95::float8, a.lower_ll95, a.upper_ll95), ('log', 0.95, a.lower_log95, a.upper_log95),
                     ('plain', 0.95, a.lower_plain95, a.upper_plain95), ('log-log', 0.90, a.lower_ll90, a.upper_ll90),
                     ('log', 0.99, a.lower_log99, a.upper_log99)) AS s(conf_type, conf_level, lower, upper);
CREATE TEMP TABLE settings AS SELECT DISTINCT conf_type, conf_level FROM r_summary;

-- our curves: each group of each data set that has groups, and each data set whole
CREATE TEMP TABLE curves AS
SELECT dataset, grp, kaplan_meier(time, observed) AS curve FROM r_data
WHERE dataset IN (SELECT dataset FROM r_data GROUP BY dataset HAVING count(DISTINCT grp) > 1)
GROUP BY dataset, grp
UNION ALL
SELECT dataset, 'all', kaplan_meier(time, observed) FROM r_data GROUP BY dataset;
CREATE TEMP TABLE ours AS
SELECT c.dataset, c.grp, s.conf_type, s.conf_level, t.*
FROM curves AS c CROSS JOIN settings AS s, survival_table(c.curve, s.conf_level, s.conf_type) AS t;

-- what was read -------------------------------------------------------------------

SELECT is((SELECT count(*) FROM r_data), 1569::bigint,
          'R data: 228 lung + 23 aml + 26 ovarian + 600 days + 200 continuous + 8 flat + 14 early + 120 same4 + 150 five + 200 far_tail subjects');
SELECT is((SELECT count(*) FROM r_km), 1606::bigint, 'R survfit: 1606 distinct times over the 34 curves');
SELECT is((SELECT count(DISTINCT (dataset, grp)) FROM r_km), 34::bigint, 'R: 34 curves (10 data sets whole, 24 groups)');
SELECT is((SELECT count(*) FROM curves), 34::bigint, 'kaplan_meier: the same 34 curves');
SELECT is((SELECT count(*) FROM settings), 5::bigint, 'five settings: log-log, log and plain at 0.95, log-log at 0.90, log at 0.99');
SELECT ok((SELECT count(*) FROM r_km WHERE n_event > 1) > 100 AND (SELECT count(*) FROM r_km WHERE n_event > 0 AND n_censor > 0) > 10,
          'R data: many tied events, and events tied with censorings');

-- the points ------------------------------------------------------------------------

SELECT is_empty($$
    SELECT r.dataset, r.grp, r.n, r.events, subjects(c.curve), events(c.curve), censored(c.curve)
    FROM r_summary AS r JOIN curves AS c USING (dataset, grp)
    WHERE r.n <> subjects(c.curve) OR r.events <> events(c.curve) OR r.n - r.events <> censored(c.curve)$$,
    'subjects, events and censored = R''s records and events');
SELECT is_empty($$
    SELECT coalesce(r.dataset, o.dataset), coalesce(r.grp, o.grp), r.time, o.time, r.n_risk, o.at_risk,
           r.n_event, o.events, r.n_censor, o.censored
    FROM r_km AS r
    FULL JOIN (SELECT * FROM ours WHERE conf_type = 'log-log' AND conf_level = 0.95) AS o USING (dataset, grp, time)
    WHERE r.n_risk IS DISTINCT FROM o.at_risk OR r.n_event IS DISTINCT FROM o.events
       OR r.n_censor IS DISTINCT FROM o.censored$$,
    'survival_table: the same times, at risk, events and censored as R''s survfit, at every point');
SELECT is_empty($$
    SELECT r.dataset, r.grp, r.time, r.surv, o.survival
    FROM r_km AS r JOIN ours AS o USING (dataset, grp, time)
    WHERE NOT pg_temp.near(r.surv, o.survival)$$,
    'survival_table: survival = R''s surv at every point, in every setting');
-- R's std.err at S = 0 is NaN (0 * Inf); ours is NULL there
SELECT is_empty($$
    SELECT r.dataset, r.grp, r.time, r.std_err, o.std_error
    FROM r_km AS r JOIN ours AS o USING (dataset, grp, time)
    WHERE NOT pg_temp.near(CASE WHEN r.surv = 0 THEN NULL ELSE r.std_err END, o.std_error)$$,
    'survival_table: std_error = R''s Greenwood standard error of S, NULL where S = 0');
SELECT ok((SELECT count(*) FROM r_km WHERE surv = 0) >= 3, 'R: some curves reach 0');
SELECT ok((SELECT count(*) FROM r_km WHERE surv = 1) >= 2, 'R: some curves are censored before their first event (S = 1)');

-- the limits: R's survfit gives NA for log-log at S = 1 (log(-log 1) is -Inf),
-- where its summary(times =) and our readers give 1 and 1: the variance is 0
SELECT is_empty(format($$
    SELECT r.dataset, r.grp, r.time, r.lower, o.lower, r.upper, o.upper
    FROM r_limits AS r JOIN ours AS o USING (dataset, grp, time, conf_type, conf_level)
    WHERE r.conf_type = %L AND r.conf_level = %s
      AND NOT (pg_temp.near(CASE WHEN r.surv = 1 THEN 1 ELSE r.lower END, o.lower)
               AND pg_temp.near(CASE WHEN r.surv = 1 THEN 1 ELSE r.upper END, o.upper))$$, conf_type, conf_level),
    format('survival_table: %s limits at %s = R''s survfit at every point', conf_type, conf_level))
FROM settings ORDER BY conf_type, conf_level;
SELECT is((SELECT count(*) FROM ours), 5 * 1606::bigint, 'survival_table: 1606 points in each of the 5 settings');

-- S(t) between, before and after the points ------------------------------------------

SELECT is_empty($$
    SELECT r.dataset, r.grp, r.t, r.surv, (e).survival, r.std_err, (e).std_error, r.lower, (e).lower, r.upper, (e).upper
    FROM (SELECT r.*, survival_ci(c.curve, r.t, r.conf_level, r.conf_type) AS e
          FROM r_at_limits AS r JOIN curves AS c USING (dataset, grp)) AS r
    WHERE NOT (pg_temp.near(r.surv, (e).survival) AND pg_temp.near(CASE WHEN r.surv = 0 THEN NULL ELSE r.std_err END, (e).std_error)
               AND pg_temp.near(CASE WHEN r.surv = 1 THEN 1 ELSE r.lower END, (e).lower)
               AND pg_temp.near(CASE WHEN r.surv = 1 THEN 1 ELSE r.upper END, (e).upper))$$,
    'survival_ci(curve, t, conf_level, conf_type) = R''s summary(fit, times = t, extend = TRUE)');
-- R's summary(times =) is 1 and 1 before the first point, NA for log-log at a point where S = 1
SELECT is((SELECT format('%s %s %s %s', lower_ll95, upper_ll95, lower_log95, upper_log95) FROM r_at
           WHERE dataset = 'early' AND grp = 'late' AND t = 0), '  1 1',
          'R: log-log limits NA at a point where S = 1 (log limits 1 and 1), which survival_ci gives as 1 and 1');
SELECT is_empty($$
    SELECT r.dataset, r.grp, r.t, r.surv, survival_at(c.curve, r.t)
    FROM r_at AS r JOIN curves AS c USING (dataset, grp)
    WHERE NOT pg_temp.near(r.surv, survival_at(c.curve, r.t))$$,
    'survival_at(curve, t) = R''s summary(fit, times = t, extend = TRUE)');
SELECT ok((SELECT count(DISTINCT (dataset, grp)) FROM r_at AS r JOIN curves AS c USING (dataset, grp)
           WHERE r.t > (SELECT max(time) FROM survival_table(c.curve))) = 34
      AND (SELECT count(DISTINCT (dataset, grp)) FROM r_at AS r JOIN curves AS c USING (dataset, grp)
           WHERE r.t < (SELECT min(time) FROM survival_table(c.curve))) = 28,
          'R: S(t) is compared past the last time of every curve, and before the first time of the 28 whose first time is above 0');
SELECT is((SELECT count(*) FROM r_at_limits), 5 * (SELECT count(*) FROM r_at), 'survival_ci: compared in all 5 settings');

-- medians and quantiles -------------------------------------------------------------

SELECT is_empty($$
    SELECT r.dataset, r.grp, r.median, median_survival(c.curve)
    FROM r_summary AS r JOIN curves AS c USING (dataset, grp)
    WHERE NOT pg_temp.near(r.median, median_survival(c.curve))$$,
    'median_survival = R''s print.survfit median');
SELECT is_empty($$
    SELECT r.dataset, r.grp, r.conf_type, r.conf_level, r.median, (m).time, r.median_lcl, (m).lower, r.median_ucl, (m).upper
    FROM (SELECT r.*, median_survival_ci(c.curve, r.conf_level, r.conf_type) AS m
          FROM r_summary AS r JOIN curves AS c USING (dataset, grp)) AS r
    WHERE NOT (pg_temp.near(r.median, (m).time) AND pg_temp.near(r.median_lcl, (m).lower)
               AND pg_temp.near(r.median_ucl, (m).upper))$$,
    'median_survival_ci = R''s print.survfit median, LCL and UCL, in every setting');
SELECT is((SELECT count(*) FROM r_summary), 34 * 5::bigint, 'medians compared for 34 curves in 5 settings');
SELECT ok((SELECT count(*) FROM r_summary WHERE median IS NULL) > 0 AND (SELECT count(*) FROM r_summary WHERE median_ucl IS NULL) > 0
          AND (SELECT count(*) FROM r_summary WHERE median_ucl IS NOT NULL) > 20,
          'R: medians and limits that exist and that do not (NA: the curve never reaches 0.5)');
SELECT is((SELECT median FROM r_summary WHERE dataset = 'flat' AND grp = 'all' LIMIT 1), 5::float8,
          'R: the flat curve''s median is the midpoint 5 of 4 (S = 0.5 from there) and 6 (the next drop)');
SELECT is_empty($$
    SELECT r.dataset, r.grp, r.conf_type, r.conf_level, r.q25, (q).time, r.q25_lcl, (q).lower, r.q25_ucl, (q).upper
    FROM (SELECT r.*, survival_quantile_ci(c.curve, 0.25, r.conf_level, r.conf_type) AS q
          FROM r_summary AS r JOIN curves AS c USING (dataset, grp)) AS r
    WHERE NOT (pg_temp.near(r.q25, (q).time) AND pg_temp.near(r.q25_lcl, (q).lower)
               AND pg_temp.near(r.q25_ucl, (q).upper))$$,
    'survival_quantile_ci(curve, 0.25) = R''s quantile.survfit 25 % with limits, in every setting');
SELECT is_empty($$
    SELECT r.dataset, r.grp, r.conf_type, r.conf_level, r.q75, (q).time, r.q75_lcl, (q).lower, r.q75_ucl, (q).upper
    FROM (SELECT r.*, survival_quantile_ci(c.curve, 0.75, r.conf_level, r.conf_type) AS q
          FROM r_summary AS r JOIN curves AS c USING (dataset, grp)) AS r
    WHERE NOT (pg_temp.near(r.q75, (q).time) AND pg_temp.near(r.q75_lcl, (q).lower)
               AND pg_temp.near(r.q75_ucl, (q).upper))$$,
    'survival_quantile_ci(curve, 0.75) = R''s quantile.survfit 75 % with limits, in every setting');
SELECT is_empty($$
    SELECT r.dataset, r.grp, r.q25, survival_quantile(c.curve, 0.25), r.q75, survival_quantile(c.curve, 0.75)
    FROM r_summary AS r JOIN curves AS c USING (dataset, grp)
    WHERE NOT (pg_temp.near(r.q25, survival_quantile(c.curve, 0.25)) AND pg_temp.near(r.q75, survival_quantile(c.curve, 0.75)))$$,
    'survival_quantile(curve, p) = R''s quantile.survfit at 25 % and 75 %');
SELECT is((SELECT q25 FROM r_summary WHERE dataset = 'flat' AND grp = 'all' LIMIT 1), 2.5::float8,
          'R: the flat curve''s 25 % quantile is the midpoint 2.5 of 2 (S = 0.75 from there) and 3');

-- restricted means ------------------------------------------------------------------

SELECT is_empty($$
    SELECT r.dataset, r.grp, r.tau, r.rmean, (m).rmean, r.se_rmean, (m).std_error
    FROM (SELECT r.*, restricted_mean_survival_ci(c.curve, r.tau) AS m
          FROM r_rmean AS r JOIN curves AS c USING (dataset, grp)) AS r
    WHERE NOT (pg_temp.near(r.rmean, (m).rmean) AND pg_temp.near(r.se_rmean, (m).std_error))$$,
    'restricted_mean_survival_ci: rmean and std_error = R''s print(fit, rmean = tau) rmean and se(rmean)');
SELECT is_empty($$
    SELECT r.dataset, r.grp, r.tau, r.rmean, restricted_mean_survival(c.curve, r.tau)
    FROM r_rmean AS r JOIN curves AS c USING (dataset, grp)
    WHERE NOT pg_temp.near(r.rmean, restricted_mean_survival(c.curve, r.tau))$$,
    'restricted_mean_survival = R''s rmean');
-- the limits are rmean -/+ z se, z from R's qnorm(0.975) and qnorm(0.95)
SELECT is_empty($$
    SELECT r.dataset, r.grp, r.tau, (m).lower, (m).upper
    FROM (SELECT r.*, restricted_mean_survival_ci(c.curve, r.tau) AS m, restricted_mean_survival_ci(c.curve, r.tau, 0.90) AS m90
          FROM r_rmean AS r JOIN curves AS c USING (dataset, grp)) AS r
    WHERE NOT (pg_temp.near((m).lower, r.rmean - 1.959963984540054 * r.se_rmean)
               AND pg_temp.near((m).upper, r.rmean + 1.959963984540054 * r.se_rmean)
               AND pg_temp.near((m90).lower, r.rmean - 1.6448536269514722 * r.se_rmean)
               AND pg_temp.near((m90).upper, r.rmean + 1.6448536269514722 * r.se_rmean))$$,
    'restricted_mean_survival_ci: limits rmean -/+ qnorm(0.975) se at 0.95 and qnorm(0.95) se at 0.90');
SELECT is((SELECT count(*) FROM r_rmean AS r JOIN curves AS c USING (dataset, grp)
           WHERE r.tau > (SELECT max(time) FROM survival_table(c.curve))), 34::bigint,
          'R: a restricted mean past the last time of each curve (S carried flat)');

-- the log-rank test -----------------------------------------------------------------

CREATE TEMP TABLE our_logrank AS
SELECT dataset, string_agg(grp, ' ' ORDER BY grp) AS groups,
       (logrank_test(array_agg(curve ORDER BY grp))).*
FROM curves WHERE grp <> 'all' GROUP BY dataset;
SELECT is((SELECT count(*) FROM r_logrank), 9::bigint, 'R survdiff: nine comparisons (of two to five groups)');
SELECT is_empty($$
    SELECT r.dataset, r.groups, o.groups, r.chisq, o.chi_square
    FROM r_logrank AS r FULL JOIN our_logrank AS o USING (dataset)
    WHERE r.groups IS DISTINCT FROM o.groups OR NOT pg_temp.near(r.chisq, o.chi_square)$$,
    'logrank_test: chi_square = R''s survdiff chisq');
SELECT is_empty($$
    SELECT r.dataset, r.df, o.degrees_of_freedom FROM r_logrank AS r JOIN our_logrank AS o USING (dataset)
    WHERE r.df IS DISTINCT FROM o.degrees_of_freedom$$,
    'logrank_test: degrees_of_freedom = R''s groups with expected events - 1');
SELECT is_empty($$
    SELECT r.dataset, r.p_value, o.p_value FROM r_logrank AS r JOIN our_logrank AS o USING (dataset)
    WHERE NOT pg_temp.near_relative(r.p_value, o.p_value)$$,
    'logrank_test: p_value = R''s pchisq(chisq, df, lower.tail = FALSE), to 1e-9 relative');
SELECT cmp_ok((SELECT p_value FROM r_logrank WHERE dataset = 'far_tail'), '<', 1e-30::float8,
              'R: the far_tail p-value is far in the tail');
SELECT is((SELECT array_agg(degrees_of_freedom ORDER BY dataset) FROM our_logrank WHERE dataset IN ('days', 'five', 'same4')),
          ARRAY[2, 4, 3], 'logrank_test: 2, 4 and 3 degrees of freedom for three, five and four groups');
-- the chi-square tail by its series (x / 2 < df / 2 + 1) and by its continued fraction
SELECT ok((SELECT chisq < df + 2 FROM r_logrank WHERE dataset = 'same4') AND (SELECT chisq > df + 2 FROM r_logrank WHERE dataset = 'five'),
          'R: the p-values on 3 and 4 degrees of freedom take both ways of computing the chi-square tail');
-- the order of the curves does not matter
SELECT ok(pg_temp.near((SELECT chi_square FROM our_logrank WHERE dataset = 'days'),
                       (SELECT (logrank_test(array_agg(curve ORDER BY grp DESC))).chi_square
                        FROM curves WHERE dataset = 'days' AND grp <> 'all')),
          'logrank_test: the same chi_square with the curves in the reverse order');

SELECT * FROM finish();
ROLLBACK;
