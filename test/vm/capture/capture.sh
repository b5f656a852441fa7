#!/usr/bin/env bash
# Captures what ipvsadm (the reference client) sends over generic netlink and
# what the kernel answers, for the C core's known-answer tests.  Runs INSIDE
# the IPVS VM, from the repository root:
#
#   test/vm/run-in-vm.sh 'test/vm/capture/capture.sh native/test/vectors/ipvs'
#   python3 test/vm/capture/pcap2vectors.py native/test/vectors/ipvs
#
# Every netlink message of the root namespace is recorded by an nlmon device;
# each ipvsadm run uses its own netlink port id, so the converter splits the
# capture per command with commands.txt (one line per ipvsadm run, in order).
set -euo pipefail
out=${1:?usage: capture.sh OUTDIR}
[ -n "${IPVS_VM:-}" ] || { echo "capture.sh: run me inside the VM (test/vm/run-in-vm.sh)" >&2; exit 2; }
mkdir -p "$out"
work=$(mktemp -d)

# A director with a VIP on a dummy device and one real server in a netns,
# so that the dumps carry real connection counts and statistics.
ip link add vip0 type dummy
ip addr add 10.0.0.100/24 dev vip0
ip addr add 2001:db8::100/64 dev vip0 nodad
ip link set vip0 up
ip netns add rs1
ip link add rs0 type veth peer name eth0 netns rs1
ip addr add 10.0.1.1/24 dev rs0
ip link set rs0 up
ip -n rs1 addr add 10.0.1.2/24 dev eth0
ip -n rs1 link set eth0 up
ip -n rs1 link set lo up
ip -n rs1 route add default via 10.0.1.1
ip netns add cl
ip link add cl0 type veth peer name eth0 netns cl
ip addr add 10.0.2.1/24 dev cl0
ip link set cl0 up
ip -n cl addr add 10.0.2.2/24 dev eth0
ip -n cl link set eth0 up
ip -n cl link set lo up
ip -n cl route add default via 10.0.2.1
sysctl -qw net.ipv4.ip_forward=1
mkdir -p "$work/www"
echo rs1 >"$work/www/index.html"
ip netns exec rs1 busybox httpd -p 80 -h "$work/www"
modprobe ip_vs_pe_sip
modprobe nlmon
ip link add nlmon0 type nlmon
ip link set nlmon0 up
tcpdump -i nlmon0 -U -s 0 -w "$work/ipvs.pcap" 2>"$work/tcpdump.log" &
tcpdump_pid=$!
sleep 2

: >"$work/commands.txt"
run() { # label, then the ipvsadm arguments
    local label=$1
    shift
    echo "$label ipvsadm $*" >>"$work/commands.txt"
    ipvsadm "$@" >"$work/$label.out" 2>&1 || echo "exit=$?" >>"$work/$label.out"
}

# services
run svc-add-tcp4          -A -t 10.0.0.100:80 -s rr
run svc-add-udp4-persist  -A -u 10.0.0.100:53 -s wlc -p 600 -M 255.255.255.0 -o
run svc-add-sctp4-sh      -A --sctp-service 10.0.0.100:3868 -s sh -b sh-fallback,sh-port
run svc-add-fwm4          -A -f 7 -s wrr -p
run svc-add-tcp6-persist  -A -t '[2001:db8::100]:443' -s lc -p 120 -M 64
run svc-add-fwm6          -A -f 9 -6 -s rr
run svc-add-pe-sip        -A -u 10.0.0.100:5060 -s rr -p 60 --pe sip
run svc-edit-tcp4         -E -t 10.0.0.100:80 -s wlc
run svc-add-exists        -A -u 10.0.0.100:53 -s rr
# destinations
run dst-add-masq          -a -t 10.0.0.100:80 -r 10.0.1.2:80 -m -w 1
# traffic through the NAT service, so counters and connections are not zero
for i in 1 2 3; do
    ip netns exec cl timeout 20 bash -c 'exec 3<>/dev/tcp/10.0.0.100/80 &&
        printf "GET / HTTP/1.0\r\n\r\n" >&3 && cat <&3 >/dev/null' ||
        echo "capture.sh: request $i through the VIP failed" >&2
done
run dst-add-thresholds    -a -t 10.0.0.100:80 -r 10.0.0.3:8080 -m -w 2 -x 100 -y 50
run dst-add-route-w0      -a -t 10.0.0.100:80 -r 10.0.0.4 -g -w 0
run dst-add-tun-ipip      -a -t 10.0.0.100:80 -r 10.0.0.7 -i -w 1
run dst-add-tun-gue       -a -t 10.0.0.100:80 -r 10.0.0.5 -i --tun-type gue --tun-port 6080 --tun-csum -w 3
run dst-add-tun-gre       -a -t 10.0.0.100:80 -r 10.0.0.6 -i --tun-type gre --tun-nocsum -w 4
run dst-add-tun-remcsum   -a -f 7 -r 10.0.0.8 -i --tun-type gue --tun-port 6081 --tun-remcsum
run dst-add-tcp6          -a -t '[2001:db8::100]:443' -r '[2001:db8::2]:443' -m -w 5
run dst-add-fwm6          -a -f 9 -6 -r '[2001:db8::3]:80' -g
run dst-edit-weight       -e -t 10.0.0.100:80 -r 10.0.0.3:8080 -m -w 10 -x 0 -y 0
run dst-del               -d -t 10.0.0.100:80 -r 10.0.0.4
run dst-del-missing       -d -t 10.0.0.100:80 -r 10.0.0.99:80
run dst-add-nosvc         -a -t 10.9.9.9:1 -r 10.0.0.2:1 -m
# timeouts and sync daemons
run cfg-set               --set 901 121 301
run cfg-get               -L --timeout
run daemon-start-master   --start-daemon master --mcast-interface vip0 --syncid 7
run daemon-start-backup   --start-daemon backup --mcast-interface vip0 --syncid 8 --sync-maxlen 1400 --mcast-group 239.1.2.3 --mcast-port 9000 --mcast-ttl 2
run daemon-list           -L --daemon
run daemon-stop-master    --stop-daemon master
run daemon-start-master6  --start-daemon master --mcast-interface vip0 --mcast-group ff02::1:81
run daemon-list6          -L --daemon
run daemon-stop-backup    --stop-daemon backup
run daemon-stop-master6   --stop-daemon master
run daemon-stop-missing   --stop-daemon master
# listings
run list                  -L -n
run list-stats            -L -n --stats --exact
run list-one              -L -n -t 10.0.0.100:80
# zero, delete, flush
run zero-one              -Z -t 10.0.0.100:80
run zero-all              -Z
run svc-del               -D -t '[2001:db8::100]:443'
run svc-del-missing       -D -t 10.9.9.9:1
run flush                 -C
run list-empty            -L -n

sleep 1
kill -INT $tcpdump_pid
wait $tcpdump_pid || true
cp "$work/ipvs.pcap" "$work/commands.txt" "$out/"
mkdir -p "$out/ipvsadm-output"
for f in "$work"/*.out; do cp "$f" "$out/ipvsadm-output/"; done
uname -r >"$out/kernel.txt"
ipvsadm --version >>"$out/kernel.txt" 2>&1 || true
rm -rf "$work"
ip netns del rs1
ip netns del cl
echo "capture.sh: $(wc -l <"$out/commands.txt") commands captured into $out"
