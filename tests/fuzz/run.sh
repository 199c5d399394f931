#!/usr/bin/env bash
# Runs the libFuzzer harnesses (docs/fuzzing.md); the Makefile's fuzz
# targets call it after building build/fuzz/fuzz_<harness>.
#   run.sh ci <harness>...     per harness two tests: the corpus replayed,
#                              then FUZZ_CI_TIME seconds of fuzzing with a
#                              fixed seed; ends "fuzz: N passed, M failed"
#   run.sh long <harness>...   FUZZ_TIME seconds each (or FUZZ_RUNS inputs,
#                              whichever comes first), niced, one process;
#                              appends a line per run to build/fuzz/campaigns.tsv
#   run.sh merge <harness>...  minimise tests/fuzz/corpus/<harness> together
#                              with what the runs found (build/fuzz/work/)
#   run.sh cov <harness>...    line coverage of the corpus (llvm-cov)
# New inputs go to build/fuzz/work/<harness> (libFuzzer writes to the first
# corpus folder); the repository's corpus is only read, except by merge.
# A crash, leak, sanitizer report, broken invariant or an input running
# longer than FUZZ_UNIT_TIMEOUT seconds (a hang) fails the run and leaves
# its input in build/fuzz/artifacts/<harness>/.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1

FUZZ_CI_TIME=${FUZZ_CI_TIME:-4}         # seconds of fuzzing per harness in make test
FUZZ_CI_SEED=${FUZZ_CI_SEED:-1}
FUZZ_TIME=${FUZZ_TIME:-3600}
FUZZ_RUNS=${FUZZ_RUNS:--1}              # -1: no limit
FUZZ_UNIT_TIMEOUT=${FUZZ_UNIT_TIMEOUT:-5}
MAX_LEN=65536                           # FUZZ_BLOB_MAX in fuzz_common.h
OUT=build/fuzz
DICT=tests/fuzz/dt.dict

