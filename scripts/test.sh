#!/usr/bin/env bash
# The whole test suite, or one layer of it:
#   scripts/test.sh [all|c|unit|netns|interop|ipvs|fuzz]
# Layers: the C core's own tests (plain and under ASan/UBSan) and a short fuzz
# run; TypeScript unit and contract tests; namespace topologies on this
# machine; interop with a real Heartbeat 3.0.6 node; IPVS in a qemu VM.
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
FUZZ_SECONDS=${FUZZ_SECONDS:-10}

say() { printf '\n==== %s\n' "$*"; }

# Test files only: compiled helpers under dist/test must not run as tests.
node_tests() {
  local dir=$1; shift
  [ -d "$dir" ] || { echo "no tests in $dir"; return 0; }
  mapfile -t files < <(find "$dir" -name '*.test.js' | sort)
  [ ${#files[@]} -gt 0 ] || { echo "no tests in $dir"; return 0; }
  node --test --test-reporter=spec "$@" "${files[@]}"
}

build_ts() { node_modules/.bin/tsc -p tsconfig.json; }

run_c()      { say "C core: tests"; make -s -C native test
               say "C core: tests under ASan+UBSan"; make -s -C native asan; }
run_fuzz()   { say "C core: fuzz targets, ${FUZZ_SECONDS}s each"; make -s -C native fuzz-run FUZZ_SECONDS="$FUZZ_SECONDS"; }
run_unit()   { say "TypeScript: unit and contract tests"; node_tests dist/test/unit; node_tests dist/test/contract; }
run_netns()  { say "network namespaces"; node_tests dist/test/netns --test-concurrency=1; }
run_interop(){ say "interop with real Heartbeat 3.0.6"; node_tests dist/test/interop --test-concurrency=1; }
run_ipvs()   { say "IPVS in a VM"; if [ -x test/vm/run-ipvs-suite.sh ]; then test/vm/run-ipvs-suite.sh; else echo "no IPVS suite yet"; fi; }

build_ts
case "$what" in
  all)     run_c; run_fuzz; run_unit; run_netns; run_interop; run_ipvs ;;
  c)       run_c ;;
  fuzz)    run_fuzz ;;
  unit)    run_unit ;;
  netns)   run_netns ;;
  interop) run_interop ;;
  ipvs)    run_ipvs ;;
  *) echo "usage: $0 [all|c|fuzz|unit|netns|interop|ipvs]" >&2; exit 2 ;;
esac
say "all requested tests passed ($what)"
