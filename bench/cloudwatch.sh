#!/usr/bin/env bash
# CloudWatch collector macro benchmark: N tagged EC2 instances × 4 metrics in a real moto_server, one collection loop.
# Prints one key=value line per size. Usage: bench/cloudwatch.sh [sizes...] (default: 500 1000 5000)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dotnet build "$root/bench/Headroom.Benchmarks" -c Release -v q -nologo > /dev/null
for n in "${@:-500 1000 5000}"; do
  for size in $n; do
    dotnet "$root/bench/Headroom.Benchmarks/bin/Release/net10.0/Headroom.Benchmarks.dll" cloudwatch "$size"
  done
done
