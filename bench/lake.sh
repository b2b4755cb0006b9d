#!/usr/bin/env bash
# Lake macro benchmark: a warehouse of RESOURCES × DAYS (4 dimensions) in SQLite and PostgreSQL (started by the
# harness; the Debian package), exported to a Parquet folder (rows/s, lake size against the warehouse), then the
# report's two queries over the last 14 days in the warehouse and in the lake (DuckDB). Each phase prints its seconds:
# fill-commit (the first week through the ETL's commit path), fill-copy (later weeks copied forward by SQL),
# breakdown (one day's export step by step, wall/CPU), export, queries. The issue's size is 2,000 resources × 90 days
# (17 million hourly rows): bench/lake.sh /tmp/headroom-bench-lake 2000 90
# Usage: bench/lake.sh [work-dir] [resources=2000] [days=90] [runs=3]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work=${1:-/tmp/headroom-bench-lake}
resources=${2:-2000}
days=${3:-90}
runs=${4:-3}
mkdir -p "$work"
dotnet build "$root/bench/Headroom.Benchmarks" -c Release -v q -nologo > /dev/null
dll="$root/bench/Headroom.Benchmarks/bin/Release/net10.0/Headroom.Benchmarks.dll"
rm -f "$work/warehouse.db" "$work/warehouse.db-wal" "$work/warehouse.db-shm"
echo "== SQLite"
/usr/bin/time -f "peak_rss_kib=%M" dotnet "$dll" lake "sqlite:$work/warehouse.db" "$work/lake-sqlite" "$resources" "$days" "$runs"
echo "== PostgreSQL"
/usr/bin/time -f "peak_rss_kib=%M" dotnet "$dll" lake postgres "$work/lake-postgres" "$resources" "$days" "$runs"
