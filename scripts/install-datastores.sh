#!/usr/bin/env bash
# Installs the PostgreSQL and Redis servers from Debian packages for the scaled mode
# (`make run-scaled`) and its tests. Only the binaries are used: bot/datastores.py starts
# private instances on loopback with their data under var/, so the packages' own services
# are not needed. Idempotent and quiet: does nothing when both servers are there.
set -euo pipefail

have_servers() {
    compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null && command -v redis-server >/dev/null
}

if have_servers; then
    exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
    echo "install-datastores.sh: PostgreSQL or Redis is missing; run this script as root" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends postgresql redis-server >/dev/null
