#!/usr/bin/env bash
# The main job: installs what is missing, builds zmesh, and runs `zmesh demo` (needs root: it creates
# network namespaces; everything it makes is removed when it ends).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build -c release --product zmesh
exec "$(swift build -c release --show-bin-path)/zmesh" demo "$@"
