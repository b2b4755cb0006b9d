#!/usr/bin/env bash
# Ruler macro benchmark: the node profile's recording rules evaluated by the headroom ruler over an in-process gateway
# in front of 2 shards of real Prometheus, against one Prometheus holding all the data evaluating them itself
# (prometheus_rule_group_last_duration_seconds). Prints a markdown table of the median group evaluation times.
# Usage: bench/ruler.sh [hosts (default 200)] [runs (default 15)]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dotnet build "$root/bench/Headroom.Benchmarks" -c Release -v q -nologo > /dev/null
dotnet "$root/bench/Headroom.Benchmarks/bin/Release/net10.0/Headroom.Benchmarks.dll" ruler "${1:-200}" "${2:-15}"
