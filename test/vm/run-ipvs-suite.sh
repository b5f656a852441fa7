#!/usr/bin/env bash
# run-ipvs-suite.sh - every IPVS test that needs a real kernel, in ONE VM.
#
#   test/vm/run-ipvs-suite.sh            build what is stale, then boot and test
#   test/vm/run-ipvs-suite.sh --no-build use dist/, build/ and native/out/ as they are
#
# On the host: brings the TypeScript (tsc, incremental), the addon (node-gyp,
# when a native source is newer than build/Release/hbd_native.node) and the C
# core's test_ipvs_ops (plain and ASan) up to date; then one
#   run-in-vm.sh -t 1500 'node --test --test-concurrency=1 dist/test/vm/*.test.js'
# whose guest runs the very same files, node and glibc.  Exit status: the
# tests' (124 timeout, 125 the VM itself failed).  `npm run test:ipvs` and
# the ipvs layer of scripts/test.sh call this script.
set -euo pipefail
cd "$(dirname "$0")/../.."
HERE=test/vm

build=1
case "${1:-}" in
--no-build) build=0 ;;
"") ;;
*) echo "usage: $0 [--no-build]" >&2; exit 2 ;;
esac

t0=$(date +%s)
if [ "$build" = 1 ]; then
    echo "run-ipvs-suite: TypeScript"
    node_modules/.bin/tsc -p tsconfig.json

    addon=build/Release/hbd_native.node
    if [ ! -f "$addon" ] || [ -n "$(find native/src native/include native/addon binding.gyp -newer "$addon" \
        \( -name '*.c' -o -name '*.h' -o -name '*.cc' -o -name 'binding.gyp' \) -print -quit)" ]; then
        echo "run-ipvs-suite: native addon"
        if [ -f build/config.gypi ]; then
            node_modules/.bin/node-gyp build --silent
        else
            npm run --silent build:native
        fi
    fi

    echo "run-ipvs-suite: C core test_ipvs_ops (plain, ASan)"
    make -s -C native out/test/test_ipvs_ops out/asan/test/test_ipvs_ops
fi

mapfile -t files < <(find dist/test/vm -name '*.test.js' | sort)
[ ${#files[@]} -gt 0 ] || { echo "run-ipvs-suite: no dist/test/vm/*.test.js (build first)" >&2; exit 1; }
quoted=$(printf " '%s'" "${files[@]}")
t1=$(date +%s)
echo "run-ipvs-suite: ${#files[@]} test files in one VM (build took $((t1 - t0)) s)"

set +e
"$HERE/run-in-vm.sh" -t 1500 "node --test --test-concurrency=1 --test-reporter=spec$quoted"
rc=$?
set -e
echo "run-ipvs-suite: VM run took $(($(date +%s) - t1)) s, exit $rc"
exit $rc
