#!/usr/bin/env bash
# Installs everything hbd needs on a fresh Debian 12 machine (run as root),
# then builds hbd: Debian packages with apt-get, npm dependencies, the native
# addon, the TypeScript, and the standalone C core. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: the reference peers (heartbeat, keepalived, ldirectord),
# kernel tools (iproute2, ipvsadm, nftables), test tools (socat ptys, tshark/
# tcpdump captures), the IPVS VM (qemu, busybox, xz, kmod), the C toolchain
# extras (OpenSSL headers for the standalone core, clang + libFuzzer runtime),
# stress-ng for the bench's loaded runs, and the database/LDAP servers the
# health-check tests start locally (they never run as system services).
PACKAGES=(
  heartbeat keepalived ldirectord ipvsadm iproute2 nftables iputils-ping
  socat tshark tcpdump
  qemu-system-x86 busybox-static xz-utils kmod
  libssl-dev clang libclang-rt-14-dev
  stress-ng bc procps psmisc
  postgresql mariadb-server slapd ldap-utils
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install.sh: installing ${missing[*]}"
  # Never let a package's postinst start a daemon (keepalived, heartbeat) on
  # this machine: tests start their own, in namespaces.
  policy=/usr/sbin/policy-rc.d
  made_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod +x "$policy"; made_policy=1
  fi
  trap '[ $made_policy = 1 ] && rm -f "$policy"' EXIT
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# Daemons some packages may have started anyway on machines without policy-rc.d.
for svc in heartbeat keepalived ldirectord; do
  if pgrep -x "$svc" >/dev/null 2>&1 && [ -x "/etc/init.d/$svc" ]; then "/etc/init.d/$svc" stop >/dev/null 2>&1 || true; fi
done

echo "install.sh: npm dependencies"
npm ci --no-audit --no-fund --loglevel=error
echo "install.sh: building the native addon, the TypeScript and the C core"
npm run --silent build
make -s -C native
echo "install.sh: done ($(./bin/hbd version | head -1))"
