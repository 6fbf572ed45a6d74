#!/usr/bin/env bash
# Benchmarks WireGuardNL against wireguard-tools on a real kernel (QEMU guest); prints numbers and ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build -c release --static-swift-stdlib --product zmesh
bin=$(swift build -c release --show-bin-path)
integration/vm/run.sh --timeout 3000 --mem 2048 --bin "$bin/zmesh" -- zmesh bench wireguard "${@:---peers=10000}"
