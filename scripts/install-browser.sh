#!/usr/bin/env bash
# Installs Chromium from Debian packages for the widget's browser tests. Playwright's own
# browser download is not reachable here, so the tests drive /usr/bin/chromium instead.
# Idempotent and quiet: does nothing when Chromium is already there.
set -euo pipefail

if [[ -x /usr/bin/chromium ]]; then
    exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
    echo "install-browser.sh: /usr/bin/chromium is missing; run this script as root" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# apt talks a lot even with -qq; show what it said only when it failed.
# A font is needed for text to render in screenshots; the other recommends are not.
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends \
    chromium fonts-dejavu-core; } >"$log" 2>&1; then
    cat "$log" >&2
    exit 1
fi
