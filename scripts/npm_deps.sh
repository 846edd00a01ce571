#!/usr/bin/env bash
# Installs the npm packages of scripts/npm/package.json (Apache ECharts for
# the demo's report; node-postgres and playwright-core for the client tests),
# at the versions of scripts/npm/package-lock.json, into a cache outside the
# repository, and prints its node_modules directory.  The cache is reused
# while the lock file is unchanged, so only the first run needs the npm
# registry.  SAAS_METRICS_NPM_CACHE overrides the cache directory (default
# ~/.cache/saas_metrics/npm); runs from several checkouts share it under a lock.
set -euo pipefail
src=$(cd "$(dirname "$0")/npm" && pwd)
dir=${SAAS_METRICS_NPM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/saas_metrics/npm}
mkdir -p "$dir"
exec 9>"$dir/.lock"
flock 9
if ! cmp -s "$src/package-lock.json" "$dir/installed-lock.json"; then
	rm -f "$dir/installed-lock.json"
	cp "$src/package.json" "$src/package-lock.json" "$dir/"
	(cd "$dir" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error) >&2
	cp "$src/package-lock.json" "$dir/installed-lock.json"
fi
echo "$dir/node_modules"
