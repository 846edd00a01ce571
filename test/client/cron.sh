#!/usr/bin/env bash
# test/client/cron.sh: the pg_cron recipe of docs/recipes.md, run, in a
# cluster that preloads pg_cron with the recipe's settings (scripts/test.sh).
# The recipe's cron blocks run as written in database postgres (nightly
# schedules), and every materialized view of saas_demo must have a refresh
# job.  Then new rows arrive in saas_demo, the jobs are moved to every
# minute (Debian's pg_cron 1.4 schedules by the minute at the finest), and
# once each has run (polling, for 3 minutes at most) every run must have
# succeeded in cron.job_run_details and the views must show the new rows.
# Prints TAP.
set -uo pipefail
cd "$(dirname "$0")/../.."
n=0 status=0
tap() { # tap CONDITION-EXIT-STATUS DESCRIPTION
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - cron: $2"; else echo "not ok $n - cron: $2"; status=1; fi
}
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }

recipe=$(scripts/doc_examples.pl sql cron docs/recipes.md)
out=$(psql -X -v ON_ERROR_STOP=1 -d postgres <<<"$recipe" 2>&1)
rc=$?
tap $rc "the recipe's pg_cron statements run in database postgres"
[ $rc -eq 0 ] || sed 's/^/# /' <<<"$out"

matviews=$(q -d saas_demo -c "SELECT format('%I.%I', schemaname, matviewname) FROM pg_matviews ORDER BY 1")
refreshed=$(q -d postgres -c "SELECT substring(command FROM '^REFRESH MATERIALIZED VIEW CONCURRENTLY (\S+)$') FROM cron.job WHERE database = 'saas_demo'")
for m in $matviews; do
	# an unqualified name is public's
	grep -qxF -e "$m" -e "${m#public.}" <<<"$refreshed"
	tap $? "materialized view $m has a refresh job"
done

# New rows in a month the views do not have yet.
q -d saas_demo <<'SQL'
INSERT INTO customers VALUES (900001, 'Cron Test #900001', 'growth', 'EMEA', '2026-11-02');
INSERT INTO subscriptions VALUES (900001, 'growth', 'monthly', '2026-11-02', NULL, 79.00);
INSERT INTO nps_responses VALUES (900001, '2026-11-03', 10);
SQL
before=$(q -d saas_demo -c "SELECT count(*) FROM bi.mrr_monthly WHERE period_start = '2026-11-01'")
[ "$before" = 0 ]
tap $? "before a refresh, bi.mrr_monthly has no November 2026 ($before rows)"

since=$(q -d postgres -c "SELECT now()")
q -d postgres -c "SELECT cron.alter_job(jobid, schedule => '* * * * *') FROM cron.job" >/dev/null
waited=0
while [ $waited -lt 180 ]; do
	pending=$(q -d postgres -c "SELECT count(*) FROM cron.job AS j WHERE NOT EXISTS (
		SELECT FROM cron.job_run_details AS d
		WHERE d.jobid = j.jobid AND d.start_time > '$since' AND d.status IN ('succeeded', 'failed'))")
	[ "$pending" = 0 ] && break
	sleep 2
	waited=$((waited + 2))
done
echo "# waited ${waited} s for the jobs' first runs"
while IFS='|' read -r job ok message; do
	[ "$ok" = t ]
	tap $? "job $job ran and succeeded: $message"
done < <(q -d postgres -c "
	SELECT j.jobname, coalesce(bool_and(d.status = 'succeeded'), false),
	       coalesce(string_agg(DISTINCT d.status || ': ' || d.return_message, '; '), 'no run')
	FROM cron.job AS j
	LEFT JOIN cron.job_run_details AS d ON d.jobid = j.jobid AND d.start_time > '$since' AND d.status IN ('succeeded', 'failed')
	GROUP BY j.jobname ORDER BY 1")

check() { # check DESCRIPTION QUERY-RETURNING-t
	[ "$(q -d saas_demo -c "$2")" = t ]
	tap $? "$1"
}
check "refreshed: bi.mrr_monthly has November 2026 with the new customer" \
	"SELECT new_customers = 1 AND new_mrr = 79.00 FROM bi.mrr_monthly WHERE period_start = '2026-11-01'"
check "refreshed: bi.mrr_by_plan has November 2026 on growth" \
	"SELECT new_mrr = 79.00 FROM bi.mrr_by_plan WHERE plan = 'growth' AND period_start = '2026-11-01'"
check "refreshed: bi.cohorts_monthly has the November 2026 cohort" \
	"SELECT cohort_customers = 1 FROM bi.cohorts_monthly WHERE cohort_start = '2026-11-01' AND age = 0"
check "refreshed: nps_daily has the new response" \
	"SELECT promoters(summary) = 1 FROM nps_daily WHERE answered_on = '2026-11-03'"

q -d postgres -c "SELECT cron.unschedule(jobid) FROM cron.job" >/dev/null
exit $status
