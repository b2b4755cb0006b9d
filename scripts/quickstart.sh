#!/usr/bin/env bash
# Headroom's quickstart: installs what is missing, builds, and runs the demo on embedded defaults —
# a simulated fleet, 14 days of its history backfilled into a real Prometheus, live scraping, and a
# summary read back through the Prometheus API. Extra arguments go to 'headroom demo' (see --help).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/lib/ensure-deps.sh"
exec "$root/scripts/headroom" demo "$@"
