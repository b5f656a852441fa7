#!/usr/bin/env bash
# run-in-vm.sh - run one shell command as root under Debian's own kernel
# (linux-image-amd64, IPVS as modules) in a throw-away QEMU VM whose root
# filesystem is this machine's / (9p, read-only, with a tmpfs overlay so the
# guest can write anywhere; those writes vanish).  The current directory is
# shared read-write at the same path.  The command's stdout and stderr come
# back separately and the script exits with the command's status.
#
#   test/vm/run-in-vm.sh 'modprobe ip_vs && ipvsadm -A -t 10.0.0.1:80 -s rr && ipvsadm -Ln'
#   test/vm/run-in-vm.sh -t 1500 'node --test dist/test/vm/a.test.js'
#
# Options:
#   -t SECONDS  kill the VM after this long (default 600); exit status 124
#   -m MIB      guest memory (default 1024)
#   -c N        vCPUs (default 2)
#   -w DIR      also share DIR read-write at the same path (repeatable)
#   -W          do not share the current directory
#   -a MODE     accelerator: kvm, tcg or auto (default; KVM only with a loaded
#               kvm_intel/kvm_amd and a writable /dev/kvm)
#   -v          copy the guest's console to stderr after the run
#   -h          this text
#
# Exit status: the command's, 124 on timeout, 125 when the VM itself failed
# (the tails of the console and qemu logs are printed), 130/143 on SIGINT/TERM.
#
# Environment:
#   IPVS_VM_CACHE    kernel cache, outside the repository (default /var/cache/hbd-ipvs-vm)
#   IPVS_VM_PKG      kernel package to use instead of linux-image-amd64's dependency
#   IPVS_VM_TB_SIZE  TCG translation cache in MiB (e.g. 128 caps qemu's RSS)
#   IPVS_VM_PRELOAD  modules loaded at boot from the initramfs (default: crc32c,
#                    ip_vs and its rr/wrr/lc/wlc/sh schedulers, nf_conntrack, veth, dummy)
#
# Inside the guest: IPVS_VM=1, the caller's environment, the same working
# directory, stdin from /dev/null, no network device (use netns + veth).
# First use downloads and unpacks the kernel package (~70 MB) into the cache
# (serialised with flock); later runs reuse it.  Needs qemu-system-x86,
# busybox-static, apt/dpkg, xz-utils; kmod's depmod is used when present.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${IPVS_VM_CACHE:-/var/cache/hbd-ipvs-vm}
PRELOAD=${IPVS_VM_PRELOAD:-crc32c_generic crc32c_intel ip_vs ip_vs_rr ip_vs_wrr ip_vs_lc ip_vs_wlc ip_vs_sh nf_conntrack veth dummy}
BOOT_MODULES="virtio_pci virtio_console virtio_rng 9pnet_virtio 9p overlay"

timeout_s=600 mem=1024 cpus=2 accel=auto verbose=0 share_cwd=1
shares=()

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'; }
die() { echo "run-in-vm.sh: $*" >&2; exit 125; }

while getopts ':t:m:c:w:Wa:vh' opt; do
    case $opt in
    t) timeout_s=$OPTARG ;;
    m) mem=$OPTARG ;;
    c) cpus=$OPTARG ;;
    w) shares+=("$(cd "$OPTARG" && pwd)") ;;
    W) share_cwd=0 ;;
    a) accel=$OPTARG ;;
    v) verbose=1 ;;
    h) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || { usage >&2; exit 2; }
cmd="$*"
[[ $timeout_s =~ ^[0-9]+$ && $mem =~ ^[0-9]+$ && $cpus =~ ^[0-9]+$ ]] || die "-t, -m and -c take numbers"
[ "$share_cwd" = 1 ] && shares=("$PWD" "${shares[@]}")
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 is missing (apt-get install qemu-system-x86)"

log() { [ "$verbose" = 1 ] && echo "run-in-vm.sh: $*" >&2; return 0; }

# ------------------------------------------------------------------ kernel cache

find_busybox() {
    local b
    for b in /bin/busybox /usr/bin/busybox "$CACHE/busybox"; do
        if [ -x "$b" ] && LC_ALL=C ldd "$b" 2>&1 | grep -q 'not a dynamic'; then
            echo "$b"; return 0
        fi
    done
    # No static busybox on the host: take Debian's busybox-static into the cache.
    local tmp
    tmp=$(mktemp -d)
    (cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root busybox-static >/dev/null 2>&1) ||
        { rm -rf "$tmp"; return 1; }
    dpkg -x "$tmp"/busybox-static_*.deb "$tmp/x" && cp "$tmp/x/bin/busybox" "$CACHE/busybox"
    rm -rf "$tmp"
    echo "$CACHE/busybox"
}