mode=${1:-}
shift || true
[ $# -gt 0 ] || { echo "usage: run.sh ci|long|merge|cov <harness>..." >&2; exit 2; }

# The options every run shares.
common_opts() {
  echo "-max_len=$MAX_LEN -timeout=$FUZZ_UNIT_TIMEOUT -dict=$DICT" \
       "-artifact_prefix=$OUT/artifacts/$1/ -print_final_stats=1"
}

prepare() {
  mkdir -p "$OUT/work/$1" "$OUT/artifacts/$1" "$OUT/logs"
  [ -x "$OUT/fuzz_$1" ] || { echo "run.sh: $OUT/fuzz_$1 not built" >&2; return 1; }
}

# stat <log> <name>: a value from libFuzzer's final statistics.
stat() {
  grep -aoE "^stat::$2: *[0-9]+" "$1" | tail -1 | grep -oE '[0-9]+$'
}

run_ci() {
  local passed=0 failed=0 h log
  for h in "$@"; do
    prepare "$h" || { failed=$((failed + 2)); continue; }
    log=$OUT/logs/ci-$h-corpus.log
    # -runs=0: every corpus input once, nothing else.
    if "$OUT/fuzz_$h" $(common_opts "$h") -runs=0 "tests/fuzz/corpus/$h" >"$log" 2>&1; then
      echo "-- fuzz_$h corpus: ok ($(ls "tests/fuzz/corpus/$h" | wc -l) inputs)"
      passed=$((passed + 1))
    else
      echo "-- fuzz_$h corpus: FAILED (log $log)"; tail -30 "$log"
      failed=$((failed + 1))
    fi
    log=$OUT/logs/ci-$h-run.log
    rm -rf "$OUT/work/ci-$h" && mkdir -p "$OUT/work/ci-$h"
    if "$OUT/fuzz_$h" $(common_opts "$h") -seed="$FUZZ_CI_SEED" \
         -max_total_time="$FUZZ_CI_TIME" "$OUT/work/ci-$h" "tests/fuzz/corpus/$h" >"$log" 2>&1; then
      echo "-- fuzz_$h ${FUZZ_CI_TIME} s: ok ($(stat "$log" number_of_executed_units) executions)"
      passed=$((passed + 1))
    else
      echo "-- fuzz_$h ${FUZZ_CI_TIME} s: FAILED (log $log)"; tail -30 "$log"
      failed=$((failed + 1))
    fi
  done
  echo "fuzz: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}

run_long() {
  local h log rc start secs execs cov ft corp commit
  commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
  # Uncommitted changes outside the documentation make the binaries another commit's.
  git diff --quiet HEAD -- . ':!docs' ':!*.md' 2>/dev/null || commit="$commit+dirty"
  for h in "$@"; do
    prepare "$h" || return 1
    log=$OUT/logs/long-$h-$(date +%Y%m%dT%H%M%S).log
    echo "fuzz_$h: $FUZZ_TIME s, log $log"
    start=$(date +%s)
    nice -n 19 "$OUT/fuzz_$h" $(common_opts "$h") -max_total_time="$FUZZ_TIME" -runs="$FUZZ_RUNS" \
      "$OUT/work/$h" "tests/fuzz/corpus/$h" >"$log" 2>&1
    rc=$?
    secs=$(( $(date +%s) - start ))
    execs=$(stat "$log" number_of_executed_units)
    cov=$(grep -aoE 'cov: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+')
    ft=$(grep -aoE 'ft: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+')
    corp=$(grep -aoE 'corp: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+')
    [ -f "$OUT/campaigns.tsv" ] ||
      printf 'date\tcommit\tharness\texit\tseconds\texecutions\tcov_edges\tfeatures\tcorpus\n' >"$OUT/campaigns.tsv"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%Y-%m-%dT%H:%MZ)" "$commit" "$h" \
      "$rc" "$secs" "${execs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" >>"$OUT/campaigns.tsv"
    echo "fuzz_$h: exit $rc, $secs s, ${execs:-?} executions, cov ${cov:-?}, ft ${ft:-?}"
    [ "$rc" -eq 0 ] || { tail -40 "$log"; return 1; }
  done
}

run_merge() {
  local h new
  for h in "$@"; do
    prepare "$h" || return 1
    new=$OUT/merge-$h
    rm -rf "$new" && mkdir -p "$new"
    # -use_counters=0: one input per edge reached, not per hit-count bucket,
    # keeps the repository's corpus small; build/fuzz/work keeps the rest.
    "$OUT/fuzz_$h" $(common_opts "$h") -merge=1 -use_counters=0 "$new" "tests/fuzz/corpus/$h" "$OUT/work/$h" \
      >"$OUT/logs/merge-$h.log" 2>&1 || { tail -20 "$OUT/logs/merge-$h.log"; return 1; }
    # Past findings (finding-*) and hand-made seeds (seed-*) stay whatever they add.
    cp tests/fuzz/corpus/"$h"/finding-* tests/fuzz/corpus/"$h"/seed-* "$new"/ 2>/dev/null
    rm -f tests/fuzz/corpus/"$h"/* && cp "$new"/* "tests/fuzz/corpus/$h/"
    echo "fuzz_$h: corpus $(ls "tests/fuzz/corpus/$h" | wc -l) inputs, $(du -sh "tests/fuzz/corpus/$h" | cut -f1)"
  done
}

run_cov() {
  local h prof
  for h in "$@"; do
    prof=$OUT/cov-$h
    rm -rf "$prof" && mkdir -p "$prof"
    LLVM_PROFILE_FILE="$prof/%p.profraw" "$OUT/cov_$h" -runs=0 -max_len=$MAX_LEN \
      "tests/fuzz/corpus/$h" >"$prof/run.log" 2>&1 || { tail -20 "$prof/run.log"; return 1; }
    llvm-profdata merge -sparse "$prof"/*.profraw -o "$prof/all.profdata"
    echo "== fuzz_$h: line coverage of its corpus"
    llvm-cov report "$OUT/cov_$h" -instr-profile="$prof/all.profdata" \
      -ignore-filename-regex='tests/fuzz/.*' | grep -E '^(Filename|---|dt/|boot/|TOTAL)'
  done
}

case $mode in
  ci) run_ci "$@" ;;
  long) run_long "$@" ;;
  merge) run_merge "$@" ;;
  cov) run_cov "$@" ;;
  *) echo "run.sh: unknown mode $mode" >&2; exit 2 ;;
esac
