#!/usr/bin/env bash
# Records what iproute2's `ip` sends over rtnetlink and what the kernel
# answers, for the rtnl_msg.c tests.  Runs every command of commands.txt
# under strace (hex dumps of every sendmsg/recvmsg) inside a private network
# namespace with a fixed topology, then converts the trace with
# strace2vectors.py.  Root; the namespace is removed on exit.
#
#   native/test/vectors/rtnl/capture.sh [OUTDIR]     (default: this directory)
#
# Topology (namespace hbd-rtnlcap-<pid>), MACs fixed so link-local addresses
# and frames are the same on every run:
#   eth0 02:00:5e:10:00:01  10.0.0.1/24 brd +   2001:db8::1/64 nodad
#   eth1 02:00:5e:10:00:11  192.168.5.1/24 brd +  2001:db8:5::1/64 nodad
#   (peers eth0p/eth1p in the same namespace, up)
#   routes: default via 10.0.0.254; 172.16.0.0/16 via 10.0.0.254;
#           10.0.0.0/24 dev eth1 metric 200 (a second, worse connected route)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here}
ns=hbd-rtnlcap-$$
trace=$(mktemp)
cleanup() { ip netns del "$ns" 2>/dev/null || true; rm -f "$trace"; }
trap cleanup EXIT

n() { ip -n "$ns" "$@"; }
ip netns add "$ns"
n link set lo up
n link add eth0 address 02:00:5e:10:00:01 type veth peer name eth0p address 02:00:5e:10:00:02
n link add eth1 address 02:00:5e:10:00:11 type veth peer name eth1p address 02:00:5e:10:00:12
for i in eth0 eth0p eth1 eth1p; do n link set "$i" up; done
n addr add 10.0.0.1/24 brd + dev eth0
n addr add 2001:db8::1/64 dev eth0 nodad
n addr add 192.168.5.1/24 brd + dev eth1
n addr add 2001:db8:5::1/64 dev eth1 nodad
n route add default via 10.0.0.254
n route add 172.16.0.0/16 via 10.0.0.254
n route add 10.0.0.0/24 dev eth1 metric 200

: > "$out/ip-output.txt"
while read -r label cmd; do
  case "$label" in ''|'#'*) continue ;; esac
  echo "@@ $label" >> "$trace"
  # shellcheck disable=SC2086
  ip netns exec "$ns" strace -o "$trace.one" -e trace=sendmsg,recvmsg,sendto,recvfrom \
     -e write=all -e read=all -x -s 0 $cmd >> "$out/ip-output.txt" 2>&1 || true
  cat "$trace.one" >> "$trace"
  rm -f "$trace.one"
done < "$here/commands.txt"
{ uname -r; ip -V; } > "$out/kernel.txt"
python3 "$here/strace2vectors.py" "$trace" "$here/commands.txt" "$out/kernel.txt" > "$out/ip-captured.txt"
echo "wrote $out/ip-captured.txt"
