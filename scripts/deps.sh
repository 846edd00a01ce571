#!/usr/bin/env bash
# Installs what building and testing saas_metrics needs on Debian 12, when it is missing.
# scripts/deps.sh: building, the demo and its report (Node.js and npm fetch
# the charting library).  scripts/deps.sh test: also what the client tests
# of make test run (pg_cron in the test cluster, the JDBC driver and a JDK,
# Chromium for the report; see test/client/run.sh).
set -euo pipefail
PKGS="postgresql-server-dev-15 postgresql-15-pgtap libtap-parser-sourcehandler-pgtap-perl make gcc"
if [ "${1:-}" = test ]; then
	PKGS="$PKGS postgresql-15-cron libpostgresql-jdbc-java default-jdk-headless chromium"
fi
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
# Node.js and npm may come from Debian or from elsewhere (e.g. NodeSource):
# any node and npm on the PATH will do.
command -v node >/dev/null || missing="$missing nodejs"
command -v npm >/dev/null || missing="$missing npm"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "missing packages:$missing (run as root, or install them with apt-get)" >&2
	exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
