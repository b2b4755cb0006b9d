#!/usr/bin/env bash
# Gateway macro benchmark: the data of bench/promql.sh split over 4 shards × 2 replicas of real Prometheus behind an
# in-process headroom gateway (without and with pushdown), against one Prometheus holding all of it. Prints markdown
# tables: medians and ratios, answers compared, queries per second at concurrent clients, memory, where the time goes.
# The gateway runs as `headroom gateway` in its own process, as deployed; --in-process runs it inside the benchmark's.
# Usage: bench/gateway.sh [--in-process | --cpus-per-server CORES] [series (default 1000)] [runs (default 5)] [load seconds (default 20)] [clients (default 8)]
#        --cpus-per-server CORES: every server (the one Prometheus, each replica, the gateway) in a cgroup of its own
#        limited to CORES (e.g. 0.4), as if each had its own machine of that size (needs root and cgroups)
#        bench/gateway.sh --layers [series] [runs]: only where a pushed query's and rate's time goes, layer by layer,
#        with the CPU seconds of the gateway and of the shards (useful on a loaded machine)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dotnet build "$root/bench/Headroom.Benchmarks" -c Release -v q -nologo > /dev/null
dotnet build "$root/src/Headroom.Cli" -c Release -v q -nologo > /dev/null
if [[ "${1:-}" == "--layers" ]]; then
  exec dotnet "$root/bench/Headroom.Benchmarks/bin/Release/net10.0/Headroom.Benchmarks.dll" gateway-layers "${2:-1000}" "${3:-5}"
fi
placement=()
if [[ "${1:-}" == "--in-process" ]]; then placement=(--in-process); shift; fi
if [[ "${1:-}" == "--cpus-per-server" ]]; then placement=(--cpus-per-server "${2:?--cpus-per-server takes a number of cores}"); shift 2; fi
dotnet "$root/bench/Headroom.Benchmarks/bin/Release/net10.0/Headroom.Benchmarks.dll" gateway "${placement[@]}" "${1:-1000}" "${2:-5}" "${3:-20}" "${4:-8}"
