#!/usr/bin/env bash
# Every test: installs what is missing, builds, runs the Swift test suite (unit, golden-byte, and
# privileged namespace/wireguard-go tests when run as root), then the simulated grid's scenarios (real
# agents, registry and wireguard-go in namespaces), then boots a stock Debian kernel in QEMU and runs
# the kernel-WireGuard checks and `zmesh demo --backend kernel` there.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

echo "== swift test (all but the simulated grid)"
swift build --build-tests
swift test --skip-build --skip NodeGridTests

# The grid's scenarios run real agents, wireguard-go and a registry in namespaces and count every lost
# ping: one test at a time, so that they do not starve each other of the machine's CPUs.
echo "== swift test: the simulated grid (docs/testing.md)"
swift test --skip-build --no-parallel --filter NodeGridTests

echo "== kernel WireGuard in a QEMU guest"
swift build -c release --static-swift-stdlib --product zmesh
swift build -c release --static-swift-stdlib --product zmesh-kernel-checks
bin=$(swift build -c release --show-bin-path)
# The node agent's checks need nftables (NAT, conntrack), veth and bridge: modules in Debian's cloud kernel.
integration/vm/run.sh --timeout 1500 --module nf_tables --module nft_chain_nat --module nft_masq --module nft_ct \
  --module veth --module bridge --bin "$bin/zmesh" --bin "$bin/zmesh-kernel-checks" -- zmesh-kernel-checks

# The simulated grid of `zmesh demo` (registry, 3 public and 2 hidden nodes behind NAT routers, real
# agents) with the kernel's WireGuard in the guest: about a minute under TCG.
echo "== zmesh demo with kernel WireGuard in a QEMU guest"
integration/vm/grid.sh --zmesh "$bin/zmesh"
