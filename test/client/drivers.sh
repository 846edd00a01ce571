#!/usr/bin/env bash
# test/client/drivers.sh WORKDIR: what BI tools read, read through their
# drivers.  Every relation of schema bi in saas_demo (found in the catalog)
# and every tool query of the docs (scripts/doc_examples.pl queries) is read
# as bi_reader, over TCP on 127.0.0.1 with a password (scram-sha-256), by
# the PostgreSQL JDBC driver (BiCheck.java) and by node-postgres
# (bi_check.js); every column must arrive as a chartable type.  Three
# queries with an array, a record and an nps_summary column must be
# rejected (the checks can fail).  And every set-returning function of
# saas_metrics must be read by some view of bi.  Prints TAP.
set -uo pipefail
cd "$(dirname "$0")/../.."
work=$1
status=0

# Every set-returning reader of the extension is used by a view of bi (the
# views record the functions they call in pg_depend), itself or through a
# function of the extension that calls it (SQL-standard bodies record theirs
# too: cohort_summary(book) reads cohort_summary(cohort_cell[])).
srf=$(psql -X -At -v ON_ERROR_STOP=1 -d saas_demo <<'SQL'
WITH RECURSIVE caller(callee, fn) AS (
    SELECT oid, oid FROM pg_proc
  UNION
    SELECT c.callee, d.objid
    FROM caller AS c
    JOIN pg_depend AS d ON d.classid = 'pg_proc'::regclass AND d.refclassid = 'pg_proc'::regclass
                       AND d.refobjid = c.fn AND d.deptype = 'n'
),
srf AS (
    SELECT p.oid::regprocedure::text AS fn,
           (SELECT string_agg(DISTINCT r.ev_class::regclass::text, ', ')
            FROM caller AS c
            JOIN pg_depend AS d ON d.refclassid = 'pg_proc'::regclass AND d.refobjid = c.fn
            JOIN pg_rewrite AS r ON r.oid = d.objid
            JOIN pg_class AS v ON v.oid = r.ev_class
            WHERE c.callee = p.oid AND d.classid = 'pg_rewrite'::regclass
              AND v.relnamespace = 'bi'::regnamespace) AS views
    FROM pg_proc AS p
    JOIN pg_depend AS e ON e.classid = 'pg_proc'::regclass AND e.objid = p.oid
     AND e.refclassid = 'pg_extension'::regclass AND e.deptype = 'e'
    JOIN pg_extension AS x ON x.oid = e.refobjid AND x.extname = 'saas_metrics'
    WHERE p.proretset
)
SELECT CASE WHEN views IS NULL THEN 'not ok ' ELSE 'ok ' END || row_number() OVER (ORDER BY fn)
       || ' - bi views: set-returning function ' || fn || ' is read by ' || coalesce(views, 'no view of schema bi')
FROM srf ORDER BY fn;
SQL
)
if [ -z "$srf" ]; then
	echo "not ok 1 - bi views: saas_metrics has set-returning functions to read"
	status=1
else
	echo "$srf"
	grep -q '^not ok' <<<"$srf" && status=1
fi

# The queries: every relation of bi, the docs' tool queries, and three that
# must be rejected.
queries=$work/bi_queries
rels=$(psql -X -At -v ON_ERROR_STOP=1 -d saas_demo -c "
	SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
	WHERE n.nspname = 'bi' AND c.relkind IN ('r', 'v', 'm', 'p', 'f') ORDER BY 1")
{
	for r in $rels; do printf '%s\0SELECT * FROM %s\0' "$r" "$r"; done
	scripts/doc_examples.pl queries README.md docs/*.md
	printf 'must reject: an array column\0SELECT 1 AS n, ARRAY[1, 2] AS numbers\0'
	printf "must reject: a record column\0SELECT 1 AS n, ROW(1, 'a') AS pair\0"
	printf 'must reject: an nps_summary column\0SELECT 1 AS n, nps_agg(s) AS summary FROM generate_series(0, 10) AS s\0'
} >"$queries"
count=$(wc -w <<<"$rels")
if [ "$count" -ge 10 ]; then
	echo "ok 1 - bi views: schema bi has $count relations to read"
else
	echo "not ok 1 - bi views: schema bi has $count relations to read (the recipes make at least 10)"
	status=1
fi

password=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
psql -X -q -v ON_ERROR_STOP=1 -d saas_demo -c "ALTER ROLE bi_reader PASSWORD '$password'" || status=1

java -cp /usr/share/java/postgresql.jar test/client/BiCheck.java \
	"jdbc:postgresql://127.0.0.1:$PGPORT/saas_demo" bi_reader "$password" "$queries" || status=1

modules=$(scripts/npm_deps.sh) || { echo "not ok 1 - node-postgres: npm packages installed"; exit 1; }
NODE_PATH=$modules PGHOST=127.0.0.1 PGDATABASE=saas_demo PGUSER=bi_reader PGPASSWORD=$password \
	node test/client/bi_check.js "$queries" || status=1
exit $status
