#!/usr/bin/env bash
# scripts/report.sh DB DIR: write the HTML report of the SaaS book in
# database DB into DIR (make demo does, for saas_demo).  The data come from
# the BI views of docs/recipes.md (schema bi) through demo/report/data.sql;
# the charts are demo/report/report.js, drawn by Apache ECharts, whose
# minified build is copied from npm (scripts/npm_deps.sh) with its licence.
# DIR/index.html opens from the file system, without network.
# Connection settings come from the usual PG* variables.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
[ $# -eq 2 ] || { echo "usage: $0 DB DIR" >&2; exit 2; }
db=$1 dir=$2
modules=$("$ROOT/scripts/npm_deps.sh")
mkdir -p "$dir"
cp "$modules/echarts/dist/echarts.min.js" "$dir/"
cp "$modules/echarts/LICENSE" "$dir/echarts.LICENSE"
cp "$modules/echarts/NOTICE" "$dir/echarts.NOTICE"
cp "$ROOT/demo/report/index.html" "$ROOT/demo/report/report.js" "$dir/"
{
	printf 'window.REPORT_DATA = '
	psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" -f "$ROOT/demo/report/data.sql"
	printf ';\n'
} >"$dir/data.js.tmp"
mv "$dir/data.js.tmp" "$dir/data.js"
