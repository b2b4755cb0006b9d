#!/usr/bin/env bash
# PromQL macro benchmark: Headroom's engine (in memory, and over remote read) against a real Prometheus
# answering the same range queries over the same day of data. Prints a markdown table with ratios.
# Usage: bench/promql.sh [series (default 1000)] [runs (default 3)] [--engine-only] [--blocks DIR]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dotnet build "$root/bench/Headroom.Benchmarks" -c Release -v q -nologo > /dev/null
dotnet "$root/bench/Headroom.Benchmarks/bin/Release/net10.0/Headroom.Benchmarks.dll" promql "$@"
