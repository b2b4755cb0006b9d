#!/usr/bin/env bash
# Macro benchmark of the fleet history: generation rate and peak memory of `headroom fleet history`,
# then promtool's block creation time for the same file. Defaults: 1,000 hosts × 14 days at 60 s.
# Usage: bench/history.sh [hosts] [days] [work-dir]
# Needs about 60 GB free in work-dir for the full size (the OpenMetrics text is ~100 bytes a sample).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
hosts=${1:-1000}
days=${2:-14}
work=${3:-$(mktemp -d /tmp/headroom-bench-history-XXXX)}
mkdir -p "$work"
file="$work/history.om"
blocks="$work/blocks"
trap 'rm -rf "$work"' EXIT

"$root/scripts/headroom" --version >/dev/null # build first, outside the measurement
end="2026-11-01T00:00:00Z"

echo "== headroom fleet history --hosts $hosts --days $days --step 60s"
/usr/bin/time -v "$root/scripts/headroom" fleet history --hosts "$hosts" --days "$days" --step 60s --seed 1 --end "$end" --out "$file" \
  2> "$work/gen.txt" || { cat "$work/gen.txt"; exit 1; }
grep -E "^wrote" "$work/gen.txt"
gen_wall=$(grep "Elapsed (wall clock)" "$work/gen.txt" | awk '{print $NF}')
gen_rss=$(grep "Maximum resident set size" "$work/gen.txt" | awk '{print $NF}')
echo "generation wall: $gen_wall, peak RSS: $((gen_rss / 1024)) MiB, file: $(du -h "$file" | cut -f1)"

echo "== headroom fleet history to /dev/null (generation alone, no disk)"
/usr/bin/time -v "$root/scripts/headroom" fleet history --hosts "$hosts" --days "$days" --step 60s --seed 1 --end "$end" --out - \
  > /dev/null 2> "$work/null.txt"
grep -E "^wrote" "$work/null.txt"
echo "peak RSS: $(( $(grep "Maximum resident set size" "$work/null.txt" | awk '{print $NF}') / 1024 )) MiB"

echo "== promtool tsdb create-blocks-from openmetrics --max-block-duration=162h"
/usr/bin/time -v promtool tsdb create-blocks-from openmetrics --max-block-duration=162h "$file" "$blocks" \
  > "$work/promtool-out.txt" 2> "$work/promtool.txt" || { cat "$work/promtool.txt"; exit 1; }
pt_wall=$(grep "Elapsed (wall clock)" "$work/promtool.txt" | awk '{print $NF}')
pt_rss=$(grep "Maximum resident set size" "$work/promtool.txt" | awk '{print $NF}')
echo "promtool wall: $pt_wall, peak RSS: $((pt_rss / 1024)) MiB, blocks: $(du -sh "$blocks" | cut -f1)"
awk 'NR>1 && NF>4 {s+=$5} END {print "samples in blocks: " s}' "$work/promtool-out.txt"
