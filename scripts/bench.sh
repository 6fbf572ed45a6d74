#!/usr/bin/env bash
# Benchmarks, each printing measured numbers and ratios in one run (release build):
#   WireGuardNL against wireguard-tools on a real kernel (QEMU guest), arguments go to `zmesh bench wireguard`;
#   the registry with 1,000 long-polling nodes on 127.0.0.1 (`zmesh bench registry`), natively;
#   the node agent (`zmesh bench node`: apply time vs an ip/wg/nft script, idle memory and CPU with 10
#   networks, drift repair), natively with wireguard-go, in namespaces of its own.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build -c release --static-swift-stdlib --product zmesh
bin=$(swift build -c release --show-bin-path)
echo "== WireGuardNL vs wireguard-tools (kernel WireGuard in a QEMU guest)"
integration/vm/run.sh --timeout 3000 --mem 2048 --bin "$bin/zmesh" -- zmesh bench wireguard "${@:---peers=10000}"
echo "== registry: 1,000 nodes long-polling"
"$bin/zmesh" bench registry
echo "== node agent: 10 networks, userspace WireGuard"
"$bin/zmesh" bench node
