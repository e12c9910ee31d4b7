#!/bin/sh
# Long fuzz campaign: every target for SECONDS (default 600) or 1M executions, whichever comes first, one after
# another on one core. New inputs go to a scratch corpus (the committed seeds never change); crashes, leaks and
# hangs are kept in ./fuzz-artifacts/. Prints one table row per target: executions, seconds, exit status.
# Usage: run_campaign.sh FUZZ_BUILD_DIR [SECONDS]     e.g. tests/fuzz/run_campaign.sh build/fuzz 600
set -eu
build="$1"
seconds="${2:-600}"
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/hpf_fuzz_campaign.XXXXXX")"
mkdir -p fuzz-artifacts
printf '%-24s %12s %8s %6s\n' target executions seconds status
for fuzzer in "$build"/tests/fuzz/fuzz_*; do
  [ -x "$fuzzer" ] && [ -f "$fuzzer" ] || continue
  name="$(basename "$fuzzer")"
  dict=""
  [ -f "$here/dict/$name.dict" ] && dict="-dict=$here/dict/$name.dict"
  mkdir -p "$work/$name"
  start=$(date +%s)
  set +e
  # shellcheck disable=SC2086
  "$fuzzer" -max_total_time="$seconds" -runs=1000000 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$PWD/fuzz-artifacts/$name-" $dict "$work/$name" "$here/corpus/$name" >"$work/$name.log" 2>&1
  status=$?
  set -e
  end=$(date +%s)
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$name.log" | tail -n 1)"
  printf '%-24s %12s %8s %6s\n' "$name" "${execs:-?}" "$((end - start))" "$status"
done
echo "logs and grown corpora: $work"
