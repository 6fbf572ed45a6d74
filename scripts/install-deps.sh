#!/usr/bin/env bash
# Installs the Debian packages zmesh builds and tests with, only those missing.
# --no-install-recommends: wireguard-tools would otherwise pull in a kernel image and rebuild an initramfs.
set -euo pipefail

# The Swift toolchain is not a Debian package: it must already be on PATH (Swift 6.1 or later).
if ! command -v swift >/dev/null 2>&1; then
  echo "install-deps: no swift on PATH; install Swift 6.1 or later (https://swift.org/install)" >&2
  exit 1
fi

packages=(
  git ca-certificates
  pkg-config libmnl-dev linux-libc-dev libnl-3-dev libnl-route-3-dev libsodium-dev libcurl4-openssl-dev
  libnftables-dev wireguard-tools wireguard-go iproute2 nftables iputils-ping
  qemu-system-x86 cpio kmod xz-utils procps
  python3 openssl tcpdump curl
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "installing: ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