# The package linux-image-amd64 depends on now; apt-cache costs ~1 s, so the
# answer is remembered for 6 hours.
resolve_pkg() {
    [ -n "${IPVS_VM_PKG:-}" ] && { echo "$IPVS_VM_PKG"; return; }
    local memo=$CACHE/.resolved pkg
    if [ -s "$memo" ] && [ -n "$(find "$memo" -mmin -360 2>/dev/null)" ]; then
        cat "$memo"
        return
    fi
    pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
    if [ -z "$pkg" ]; then
        apt-get update -q >/dev/null 2>&1 || true
        pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
    fi
    [ -n "$pkg" ] && echo "$pkg" >"$memo"
    echo "$pkg"
}

# newest complete cache entry (fallback when the package cannot be downloaded)
newest_cached() {
    local d best=
    for d in "$CACHE"/linux-image-*; do
        [ -f "$d/.complete" ] && best=$d
    done
    [ -n "$best" ] && basename "$best"
}

build_kernel() { # $1 = package; fills $CACHE/$1
    local pkg=$1 dir=$CACHE/$1 tmp kver
    rm -rf "$dir"
    tmp=$(mktemp -d "$CACHE/.dl.XXXXXX")
    echo "run-in-vm.sh: downloading $pkg into $CACHE (first use)" >&2
    if ! (cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root "$pkg" >/dev/null); then
        rm -rf "$tmp"; return 1
    fi
    mkdir -p "$dir"
    dpkg -x "$tmp"/*.deb "$dir/root"
    rm -rf "$tmp"
    kver=$(ls "$dir/root/lib/modules" | head -1)
    [ -n "$kver" ] || die "no module tree in $pkg"
    # Drivers no VM of ours needs: 390 -> 210 MB and a faster depmod.
    local k=$dir/root/lib/modules/$kver/kernel
    rm -rf "$k/sound" "$k"/drivers/{gpu,media,net/wireless,infiniband,staging,bluetooth,iio,usb,hid,input} \
        "$k/net/bluetooth"
    # The package's postinst would make modules.dep: busybox modprobe reads the
    # text files, kmod's needs the .bin indexes that only kmod's depmod writes.
    "$BUSYBOX" depmod -b "$dir/root" "$kver"
    if command -v depmod >/dev/null && depmod -V 2>/dev/null | grep -q kmod; then
        depmod -b "$dir/root" "$kver"
    fi
    # Uncompressed ELF for QEMU's PVH entry: 3.5 s faster than the bzImage
    # under TCG.  The xz stream starts at the first FD 37 7A 58 5A 00.
    local vmlinuz=$dir/root/boot/vmlinuz-$kver off
    off=$(LC_ALL=C grep -abo $'\xfd7zXZ' "$vmlinuz" | head -1 | cut -d: -f1 || true)
    if [ -n "$off" ]; then
        tail -c +$((off + 1)) "$vmlinuz" | xz -dc --single-stream >"$dir/vmlinux" 2>/dev/null || true
        if [ "$(head -c 4 "$dir/vmlinux" 2>/dev/null | od -An -tx1 | tr -d ' ')" != 7f454c46 ]; then
            rm -f "$dir/vmlinux"
        fi
    fi
    echo "$kver" >"$dir/kver"
    touch "$dir/.complete"
}

build_initramfs() { # $1 = cache dir, $2 = output
    local dir=$1 out=$2 kver tmp
    kver=$(cat "$dir/kver")
    local mods=$dir/root/lib/modules/$kver
    tmp=$(mktemp -d "$CACHE/.initrd.XXXXXX")
    mkdir -p "$tmp"/{proc,sys,dev,run,tmp,mnt,newroot,bin,sbin,usr/bin,usr/sbin,etc,lib/modules/$kver}
    cp "$BUSYBOX" "$tmp/bin/busybox"
    cp "$HERE/guest/init" "$tmp/init"
    cp "$HERE/guest/stage2" "$tmp/stage2"
    chmod 755 "$tmp/init" "$tmp/stage2"
    echo "$PRELOAD" >"$tmp/etc/ipvs-vm-preload"
    # Every wanted module with its dependencies (modules.dep lines are already
    # transitive), their modules.dep lines and the aliases that point to them.
    local sel=$tmp/.modules
    awk -v want="$BOOT_MODULES $PRELOAD" '
        function name(p) { sub(/.*\//, "", p); sub(/\.ko.*$/, "", p); gsub(/-/, "_", p); return p }
        BEGIN { n = split(want, w, " "); for (i = 1; i <= n; i++) { x = w[i]; gsub(/-/, "_", x); wanted[x] = 1 } }
        { t = $1; sub(/:$/, "", t); line[t] = $0
          if (name(t) in wanted) { keep[t] = 1; found[name(t)] = 1; for (i = 2; i <= NF; i++) keep[$i] = 1 } }
        END { for (t in keep) print "file", t
              for (t in keep) print "dep", line[t]
              for (x in wanted) if (!(x in found)) print "missing", x }' "$mods/modules.dep" >"$sel"
    sed -n 's/^file //p' "$sel" | while read -r m; do
        mkdir -p "$tmp/lib/modules/$kver/$(dirname "$m")"
        cp "$mods/$m" "$tmp/lib/modules/$kver/$m"
    done
    sed -n 's/^dep //p' "$sel" >"$tmp/lib/modules/$kver/modules.dep"
    sed -n 's/^missing //p' "$sel" | while read -r m; do
        echo "run-in-vm.sh: warning: module $m is not in $kver" >&2
    done
    awk 'NR == FNR { t = $1; sub(/:$/, "", t); sub(/.*\//, "", t); sub(/\.ko.*$/, "", t); gsub(/-/, "_", t); keep[t] = 1; next }
        $1 == "alias" && ($3 in keep)' "$tmp/lib/modules/$kver/modules.dep" "$mods/modules.alias" \
        >"$tmp/lib/modules/$kver/modules.alias"
    rm -f "$sel"
    (cd "$tmp" && find . | "$BUSYBOX" cpio -o -H newc 2>/dev/null) >"$out.tmp"
    mv "$out.tmp" "$out"
    rm -rf "$tmp"
}

prepare_cache() {
    mkdir -p "$CACHE"
    exec 8>"$CACHE/.lock"
    flock 8
    BUSYBOX=$(find_busybox) || die "no static busybox (apt-get install busybox-static)"
    PKG=$(resolve_pkg)
    if [ -z "$PKG" ] || { [ ! -f "$CACHE/$PKG/.complete" ] && ! build_kernel "$PKG"; }; then
        PKG=$(newest_cached) || die "cannot resolve or download linux-image-amd64's kernel, and nothing is cached"
        echo "run-in-vm.sh: using the cached $PKG" >&2
    fi
    KDIR=$CACHE/$PKG
    KVER=$(cat "$KDIR/kver")
    # The initramfs depends on the guest scripts and the module list.
    local key
    key=$(cat "$HERE/guest/init" "$HERE/guest/stage2" "$BUSYBOX" <(echo "$BOOT_MODULES $PRELOAD") | sha1sum | cut -c1-12)
    INITRD=$KDIR/initramfs-$key.cpio
    if [ ! -f "$INITRD" ]; then
        rm -f "$KDIR"/initramfs-*.cpio
        build_initramfs "$KDIR" "$INITRD"
    fi
    KERNEL=$KDIR/vmlinux
    [ -f "$KERNEL" ] || KERNEL=$KDIR/root/boot/vmlinuz-$KVER
    flock -u 8
    exec 8>&-
}

prepare_cache

# ------------------------------------------------------------------ the run

RUN=$(mktemp -d /tmp/hbd-ipvs-vm.XXXXXX)
chmod 755 "$RUN"
qemu_pid= relay_pids=()

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    [ -n "$qemu_pid" ] && kill "$qemu_pid" 2>/dev/null && wait "$qemu_pid" 2>/dev/null
    for f in out err; do
        [ -p "$RUN/$f" ] && { exec 9<>"$RUN/$f"; exec 9>&-; }
    done
    for p in "${relay_pids[@]}"; do wait "$p" 2>/dev/null || true; done
    rm -rf "$RUN"
    exit "$rc"
}
on_signal() { trap - INT TERM; echo "run-in-vm.sh: interrupted" >&2; exit "$1"; }
trap cleanup EXIT
trap 'on_signal 130' INT
trap 'on_signal 143' TERM

# The guest's script: the caller's environment, IPVS_VM=1, cwd, the command.
{
    while IFS= read -r -d '' kv; do
        name=${kv%%=*} value=${kv#*=}
        [[ $name =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || continue
        case $name in
        BASHOPTS | SHELLOPTS | BASH_* | EUID | UID | PPID | PWD | OLDPWD | SHLVL | _) continue ;;
        esac
        printf "export %s='%s'\n" "$name" "${value//\'/\'\\\'\'}"
    done < <(env -0)
    echo "export IPVS_VM=1"
    printf "cd '%s' || exit 125\n" "${PWD//\'/\'\\\'\'}"
    printf '%s\n' "$cmd"
} >"$RUN/script"
: >"$RUN/shares"
i=0
for s in "${shares[@]}"; do
    printf 'rw%d %s\n' $i "$s" >>"$RUN/shares"
    i=$((i + 1))
done
echo "$KDIR/root/lib/modules/$KVER" >"$RUN/modtree"

if [ "$accel" = auto ]; then
    accel=tcg
    if [ -w /dev/kvm ] && { [ -d /sys/module/kvm_intel ] || [ -d /sys/module/kvm_amd ]; }; then accel=kvm; fi
fi
case $accel in
kvm) accel_args=(-accel kvm -cpu host) ;;
tcg) accel_args=(-accel "tcg,thread=multi${IPVS_VM_TB_SIZE:+,tb-size=$IPVS_VM_TB_SIZE}" -cpu max) ;;
*) die "-a takes kvm, tcg or auto" ;;
esac

share_args=()
i=0
for s in "${shares[@]}"; do
    share_args+=(-fsdev "local,id=rw$i,path=$s,security_model=none,multidevs=remap"
        -device "virtio-9p-pci,fsdev=rw$i,mount_tag=rw$i")
    i=$((i + 1))
done

mkfifo "$RUN/out" "$RUN/err"
# Relays start before qemu (its open() of a FIFO waits for a reader) and keep
# draining if our own stdout goes away, so the guest never blocks.
(cat || true; exec cat >/dev/null) <"$RUN/out" &
relay_pids+=($!)
(cat >&2 || true; exec cat >/dev/null) <"$RUN/err" &
relay_pids+=($!)

log "kernel $KERNEL ($accel), run dir $RUN"
timeout -k 5 "$timeout_s" qemu-system-x86_64 -nodefaults -no-user-config -display none -monitor none -no-reboot \
    -machine q35 "${accel_args[@]}" -smp "$cpus" -m "$mem" \
    -kernel "$KERNEL" -initrd "$INITRD" \
    -append "console=ttyS0 quiet panic=-1 mitigations=off ipvsvm.run=$RUN" \
    -chardev "file,id=con,path=$RUN/console.log" -serial chardev:con \
    -device virtio-serial-pci,id=vser \
    -chardev "file,id=out,path=$RUN/out" -device virtserialport,bus=vser.0,chardev=out,name=ipvsvm.out \
    -chardev "file,id=err,path=$RUN/err" -device virtserialport,bus=vser.0,chardev=err,name=ipvsvm.err \
    -chardev "file,id=st,path=$RUN/status" -device virtserialport,bus=vser.0,chardev=st,name=ipvsvm.status \
    -fsdev local,id=root,path=/,security_model=none,readonly=on,multidevs=remap \
    -device virtio-9p-pci,fsdev=root,mount_tag=hostroot \
    "${share_args[@]}" \
    -device virtio-rng-pci </dev/null 2>"$RUN/qemu.log" &
qemu_pid=$!
set +e
wait "$qemu_pid"
qemu_rc=$?
set -e
qemu_pid=
# A relay whose FIFO qemu never opened is still waiting in open().
for f in out err; do exec 9<>"$RUN/$f"; exec 9>&-; done
for p in "${relay_pids[@]}"; do wait "$p" 2>/dev/null || true; done
relay_pids=()

[ "$verbose" = 1 ] && [ -f "$RUN/console.log" ] && cat "$RUN/console.log" >&2
rc=$(sed -n 's/^rc \([0-9]*\)$/\1/p' "$RUN/status" 2>/dev/null | tail -1)
if [ -n "$rc" ]; then
    log "$(tr '\n' ' ' <"$RUN/status")"
    exit "$rc"
fi
if [ "$qemu_rc" = 124 ] || [ "$qemu_rc" = 137 ]; then
    echo "run-in-vm.sh: timed out after ${timeout_s}s" >&2
    tail -n 20 "$RUN/console.log" >&2 2>/dev/null || true
    exit 124
fi
echo "run-in-vm.sh: the VM failed (qemu exit $qemu_rc); status: $(tr '\n' ' ' <"$RUN/status" 2>/dev/null)" >&2
echo "--- console.log (tail)" >&2
tail -n 40 "$RUN/console.log" >&2 2>/dev/null || true
echo "--- qemu.log (tail)" >&2
tail -n 20 "$RUN/qemu.log" >&2 2>/dev/null || true
exit 125
