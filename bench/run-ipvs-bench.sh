#!/usr/bin/env bash
# run-ipvs-bench.sh - the IPVS benches (npm run bench:ipvs):
#   1. bench/ipvs-apply.ts in the project's VM (test/vm/run-in-vm.sh: Debian's
#      kernel with IPVS; this host kernel has none): apply / reload / list a
#      table of N services x M real servers, hbd vs ipvsadm vs ldirectord;
#   2. bench/checks-throughput.ts on the host: hbd's checks vs the real
#      ldirectord (fork=no, fork=yes) on the same ldirectord.cf;
#   3. bench/ipvs-report.ts: merges both into bench/results/ipvs.json and
#      prints the Markdown tables of bench/README.md.
#
#   bench/run-ipvs-bench.sh                 everything (about 2 h on a 2-vCPU TCG host)
#   bench/run-ipvs-bench.sh --apply-only    only 1 (+3; the checks rows already in ipvs.json stay)
#   bench/run-ipvs-bench.sh --checks-only   only 2 (+3)
#   options: --no-build (use dist/ as it is), --reps N,
#            --sizes 10x1,10x10,... (apply), --seconds S (checks window),
#            --ldirectord-max N (apply: real ldirectord up to N real servers),
#            --per-op-max N (apply: ipvsadm one process per entry up to N entries)
#
# The two never run at the same time (the VM's emulation would take the CPU
# the checks need). Does not build the native addon: it must be there.
set -euo pipefail
cd "$(dirname "$0")/.."

apply=1 checks=1 build=1 reps=3 sizes="" seconds="" ldmax="" perop=""
while [ $# -gt 0 ]; do
    case "$1" in
    --apply-only) checks=0 ;;
    --checks-only) apply=0 ;;
    --no-build) build=0 ;;
    --reps) reps="$2"; shift ;;
    --sizes) sizes="$2"; shift ;;
    --seconds) seconds="$2"; shift ;;
    --ldirectord-max) ldmax="$2"; shift ;;
    --per-op-max) perop="$2"; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "run-ipvs-bench: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done

[ -f build/Release/hbd_native.node ] || { echo "run-ipvs-bench: build/Release/hbd_native.node missing: npm run build:native first" >&2; exit 1; }
if [ "$build" = 1 ]; then
    echo "run-ipvs-bench: TypeScript"
    node_modules/.bin/tsc -p tsconfig.json
fi
for f in dist/bench/ipvs-apply.js dist/bench/checks-throughput.js dist/bench/ipvs-report.js; do
    [ -f "$f" ] || { echo "run-ipvs-bench: $f missing (build first)" >&2; exit 1; }
done

tmp=$(mktemp -d /tmp/hbd-ipvs-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
report=()
status=0
# process start cost on the host, to compare with the VM's (see README)
cal=$(mktemp /tmp/hbd-ipvs-cal.XXXXXX); for _ in $(seq 100); do echo /bin/true; done >"$cal"
t0=$(date +%s%N); sh "$cal"; t1=$(date +%s%N); rm -f "$cal"
startms=$(awk "BEGIN{printf \"%.2f\", ($t1 - $t0) / 100 / 1e6}")
host="$(nproc) CPU $(sed -n 's/^model name\s*:\s*//p' /proc/cpuinfo | head -1), kernel $(uname -r), process start ${startms} ms"

if [ "$apply" = 1 ]; then
    extra=""
    [ -n "$sizes" ] && extra="$extra --sizes $sizes"
    [ -n "$ldmax" ] && extra="$extra --ldirectord-max $ldmax"
    [ -n "$perop" ] && extra="$extra --per-op-max $perop"
    echo "run-ipvs-bench: apply bench in the VM (host: $host, load $(cut -d' ' -f1-3 /proc/loadavg))"
    t0=$(date +%s)
    # -w: the part file comes back through a second read-write share
    set +e
    test/vm/run-in-vm.sh -t 21600 -w "$tmp" "node dist/bench/ipvs-apply.js --reps $reps$extra --out $tmp/apply.json"
    rc=$?
    set -e
    echo "run-ipvs-bench: VM run took $(($(date +%s) - t0)) s, exit $rc (host load now $(cut -d' ' -f1-3 /proc/loadavg))"
    # a run cut short still wrote what it measured ("complete": false)
    [ -f "$tmp/apply.json" ] && report+=(--apply "$tmp/apply.json")
    [ "$rc" = 0 ] || status=$rc
fi

if [ "$checks" = 1 ]; then
    extra=""
    [ -n "$seconds" ] && extra="$extra --seconds $seconds"
    echo "run-ipvs-bench: checks bench on the host ($host, load $(cut -d' ' -f1-3 /proc/loadavg))"
    # shellcheck disable=SC2086
    node dist/bench/checks-throughput.js --reps "$reps" $extra --out "$tmp/checks.json"
    report+=(--checks "$tmp/checks.json")
fi

[ ${#report[@]} -gt 0 ] && node dist/bench/ipvs-report.js "${report[@]}" --host-notes "$host $(date -u +%Y-%m-%d)"
exit $status
