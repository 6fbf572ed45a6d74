#!/usr/bin/env bash
# grid.sh - run `zmesh demo` (the simulated grid: registry, 3 public and 2 hidden nodes behind NAT
# routers, real `zmesh node` agents) inside the QEMU guest of run.sh, with the kernel's WireGuard.
#
#   integration/vm/grid.sh [--zmesh PATH] [--timeout SECONDS] [--guest-command 'SH'] [-- DEMO-ARGS...]
#
# --guest-command runs that shell text in the same guest instead of the demo (to look around).
# PATH defaults to the release build (swift build -c release --static-swift-stdlib --product zmesh).
# The guest gets what the grid runs besides zmesh: python3 with the part of its standard library the
# grid's helpers use (node holders, probes), util-linux's nsenter/unshare, nft, curl, ping, and the
# kernel modules for veth, bridges and nftables NAT. Exit status: the demo's (run.sh's own on failure).
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
readonly SCRIPT_DIR
ROOT=$(cd -- "$SCRIPT_DIR/../.." && pwd)
readonly ROOT

ZMESH=""
TIMEOUT=1500
GUEST_COMMAND=""
while (($#)); do
  case $1 in
    --zmesh) ZMESH=$2; shift 2 ;;
    --timeout) TIMEOUT=$2; shift 2 ;;
    --guest-command) GUEST_COMMAND=$2; shift 2 ;;
    --) shift; break ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "grid.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
if [[ -z $ZMESH ]]; then
  ZMESH="$(cd "$ROOT" && swift build -c release --show-bin-path)/zmesh"
fi
[[ -x $ZMESH ]] || { echo "grid.sh: no zmesh at $ZMESH (swift build -c release --static-swift-stdlib --product zmesh)" >&2; exit 2; }

PYTHON=$(readlink -f /usr/bin/python3) && [[ -x $PYTHON ]] || { echo "grid.sh: /usr/bin/python3 is not installed (apt-get install python3)" >&2; exit 2; }
PYVER=$("$PYTHON" -c 'import sys; print("python%d.%d" % sys.version_info[:2])')
STDLIB=$("$PYTHON" -c 'import os; print(os.path.dirname(os.__file__))')

STAGE=$(mktemp -d "${TMPDIR:-/tmp}/zmesh-vm-grid.XXXXXX")
trap 'rm -rf -- "$STAGE"' EXIT

# The standard library without what the grid never imports (tests, GUI, docs, packaging): python in
# the guest is /bin/python3; Debian's build looks for it in /usr/lib/<python> (its compiled-in prefix).
mkdir -p "$STAGE/$PYVER"
tar -C "$STDLIB" \
  --exclude=./test --exclude=./idlelib --exclude=./tkinter --exclude=./turtledemo --exclude=./lib2to3 \
  --exclude=./ensurepip --exclude=./pydoc_data --exclude='./config-*' --exclude=./distutils \
  --exclude=./unittest --exclude=./site-packages --exclude=./dist-packages --exclude='*/__pycache__' \
  -cf - . | tar -C "$STAGE/$PYVER" -xf -

args=(
  --timeout "$TIMEOUT" --mem 2048
  --module veth --module bridge --module nf_tables --module nft_chain_nat --module nft_masq --module nft_ct --module nft_objref
  --bin "$ZMESH" --bin "$PYTHON" --bin "$(command -v nsenter)" --bin "$(command -v unshare)"
  --bin "$(command -v nft)" --bin "$(command -v curl)" --bin "$(command -v ping)"
  --bin "$(command -v mount)"
  --file "$STAGE/$PYVER:/usr/lib/$PYVER"
  # libnftables resolves protocol and service names (udp, icmp, …) through these.
  --file /etc/protocols:/etc/protocols --file /etc/services:/etc/services
)
# run.sh names the python binary after its file (python3.11): give it the usual name as well.
link=""
[[ $(basename -- "$PYTHON") == python3 ]] || link="ln -sf $(basename -- "$PYTHON") /bin/python3 && "
guest="$link${GUEST_COMMAND:-zmesh demo --backend kernel $*}"
exec "$SCRIPT_DIR/run.sh" "${args[@]}" -- "$guest"
