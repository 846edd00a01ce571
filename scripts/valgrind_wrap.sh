#!/usr/bin/env bash
# valgrind_wrap.sh BINDIR: replace BINDIR/postgres with a script that runs
# the real server under valgrind (memcheck), logging one file per process
# into $VALGRIND_LOG_DIR.  Used by scripts/test_valgrind.sh through
# scripts/test.sh's PG_WRAPPER hook.  The server is an ordinary build (no
# USE_VALGRIND), so memcheck sees palloc chunks as parts of larger malloc
# blocks: it finds reads of uninitialised memory, invalid reads/writes past
# malloc blocks and bad syscall arguments, not every overrun of a chunk.
set -euo pipefail
BIN=$1
: "${VALGRIND_LOG_DIR:?}"
SUPP=$(cd "$(dirname "$0")/.." && pwd)/test/valgrind/postgres.supp
[ -f "$BIN/postgres.real" ] || mv "$BIN/postgres" "$BIN/postgres.real"
cat >"$BIN/postgres" <<WRAPPER
#!/bin/sh
# version checks and initdb's bootstrap and single-user runs: not worth valgrind
case "\$1" in -V|--version|--describe-config|-C|--boot|--single) exec "$BIN/postgres.real" "\$@";; esac
exec valgrind --quiet --tool=memcheck --error-limit=no --num-callers=40 --leak-check=no \\
	--trace-children=yes --trace-children-skip='*/sh,*/bash,*/cat,*/rm' \\
	--suppressions="$SUPP" \\
	--gen-suppressions=all --log-file="$VALGRIND_LOG_DIR/valgrind.%p.log" \\
	"$BIN/postgres.real" "\$@"
WRAPPER
chmod 755 "$BIN/postgres"
