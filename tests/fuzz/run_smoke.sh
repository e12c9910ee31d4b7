#!/bin/sh
# Smoke run of one fuzz target for ctest: every seed of its corpus, then RUNS mutated inputs. New inputs go to
# a scratch folder, so the committed corpus never changes; a failing input is kept in ./fuzz-artifacts/.
# Usage: run_smoke.sh FUZZER CORPUS_DIR RUNS [LIBFUZZER_ARGS...]
set -eu
fuzzer="$1"
corpus="$2"
runs="$3"
shift 3
scratch="$(mktemp -d "${TMPDIR:-/tmp}/hpf_fuzz_smoke.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT
mkdir -p fuzz-artifacts
# -timeout: an input taking over 10 s is a hang; -rss_limit_mb bounds memory as in the long runs.
set +e
"$fuzzer" -runs="$runs" -seed=1 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$PWD/fuzz-artifacts/$(basename "$fuzzer")-" "$@" "$scratch" "$corpus" >"$scratch/log" 2>&1
status=$?
set -e
tail -n 25 "$scratch/log"
exit "$status"
