#!/usr/bin/env bash
# CloudWatch straight to the warehouse: N tagged EC2 instances in a real moto_server, one hourly and one daily window read as
# 'headroom etl --source cloudwatch' reads them. Prints one key=value line per window. Usage: bench/cloudwatch-etl.sh [sizes...]
# (default: 200 1000)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dotnet build "$root/bench/Headroom.Benchmarks" -c Release -v q -nologo > /dev/null
for size in ${@:-200 1000}; do
  dotnet "$root/bench/Headroom.Benchmarks/bin/Release/net10.0/Headroom.Benchmarks.dll" cloudwatch-etl "$size"
done
