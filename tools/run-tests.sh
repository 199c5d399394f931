#!/usr/bin/env bash
# `make test`: build, run every test layer, print one closing line
#   N passed, M failed
# (DESIGN.md §2).  Layers: unit (cmocka binaries, build/host/test_*),
# fuzz (libFuzzer harnesses, tests/fuzz: each replays its corpus and fuzzes
# a few seconds, two tests per harness), system (pytest, tests/system) and
# linux (pytest, tests/linux: Debian's kernel and busybox, fetched by
# `make linux`).  A layer whose build fails, or that runs
# nothing, counts as one failed test.  Exit status 0 only when M == 0 and
# something ran.  Per-layer output goes to build/test-results/.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

PYTHON=/usr/bin/python3     # Debian's, with pytest (DESIGN.md §1)
RESULTS=build/test-results
UNIT_TIMEOUT=300            # seconds per unit-test binary: a hang is a failure
JOBS=$(nproc 2>/dev/null || echo 1)

passed=0
failed=0
mkdir -p "$RESULTS"

# layer_summary <layer> <passed> <failed> [note]: adds to the totals.
layer_summary() {
  passed=$((passed + $2))
  failed=$((failed + $3))
  echo "== $1: $2 passed, $3 failed${4:+ ($4)}"
}

# unit_bins: the binaries the Makefile builds now (never stale leftovers).
unit_bins() {
  local mk="$RESULTS/print-unit-bins.mk"
  printf 'print-unit-bins:\n\t@echo $(UNIT_BINS)\n' >"$mk"
  make --no-print-directory -s -f Makefile -f "$mk" print-unit-bins
}

# cmocka_count <log> <PASSED|FAILED>: sum of its "[  X  ] N test(s)" lines.
cmocka_count() {
  grep -aoE "^\[  $2  \] [0-9]+ test" "$1" | awk '{ n += $(NF - 1) } END { print n + 0 }'
}

run_unit_layer() {
  echo "== unit: building"
  if ! make -j"$JOBS" unit-build; then
    layer_summary unit 0 1 "build failed"
    return
  fi
  local bins p=0 f=0 n=0 t log rc tp tf
  bins=$(unit_bins) || { layer_summary unit 0 1 "cannot list UNIT_BINS"; return; }
  for t in $bins; do
    n=$((n + 1))
    log="$RESULTS/$(basename "$t").log"
    timeout "$UNIT_TIMEOUT" "$t" >"$log" 2>&1
    rc=$?
    cat "$log"
    tp=$(cmocka_count "$log" PASSED)
    tf=$(cmocka_count "$log" FAILED)
    # A crash (sanitizer, signal, timeout) may leave no FAILED count.
    if [ "$rc" -ne 0 ] && [ "$tf" -eq 0 ]; then tf=1; fi
    if [ $((tp + tf)) -eq 0 ]; then tf=1; fi
    echo "-- $(basename "$t"): $tp passed, $tf failed (exit $rc)"
    p=$((p + tp))
    f=$((f + tf))
  done
  if [ "$n" -eq 0 ]; then
    layer_summary unit 0 1 "no unit-test binaries"
  else
    layer_summary unit "$p" "$f" "$n binaries"
  fi
}

run_fuzz_layer() {
  echo "== fuzz: building"
  if ! make -j"$JOBS" fuzz-build; then
    layer_summary fuzz 0 1 "build failed"
    return
  fi
  local log="$RESULTS/fuzz.log" counts p f
  make --no-print-directory fuzz-ci 2>&1 | tee "$log"
  counts=$(grep -aoE '^fuzz: [0-9]+ passed, [0-9]+ failed$' "$log" | tail -1)
  if [ -z "$counts" ]; then
    layer_summary fuzz 0 1 "no result line"
    return
  fi
  read -r _ p _ f _ <<<"$counts"
  layer_summary fuzz "$p" "$f" "tests/fuzz/run.sh ci"
}

# junit_count <xml>: "<passed> <failed>" per test case (a case with both a
# failure and a teardown error counts once).
junit_count() {
  "$PYTHON" - "$1" <<'EOF'
import sys
import xml.etree.ElementTree as ET
passed = failed = 0
for case in ET.parse(sys.argv[1]).iter("testcase"):
    tags = {child.tag for child in case}
    if tags & {"failure", "error"}:
        failed += 1
    elif "skipped" not in tags:
        passed += 1
print(passed, failed)
EOF
}

# run_pytest_layer NAME DIR BUILD-TARGET: build, then pytest DIR with a junit report.
run_pytest_layer() {
  local name=$1 dir=$2 target=$3
  echo "== $name: building"
  if ! make -j"$JOBS" $target; then
    layer_summary "$name" 0 1 "build failed"
    return
  fi
  local xml="$RESULTS/$name.xml" rc counts p f
  rm -f "$xml"
  "$PYTHON" -m pytest "$dir" -q -p no:cacheprovider --junitxml="$xml"
  rc=$?
  if [ "$rc" -eq 5 ]; then
    layer_summary "$name" 0 1 "pytest collected no tests"
    return
  fi
  if [ ! -f "$xml" ] || ! counts=$(junit_count "$xml"); then
    layer_summary "$name" 0 1 "pytest exit $rc, no junit report"
    return
  fi
  read -r p f <<<"$counts"
  # Interrupted, internal or usage errors may leave no failed case behind.
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  layer_summary "$name" "$p" "$f" "pytest exit $rc"
}

run_unit_layer
run_fuzz_layer
run_pytest_layer system tests/system all
run_pytest_layer linux tests/linux "all linux"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
