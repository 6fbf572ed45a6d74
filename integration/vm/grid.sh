#!/usr/bin/env bash
# grid.sh - run `zmesh demo` (the simulated grid: registry, 3 public and 2 hidden nodes behind NAT
# routers, real `zmesh node` agents), or the grid's Swift tests (--tests), inside the QEMU guest of
# run.sh, with the kernel's WireGuard.
#
#   integration/vm/grid.sh [--zmesh PATH] [--timeout SECONDS] [--mem MB] [--guest-command 'SH'] [-- DEMO-ARGS...]
#   integration/vm/grid.sh --tests FILTER [--build-path DIR] [--timeout SECONDS] [--mem MB]
#
# --guest-command runs that shell text in the same guest instead of the demo (to look around).
# PATH defaults to the release build (swift build -c release --static-swift-stdlib --product zmesh).
# --tests runs the grid's Swift tests whose names match FILTER (a regular expression, as swift test
# --filter: e.g. 'HiddenNodeGridTests|IsolationGridTests') with ZMESH_GRID_BACKEND=kernel, one at a time:
# the debug test runner DIR/debug/zmeshPackageTests.xctest and DIR/debug/zmesh (DIR: default .build;
# swift build --build-tests) are copied in without their debug info, with their shared libraries.
# The guest gets what the grid runs besides zmesh: python3 with the part of its standard library the
# grid's helpers use (node holders, probes), util-linux's nsenter/unshare, nft, curl, ping, ss, and the
# kernel modules for veth, bridges and nftables NAT. Exit status: the demo's or the test runner's
# (run.sh's own on failure).
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
readonly SCRIPT_DIR
ROOT=$(cd -- "$SCRIPT_DIR/../.." && pwd)
readonly ROOT

ZMESH=""
TIMEOUT=""
MEM=""
GUEST_COMMAND=""
TESTS=""
BUILD_PATH=$ROOT/.build
while (($#)); do
  case $1 in
    --zmesh|--timeout|--mem|--guest-command|--tests|--build-path)
      (($# >= 2)) || { echo "grid.sh: option $1 needs an argument" >&2; exit 2; } ;;&
    --zmesh) ZMESH=$2; shift 2 ;;
    --timeout) TIMEOUT=$2; shift 2 ;;
    --mem) MEM=$2; shift 2 ;;
    --guest-command) GUEST_COMMAND=$2; shift 2 ;;
    --tests) TESTS=$2; shift 2 ;;
    --build-path) BUILD_PATH=$2; shift 2 ;;
    --) shift; break ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "grid.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[[ -z $TESTS || ( -z $GUEST_COMMAND && -z $ZMESH && $# -eq 0 ) ]] \
  || { echo "grid.sh: --tests runs the test runner; it takes no --zmesh, --guest-command or demo arguments" >&2; exit 2; }

RUNNER=""
if [[ -n $TESTS ]]; then
  # The test runner looks for zmesh next to itself (GridEnvironment.zmeshBinary): both from one build.
  RUNNER=$BUILD_PATH/debug/zmeshPackageTests.xctest
  ZMESH=$BUILD_PATH/debug/zmesh
  [[ -x $RUNNER && -x $ZMESH ]] || {
    echo "grid.sh: no $RUNNER or $ZMESH (swift build --scratch-path $BUILD_PATH --build-tests)" >&2
    exit 2
  }
elif [[ -z $ZMESH ]]; then
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

if [[ -n $RUNNER ]]; then
  # Without debug info (327 MB -> 225 MB for a debug build): a smaller initramfs, and less of the
  # guest's memory holding it. Their RUNPATH is absolute (the toolchain's lib/swift/linux), so copies still load.
  mkdir -p "$STAGE/bin"
  for binary in "$RUNNER" "$ZMESH"; do
    if command -v objcopy >/dev/null; then
      objcopy --strip-debug -- "$binary" "$STAGE/bin/${binary##*/}"
    else
      cp -- "$binary" "$STAGE/bin/${binary##*/}"
    fi
  done
  RUNNER=$STAGE/bin/${RUNNER##*/}
  ZMESH=$STAGE/bin/zmesh
fi

args=(
  --timeout "${TIMEOUT:-$([[ -n $RUNNER ]] && echo 3600 || echo 1500)}"
  --mem "${MEM:-$([[ -n $RUNNER ]] && echo 3072 || echo 2048)}"
  --module veth --module bridge --module nf_tables --module nft_chain_nat --module nft_masq --module nft_ct --module nft_objref
  --bin "$ZMESH" --bin "$PYTHON" --bin "$(command -v nsenter)" --bin "$(command -v unshare)"
  --bin "$(command -v nft)" --bin "$(command -v curl)" --bin "$(command -v ping)"
  --bin "$(command -v mount)" --bin "$(command -v ss)"
  --file "$STAGE/$PYVER:/usr/lib/$PYVER"
  # libnftables resolves protocol and service names (udp, icmp, …) through these.
  --file /etc/protocols:/etc/protocols --file /etc/services:/etc/services
)
# run.sh names the python binary after its file (python3.11): give it the usual name as well.
link=""
[[ $(basename -- "$PYTHON") == python3 ]] || link="ln -sf $(basename -- "$PYTHON") /bin/python3 && "
if [[ -n $RUNNER ]]; then
  args+=(--bin "$RUNNER")
  # Swift Testing only, one test at a time (as scripts/test.sh runs the grid), every grid with the
  # kernel's WireGuard; no backtracer in the guest (the toolchain's swift-backtrace is not there).
  quoted=${TESTS//\'/\'\\\'\'}
  GUEST_COMMAND="cd /tmp && ZMESH_GRID_BACKEND=kernel SWIFT_BACKTRACE=enable=no \\
    zmeshPackageTests.xctest --testing-library swift-testing --no-parallel --filter '$quoted'"
fi
guest="$link${GUEST_COMMAND:-zmesh demo --backend kernel $*}"
# Not exec: the EXIT trap above removes the stage (228 MB with --tests) once the VM is done.
status=0
"$SCRIPT_DIR/run.sh" "${args[@]}" -- "$guest" || status=$?
exit "$status"
