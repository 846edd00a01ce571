#!/usr/bin/env bash
# The pg_dump / pg_restore round trip of stored summaries, run by
# scripts/test.sh against its cluster (PGHOST etc. set, PGBIN the private
# install): a database with a table of every summary type of the extension
# (test/dump/stored_summaries.sql, books of every customer id type) is dumped
# in custom format and restored into a new database; every table must
# restore, and every value must read the same as text.  Prints TAP lines
# ("ok N - ..." / "not ok N - ...").
set -uo pipefail
export PGOPTIONS="-c client_min_messages=warning"
DIR=$1	# a scratch directory
cd "$(dirname "$0")/.."

n=0 failed=0
tap() {	# tap OK DESCRIPTION
	n=$((n + 1))
	if [ "$1" = ok ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi
}
psql_q() { "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }

psql_q -d postgres -c "DROP DATABASE IF EXISTS dump_src" -c "DROP DATABASE IF EXISTS dump_dst" -c "CREATE DATABASE dump_src"
if psql_q -d dump_src -f test/dump/stored_summaries.sql >"$DIR/dump_setup.log" 2>&1; then
	tap ok "tables of every summary type of the extension created"
else
	tap fail "tables of every summary type of the extension created"; cat "$DIR/dump_setup.log"
fi
tables=$(psql_q -d dump_src -At -c "SELECT relname FROM pg_class WHERE relname LIKE 'stored\_%' AND relkind = 'r' ORDER BY 1")

"$PGBIN/pg_dump" -Fc -d dump_src -f "$DIR/dump_src.dump" && tap ok "pg_dump -Fc" || tap fail "pg_dump -Fc"
psql_q -d postgres -c "CREATE DATABASE dump_dst TEMPLATE template0"
"$PGBIN/pg_restore" -d dump_dst "$DIR/dump_src.dump" >"$DIR/dump_restore.log" 2>&1
restore_rc=$?

for t in $tables; do
	psql_q -d dump_src -At -c "SELECT id, v::text FROM $t ORDER BY id, v::text" >"$DIR/src_$t.txt" 2>&1
	psql_q -d dump_dst -At -c "SELECT id, v::text FROM $t ORDER BY id, v::text" >"$DIR/dst_$t.txt" 2>&1
	if [ -s "$DIR/src_$t.txt" ] && cmp -s "$DIR/src_$t.txt" "$DIR/dst_$t.txt"; then
		tap ok "$t restores with the same values"
	else
		tap fail "$t restores with the same values"
		diff "$DIR/src_$t.txt" "$DIR/dst_$t.txt" | head -5 | sed 's/^/# /'
	fi
done
if [ $restore_rc -eq 0 ]; then
	tap ok "pg_restore without errors"
else
	tap fail "pg_restore without errors"; sed 's/^/# /' "$DIR/dump_restore.log" | head -20
fi
psql_q -d postgres -c "DROP DATABASE dump_src" -c "DROP DATABASE dump_dst"
echo "1..$n"
[ $failed -eq 0 ]
