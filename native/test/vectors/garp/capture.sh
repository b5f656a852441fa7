#!/usr/bin/env bash
# Records the frames Heartbeat's address agents put on the wire, for the
# garp_msg.c tests and the namespace tests: resource-agents' send_arp (run by
# IPaddr, IPaddr2 and SendArp), send_ua (IPaddr2 for IPv6) and the IPv6addr
# agent itself.  Each runs in a private namespace whose eth0 has a fixed MAC;
# tcpdump on the other end of eth0's veth records everything, and
# pcap2vectors.py turns the captures into garp-captured.txt.  Root; the
# namespace is removed on exit.
#
#   native/test/vectors/garp/capture.sh [OUTDIR]   (default: this directory)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here}
ns=hbd-garpcap-$$
tmp=$(mktemp -d)
cleanup() { ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null || true
            ip netns del "$ns" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT

n() { ip -n "$ns" "$@"; }
ip netns add "$ns"
n link set lo up
n link add eth0 address 02:00:5e:10:00:01 type veth peer name eth0p address 02:00:5e:10:00:02
n link set eth0 up
n link set eth0p up
n addr add 10.0.0.1/24 brd + dev eth0
n addr add 2001:db8::1/64 dev eth0 nodad
n addr add 2001:db8::100/64 dev eth0 nodad   # send_ua binds to the address it announces
sleep 2                                       # let link-local DAD and MLD settle

# capture LABEL COMMAND...: the frames COMMAND causes, into $tmp/LABEL.pcap
capture() {
  local label=$1; shift
  ip netns exec "$ns" tcpdump -i eth0p -w "$tmp/$label.pcap" -U 2> "$tmp/$label.err" &
  local pid=$!
  until grep -qs "listening on" "$tmp/$label.err"; do sleep 0.1; done
  echo "$label: ${*//$tmp\//}" >> "$tmp/commands.txt"
  ip netns exec "$ns" "$@"
  sleep 1.2
  kill -INT $pid; wait $pid || true
}

capture send_arp-ipaddr2 /usr/libexec/heartbeat/send_arp -i 200 -r 3 -p "$tmp/sa.pid" eth0 10.0.0.100 auto not_used not_used
capture send_arp-ipaddr  /usr/libexec/heartbeat/send_arp -i 500 -r 2 -p "$tmp/sa.pid" eth0 10.0.0.101 auto 10.0.0.101 ffffffffffff
capture send_ua          /usr/libexec/heartbeat/send_ua -i 200 -c 2 2001:db8::100 64 eth0
capture ipv6addr-start   env OCF_ROOT=/usr/lib/ocf OCF_RESKEY_ipv6addr=2001:db8::200/64 OCF_RESKEY_nic=eth0 \
                             /usr/lib/ocf/resource.d/heartbeat/IPv6addr start

for f in "$tmp"/*.pcap; do cp "$f" "$out/"; done
{ uname -r; dpkg-query -W -f='resource-agents ${Version}\n' resource-agents 2>/dev/null || true; } > "$tmp/kernel.txt"
python3 "$here/pcap2vectors.py" "$tmp/commands.txt" "$tmp/kernel.txt" "$out"/*.pcap > "$out/garp-captured.txt"
echo "wrote $out/garp-captured.txt"
