#!/usr/bin/env bash
# Runs every test project of Headroom and prints one closing line: "N passed, N failed, N skipped".
# Installs missing Debian packages first (the tests start real Prometheus, PostgreSQL, MariaDB, ...).
# Usage: scripts/test.sh [extra dotnet test arguments, e.g. --filter FullyQualifiedName~Fleet]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

"$root/scripts/lib/ensure-deps.sh"

echo "==> restoring"
dotnet restore Headroom.slnx --verbosity quiet
echo "==> checking the layout (dotnet format whitespace, .editorconfig's rules)"
if ! dotnet format whitespace Headroom.slnx --verify-no-changes --verbosity quiet; then
  echo "!!! the files above are not laid out as .editorconfig asks: run 'dotnet format whitespace Headroom.slnx' and commit the result" >&2
  exit 1
fi
echo "==> checking the code style (dotnet format style: file-scoped namespaces, sorted usings, readonly fields)"
if ! dotnet format style Headroom.slnx --verify-no-changes --verbosity quiet; then
  echo "!!! the files above break .editorconfig's style rules: run 'dotnet format style Headroom.slnx' and commit the result" >&2
  exit 1
fi
echo "==> building (warnings are errors)"
dotnet build Headroom.slnx --no-restore --configuration Release --verbosity quiet -warnaserror -nologo

if [ ! -d "$root/../shared/conformance" ]; then
  echo "!!! ../shared/conformance is absent: the PromQL conformance scripts will not run (their tests say so) !!!" >&2
fi

results="$root/TestResults"
rm -rf "$results"
mkdir -p "$results"
passed=0 failed=0 skipped=0 status=0
for project in tests/*Tests/*.csproj; do
  name=$(basename "$project" .csproj)
  log="$results/$name.log"
  echo "==> $name"
  set +e
  # The trx log names each skipped test with its reason (the console summary only counts them).
  dotnet test "$project" --no-build --configuration Release --nologo --results-directory "$results/$name" \
    --logger "trx;LogFileName=$name.trx" "$@" 2>&1 | tee "$log"
  code=${PIPESTATUS[0]}
  set -e
  # The VSTest summary: "Passed!  - Failed:     0, Passed:    31, Skipped:     0, Total:    31, ..."
  summary=$(grep -E '(Passed|Failed)! +- Failed: +[0-9]+, Passed: +[0-9]+, Skipped: +[0-9]+' "$log" | tail -n 1 || true)
  if [ -z "$summary" ] && [ "$code" -eq 0 ] && grep -q "No test matches the given testcase filter" "$log"; then
    continue
  fi
  if [ -z "$summary" ]; then
    echo "!!! $name produced no test summary (exit code $code): counted as one failure" >&2
    failed=$((failed + 1))
    status=1
    continue
  fi
  f=$(sed -E 's/.*Failed: +([0-9]+),.*/\1/' <<<"$summary")
  p=$(sed -E 's/.*Passed: +([0-9]+),.*/\1/' <<<"$summary")
  s=$(sed -E 's/.*Skipped: +([0-9]+),.*/\1/' <<<"$summary")
  passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
  if [ "$code" -ne 0 ]; then status=1; fi
done

# Skipped tests by name, with the reason each gave (a skip is not a pass: say what was not checked).
if [ "$skipped" -ne 0 ]; then
  echo "==> skipped tests"
  for trx in "$results"/*/*.trx; do
    [ -f "$trx" ] || continue
    awk '
      function unescape(s) {
        gsub(/&quot;/, "\"", s); gsub(/&apos;/, "'"'"'", s); gsub(/&lt;/, "<", s); gsub(/&gt;/, ">", s); gsub(/&amp;/, "\\&", s)
        return s
      }
      /<UnitTestResult / && /outcome="NotExecuted"/ {
        name = $0; sub(/.*testName="/, "", name); sub(/".*/, "", name); skipped = 1; reason = ""
      }
      skipped && /<Message>/ && reason == "" {
        reason = $0; sub(/.*<Message>/, "", reason); sub(/<\/Message>.*/, "", reason)
      }
      skipped && /<\/UnitTestResult>|<UnitTestResult .*\/>$/ {
        printf "  SKIPPED %s: %s\n", unescape(name), (reason == "" ? "(no reason given)" : unescape(reason)); skipped = 0
      }
    ' "$trx"
  done
fi

echo "$passed passed, $failed failed, $skipped skipped"
if [ "$failed" -ne 0 ]; then status=1; fi
exit "$status"
