#!/usr/bin/env bash
# ETL macro benchmark: 1,000 simulated hosts × 7 days × 4 dimensions from a real Prometheus into SQLite,
# PostgreSQL and MariaDB; and Prometheus alone answering the same queries, for the ratio (target ≤ 1.3).
# With "rules", also records the rules over the history, compares raw with recorded reads, and loads the
# recorded reads into SQLite, PostgreSQL and MariaDB (started by the harness).
# Usage: bench/etl.sh [work-dir (kept; reused if it holds a tsdb)] [hosts] [rules]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work=${1:-/tmp/headroom-bench-etl}
hosts=${2:-1000}
end="2026-11-01T00:00:00Z"
from="2026-10-25T00:00:00Z"
mkdir -p "$work"

if [ ! -d "$work/tsdb" ]; then
  echo "== history: $hosts hosts × 7 days at 60 s, then promtool blocks"
  "$root/scripts/headroom" fleet history --hosts "$hosts" --days 7.1 --seed 1 --end "$end" --out "$work/h.om"
  promtool tsdb create-blocks-from openmetrics --max-block-duration=162h "$work/h.om" "$work/tsdb" > /dev/null
  rm -f "$work/h.om"
fi

dotnet build "$root/bench/Headroom.Benchmarks" -c Release -v q -nologo > /dev/null
dll="$root/bench/Headroom.Benchmarks/bin/Release/net10.0/Headroom.Benchmarks.dll"
bench() { dotnet "$dll" etl "$@"; }
# /usr/bin/time cannot run a shell function: timed runs name the program itself.
timed() { /usr/bin/time -f "peak_rss_kib=%M" dotnet "$dll" etl "$@"; }

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
start_prometheus() {
  printf 'global:\n  scrape_interval: 1m\n' > "$work/prometheus.yml"
  prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" --storage.tsdb.retention.time=3650d \
    --web.listen-address="127.0.0.1:$port" --query.max-samples=200000000 --query.timeout=10m > "$work/prometheus.log" 2>&1 &
  prom_pid=$!
  until curl -sf "http://127.0.0.1:$port/-/ready" > /dev/null; do sleep 0.5; done
}
stop_prometheus() { kill "$prom_pid"; wait "$prom_pid" 2>/dev/null || true; }
peak() { awk '/VmHWM/ {printf "%.0f MiB", $2/1024}' "/proc/$prom_pid/status"; }
src="http://127.0.0.1:$port"

start_prometheus
trap stop_prometheus EXIT
# One run of each, raw and recorded interleaved in one go, so both see the same machine. The raw reads dominate:
# Prometheus alone and the ETL each read the same 28 query_range requests.
echo "prometheus alone (raw): $(bench "$src" x "$from" "$end" prometheus raw)"
echo "prometheus peak memory after raw reads: $(peak)"
rm -f "$work/bench.db"*
timed "$src" "sqlite:$work/bench.db" "$from" "$end" etl raw
echo "prometheus alone (raw), again after the ETL: $(bench "$src" x "$from" "$end" prometheus raw)"

if [ "${3:-}" = "rules" ]; then
  echo "== recording the rules over the history with promtool"
  "$root/scripts/headroom" rules generate --profile node --out "$work/rules.yml"
  rm -rf "$work/recorded"
  /usr/bin/time -f "promtool rules backfill: %e s, peak_rss_kib=%M" \
    promtool tsdb create-blocks-from rules --url="$src" --start="$from" --end="$end" --output-dir="$work/recorded" "$work/rules.yml" > /dev/null
  stop_prometheus
  mv "$work/recorded"/* "$work/tsdb/"
  start_prometheus
  echo "prometheus alone (recorded), fresh process: $(bench "$src" x "$from" "$end" prometheus recorded)"
  echo "prometheus peak memory after recorded reads (fresh process): $(peak)"
  for db in "sqlite:$work/bench.db" postgres mariadb; do
    rm -f "$work/bench.db"*
    timed "$src" "$db" "$from" "$end" etl recorded
  done
  echo "prometheus alone (recorded), again: $(bench "$src" x "$from" "$end" prometheus recorded)"
  stop_prometheus; start_prometheus
  echo "prometheus alone (raw, same data, fresh process): $(bench "$src" x "$from" "$end" prometheus raw)"
  echo "prometheus peak memory after raw reads (fresh process): $(peak)"
fi
