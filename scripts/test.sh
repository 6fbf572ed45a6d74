#!/usr/bin/env bash
# Every test: installs what is missing, builds, runs the Swift test suite (unit, golden-byte, and
# privileged namespace/wireguard-go tests when run as root), then boots a stock Debian kernel in QEMU
# and runs the kernel-WireGuard checks there.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

echo "== swift test"
swift build --build-tests
swift test --skip-build

echo "== kernel WireGuard in a QEMU guest"
swift build -c release --static-swift-stdlib --product zmesh
swift build -c release --static-swift-stdlib --product zmesh-kernel-checks
bin=$(swift build -c release --show-bin-path)
# The node agent's checks need nftables (NAT, conntrack), veth and bridge: modules in Debian's cloud kernel.
integration/vm/run.sh --timeout 1500 --module nf_tables --module nft_chain_nat --module nft_masq --module nft_ct \
  --module veth --module bridge --bin "$bin/zmesh" --bin "$bin/zmesh-kernel-checks" -- zmesh-kernel-checks
