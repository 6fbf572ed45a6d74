#!/usr/bin/env bash
# run.sh - boot a stock Debian cloud kernel in QEMU (software emulation, TCG) and run one
# command as the guest's test. The command's exit status becomes this script's exit status.
#
#   integration/vm/run.sh [--timeout SECONDS] [--bin PATH]... [--file SRC[:DST]]...
#                         [--module NAME]... [--mem MB] [--] CMD [ARGS...]
#
# Guest console (the test's stdout and stderr) goes to our stdout; the harness's own messages
# go to stderr. See README.md next to this file.
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
readonly SCRIPT_DIR
readonly CACHE_DIR=${ZMESH_VM_CACHE:-$SCRIPT_DIR/.cache}
readonly KERNEL_META_PKG=linux-image-cloud-amd64
readonly EXIT_MARKER=ZMESH-VM-EXIT
readonly SETUP_FAILED_MARKER=ZMESH-VM-SETUP-FAILED
# Exit statuses of the harness itself (the test's own status is passed through unchanged).
readonly RC_TIMEOUT=124 RC_HARNESS=125 RC_USAGE=2

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH
export LC_ALL=C

TIMEOUT=600
MEM=1024
SMP=${ZMESH_VM_SMP:-2}
ACCEL=${ZMESH_VM_ACCEL:-tcg}
COMPRESS=${ZMESH_VM_COMPRESS:-auto}
MODULES=(wireguard)
BINS=()
FILES=()
CMD=()

WORK=""        # per-run temp dir
VM_PID=""      # pid of `timeout qemu ...`
READER_PID=""  # pid of the console reader (sed | tee)
KVER=""        # kernel release, e.g. 6.1.0-28-cloud-amd64
KROOT=""       # extracted kernel package in the cache
BUSYBOX=""     # busybox binary for the guest

log() { printf 'run.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit "$RC_HARNESS"; }

usage() {
  cat <<EOF
Usage: ${0##*/} [OPTIONS] [--] CMD [ARGS...]

Boot a Debian cloud kernel in QEMU (TCG) with an initramfs holding busybox, wg, ip, the
WireGuard module and any --bin binaries, run CMD as root with busybox sh, and exit with
CMD's exit status.

CMD: a single argument is shell text (sh -c style, e.g. 'ip link add wg0 type wireguard && wg');
several arguments are run as one command with each argument quoted (e.g. -- wg show all).

Options:
  --timeout SECONDS  kill the VM after this long (default 600); exit status then is $RC_TIMEOUT
  --bin PATH         copy PATH to /bin/<basename> in the guest, with its shared libraries
                     (repeatable; ZMESH_VM_BINS may hold more, space-separated)
  --file SRC[:DST]   copy a file or directory to DST in the guest (default: the same path)
  --module NAME      also load kernel module NAME and its dependencies (repeatable)
  --mem MB           guest memory (default 1024)
  -h, --help         show this help

Environment: ZMESH_VM_CACHE (kernel cache dir, default integration/vm/.cache),
  ZMESH_VM_KERNEL_PKG (pin e.g. linux-image-6.1.0-28-cloud-amd64), ZMESH_VM_SMP (default 2),
  ZMESH_VM_ACCEL (default tcg), ZMESH_VM_BINS, ZMESH_VM_COMPRESS (initramfs: auto, gzip, none).
Exit status: CMD's status; $RC_TIMEOUT on timeout; $RC_HARNESS if the VM could not be set up or the
  guest did not report a status; $RC_USAGE on bad usage.
EOF
}

usage_error() { log "$*"; log "try '${0##*/} --help'"; exit "$RC_USAGE"; }

is_uint() { [[ $1 =~ ^[0-9]+$ ]] && (( 10#$1 > 0 )); }

parse_args() {
  while (($#)); do
    case $1 in
      --timeout|--bin|--file|--module|--mem)
        (($# >= 2)) || usage_error "option $1 needs an argument"
        set -- "$1=$2" "${@:3}"
        continue ;;
      --timeout=*) TIMEOUT=${1#*=}; is_uint "$TIMEOUT" || usage_error "bad --timeout: $TIMEOUT" ;;
      --mem=*)     MEM=${1#*=};     is_uint "$MEM"     || usage_error "bad --mem: $MEM" ;;
      --bin=*)     BINS+=("${1#*=}") ;;
      --file=*)    FILES+=("${1#*=}") ;;
      --module=*)  MODULES+=("${1#*=}") ;;
      -h|--help)   usage; exit 0 ;;
      --)          shift; break ;;
      -*)          usage_error "unknown option: $1" ;;
      *)           break ;;
    esac
    shift
  done
  [[ $COMPRESS == @(auto|gzip|none) ]] || usage_error "bad ZMESH_VM_COMPRESS: $COMPRESS (auto, gzip or none)"
  is_uint "$SMP" || usage_error "bad ZMESH_VM_SMP: $SMP"
  (($#)) || usage_error "no command given"
  CMD=("$@")
  if [[ -n ${ZMESH_VM_BINS:-} ]]; then
    local extra
    read -ra extra <<<"$ZMESH_VM_BINS"
    BINS+=("${extra[@]}")
  fi
  local b f
  for b in "${BINS[@]}"; do
    [[ -f $b ]] || usage_error "--bin: no such file: $b"
  done
  for f in "${FILES[@]}"; do
    [[ -e ${f%%:*} ]] || usage_error "--file: no such file: ${f%%:*}"
    [[ $f != *:* || ${f#*:} == /* ]] || usage_error "--file: guest path must be absolute: ${f#*:}"
  done
}

# ---------------------------------------------------------------------------------------------
# Host tools

apt_get() {
  DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=300 "$@" >&2
}

APT_UPDATED=0

# Runs apt-get update, at most once per run; fails if it did not run now or failed.
apt_update_once() {
  (( ! APT_UPDATED && EUID == 0 )) || return 1
  APT_UPDATED=1
  log "running apt-get update"
  apt_get update
}

apt_install() {
  (( EUID == 0 )) || die "missing host packages ($*); install them or run as root"
  log "installing host packages: $*"
  apt_get install -y --no-install-recommends "$@" \
    || { apt_update_once && apt_get install -y --no-install-recommends "$@"; } \
    || die "apt-get install $* failed"
}

# The real iproute2 ip (not a busybox applet).
find_ip() {
  local p
  for p in /usr/sbin/ip /bin/ip /sbin/ip /usr/bin/ip; do
    if [[ -x $p && $(basename -- "$(readlink -f -- "$p")") != busybox ]]; then
      printf '%s\n' "$p"
      return 0
    fi
  done
  return 1
}

ensure_host_tools() {
  local pkgs=()
  command -v qemu-system-x86_64 >/dev/null || pkgs+=(qemu-system-x86)
  command -v cpio >/dev/null || pkgs+=(cpio)
  command -v modinfo >/dev/null || pkgs+=(kmod)
  command -v xz >/dev/null || pkgs+=(xz-utils)
  # Default guest contents.
  [[ -x /usr/bin/wg ]] || pkgs+=(wireguard-tools)
  find_ip >/dev/null || pkgs+=(iproute2)
  if ((${#pkgs[@]})); then apt_install "${pkgs[@]}"; fi
}

# ---------------------------------------------------------------------------------------------
# Kernel cache

# Prints the versioned kernel package name (linux-image-<ver>-cloud-amd64), or nothing.
resolve_kernel_pkg() {
  local pkg
  pkg=$(apt-cache depends "$KERNEL_META_PKG" 2>/dev/null \
        | awk '$1 == "Depends:" && $2 ~ /^linux-image-.*-cloud-amd64$/ { print $2; exit }') || true
  if [[ -z $pkg ]]; then
    pkg=$(apt-cache search --names-only '^linux-image-[0-9].*-cloud-amd64$' 2>/dev/null \
          | awk '{ print $1 }' | sort -V | tail -n 1) || true
  fi
  printf '%s' "$pkg"
}

newest_cached_kernel() {
  local d best=""
  for d in "$CACHE_DIR"/linux-image-*-cloud-amd64; do
    [[ -f $d/.complete ]] && best+="${d##*/}"$'\n'
  done
  printf '%s' "$best" | sort -V | tail -n 1
}

# Downloads Debian package $1 and unpacks it into $CACHE_DIR/$2 (default: $1), atomically:
# unpack beside it, mark it complete, then rename. Fails if apt-get download fails.
fetch_deb() {
  local pkg=$1 dest=$CACHE_DIR/${2:-$1} tmp deb
  tmp=$(mktemp -d "$CACHE_DIR/.fetch.XXXXXX")
  # apt-get download drops privileges to _apt, which must be able to write here.
  if id _apt >/dev/null 2>&1; then chown _apt "$tmp" 2>/dev/null || true; fi
  log "downloading $pkg"
  if (cd "$tmp" && apt_get download "$pkg") \
     && deb=$(compgen -G "$tmp/*.deb" | head -n 1) \
     && mkdir "$tmp/root" && dpkg -x "$deb" "$tmp/root"; then
    touch "$tmp/root/.complete"
    rm -rf -- "$dest"
    mv -- "$tmp/root" "$dest"
    rm -rf -- "$tmp"
    return 0
  fi
  rm -rf -- "$tmp"
  return 1
}

# Sets KROOT and KVER, downloading the kernel into the cache if needed.
ensure_kernel() {
  local pkg=${ZMESH_VM_KERNEL_PKG:-} cached
  if [[ -z $pkg ]]; then
    pkg=$(resolve_kernel_pkg)
    [[ -n $pkg ]] || pkg=$(newest_cached_kernel)
    if [[ -z $pkg ]]; then
      apt_update_once || die "cannot resolve $KERNEL_META_PKG: no apt lists and no apt-get update"
      pkg=$(resolve_kernel_pkg)
      [[ -n $pkg ]] || die "cannot resolve $KERNEL_META_PKG to a versioned kernel package"
    fi
  fi

  if [[ ! -f $CACHE_DIR/$pkg/.complete ]] && ! fetch_deb "$pkg"; then
    if apt_update_once && [[ -z ${ZMESH_VM_KERNEL_PKG:-} ]]; then
      pkg=$(resolve_kernel_pkg)
      [[ -n $pkg ]] || die "cannot resolve $KERNEL_META_PKG to a versioned kernel package"
    fi
    if [[ ! -f $CACHE_DIR/$pkg/.complete ]] && ! fetch_deb "$pkg"; then
      cached=$(newest_cached_kernel)
      [[ -n $cached && -z ${ZMESH_VM_KERNEL_PKG:-} ]] || die "could not download $pkg"
      log "warning: could not download $pkg; using cached $cached"
      pkg=$cached
    fi
  fi

  KROOT=$CACHE_DIR/$pkg
  local vmlinuz
  vmlinuz=$(compgen -G "$KROOT/boot/vmlinuz-*" | head -n 1) || die "no boot/vmlinuz-* in $KROOT"
  KVER=${vmlinuz##*/vmlinuz-}
  [[ -d $KROOT/lib/modules/$KVER ]] || die "no lib/modules/$KVER in $KROOT"
}

# Sets BUSYBOX. The guest uses Debian's dynamically linked `busybox` package, unpacked into the
# cache, rather than busybox-static: busybox-static is built with FEATURE_PREFER_APPLETS and
# FEATURE_SH_STANDALONE, so its sh (and env, timeout, xargs, nsenter, ...) would run busybox's own
# `ip` applet instead of iproute2's ip from PATH.
ensure_busybox() {
  local dir=$CACHE_DIR/busybox
  if [[ ! -f $dir/.complete ]]; then
    fetch_deb busybox || { apt_update_once && fetch_deb busybox; } || true
  fi
  if [[ -f $dir/.complete ]]; then
    BUSYBOX=$(compgen -G "$dir/bin/busybox" || compgen -G "$dir/usr/bin/busybox") \
      || die "no busybox binary in $dir"
    return 0
  fi
  BUSYBOX=$(command -v busybox) || die "could not download Debian's busybox package and the host has no busybox"
  log "warning: could not download Debian's busybox package; using the host's $BUSYBOX"
  log "warning: if that is busybox-static, sh in the guest runs busybox's ip applet, not iproute2's ip"
}

# Runs ensure_host_tools, ensure_kernel and ensure_busybox under a lock, so parallel runs don't race.
prepare_host() {
  mkdir -p -- "$CACHE_DIR"
  exec 9>"$CACHE_DIR/.lock"
  flock 9
  ensure_host_tools
  ensure_kernel
  ensure_busybox
  exec 9>&-
}

# ---------------------------------------------------------------------------------------------
# Kernel modules

declare -A MOD_PATH=()   # normalised module name -> .ko[.xz] path
declare -A MOD_SEEN=()
MOD_ORDER=()             # paths, dependencies first

index_modules() {
  local f n
  while IFS= read -r -d '' f; do
    n=${f##*/}
    n=${n%%.ko*}
    MOD_PATH[${n//-/_}]=$f
  done < <(find "$KROOT/lib/modules/$KVER" -name '*.ko*' -print0)
}

is_builtin_module() {
  local name=$1 f=$KROOT/lib/modules/$KVER/modules.builtin
  [[ -f $f ]] || return 1
  tr '-' '_' <"$f" | grep -q "/${name}\.ko\$"
}

# Appends module $1 and (first) its dependencies, recursively, to MOD_ORDER.
resolve_module() {
  local name=${1//-/_} path deps dep
  [[ -z ${MOD_SEEN[$name]:-} ]] || return 0
  MOD_SEEN[$name]=1
  path=${MOD_PATH[$name]:-}
  if [[ -z $path ]]; then
    is_builtin_module "$name" && return 0
    die "kernel module $name not found in $KVER"
  fi
  deps=$(modinfo -F depends "$path") || die "modinfo failed on $path"
  local -a dep_list=()
  IFS=, read -ra dep_list <<<"$deps"
  for dep in "${dep_list[@]}"; do
    [[ -n $dep ]] && resolve_module "$dep"
  done
  MOD_ORDER+=("$path")
}

# ---------------------------------------------------------------------------------------------
# Initramfs

declare -A LIB_DIRS=()   # guest directories that received shared libraries

# Copies the shared libraries (and dynamic loader) of ELF file $1 to the same paths under $2.
copy_libs() {
  local bin=$1 root=$2 out lib dst
  out=$(ldd -- "$bin" 2>&1) || return 0   # static binary or script: nothing to copy
  if grep -q 'not found' <<<"$out"; then
    die "missing shared libraries for $bin:"$'\n'"$(grep 'not found' <<<"$out")"
  fi
  while IFS= read -r lib; do
    # Lexically normalised (/opt/x/bin/../lib -> /opt/x/lib) but symlinks kept, so the loader
    # stays at the path binaries name (/lib64/ld-linux-x86-64.so.2).
    dst=$(realpath -s -m -- "$lib")
    [[ -e $root$dst ]] && continue
    mkdir -p -- "$root${dst%/*}"
    cp -L -- "$lib" "$root$dst"
    LIB_DIRS[${dst%/*}]=1
  done < <(awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' <<<"$out")
}

# Writes an ld.so.cache for the guest listing every library directory, so libraries that the
# host found through $ORIGIN-relative RUNPATHs are still found from /bin in the guest.
write_ld_cache() {
  local root=$1
  ((${#LIB_DIRS[@]})) || return 0
  printf '%s\n' "${!LIB_DIRS[@]}" | sort >"$root/etc/ld.so.conf"
  ldconfig -r "$root" -X 2>/dev/null || log "warning: ldconfig -r failed; the guest has no ld.so.cache"
}

# Copies executable $1 to /bin/<basename> in the guest tree $2, with its libraries.
add_binary() {
  local src=$1 root=$2 name
  name=$(basename -- "$src")
  [[ ! -e $root/bin/$name ]] || log "warning: /bin/$name given twice; using $src"
  cp -L -- "$src" "$root/bin/$name"
  chmod 0755 "$root/bin/$name"
  copy_libs "$src" "$root"
}

add_file() {
  local spec=$1 root=$2 src dst
  src=${spec%%:*}
  if [[ $spec == *:* ]]; then dst=${spec#*:}; else dst=$(readlink -f -- "$src"); fi
  mkdir -p -- "$root$(dirname -- "$dst")"
  cp -a -L -- "$src" "$root$dst"
}

# Quotes $1 for sh: 'it'\''s'.
sh_quote() { printf "'%s'" "${1//\'/\'\\\'\'}"; }

write_test_script() {
  local out=$1
  if ((${#CMD[@]} == 1)); then
    printf '%s\n' "${CMD[0]}" >"$out"
  else
    local arg line=""
    for arg in "${CMD[@]}"; do line+="$(sh_quote "$arg") "; done
    printf '%s\n' "${line% }" >"$out"
  fi
}

write_init() {
  cat >"$1" <<EOF
#!/bin/sh
# Generated by integration/vm/run.sh.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin:/bb HOME=/root TERM=dumb
# The console is a tty; keep tools from colouring the log.
export WG_COLOR_MODE=never NO_COLOR=1

setup_failed() {
  echo "$SETUP_FAILED_MARKER: \$*"
  poweroff -f
  reboot -f
}

mount -t proc proc /proc || setup_failed "mount /proc"
mount -t sysfs sysfs /sys || setup_failed "mount /sys"
mount -t devtmpfs devtmpfs /dev || setup_failed "mount /dev"
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
# tmpfs on /run and /tmp, keeping what --file put there.
mount_tmpfs() {
  mv "\$1" "\$1.initramfs" && mkdir "\$1" \
    && mount -t tmpfs -o "mode=\$2" tmpfs "\$1" \
    && cp -a "\$1.initramfs/." "\$1/" && chmod "\$2" "\$1" && rm -rf "\$1.initramfs"
}
mount_tmpfs /run 0755 || setup_failed "mount /run"
mount_tmpfs /tmp 1777 || setup_failed "mount /tmp"
mkdir -p /run/netns /run/wireguard
hostname zmesh-vm

while read -r mod; do
  insmod "/lib/modules/\$mod.ko" || setup_failed "insmod \$mod"
done </etc/zmesh/modules

ip link set lo up || setup_failed "ip link set lo up"

cd /root
sh /etc/zmesh/test.sh </dev/null
rc=\$?
echo "$EXIT_MARKER=\$rc"
sync
poweroff -f
reboot -f
EOF
  chmod 0755 "$1"
}

build_initramfs() {
  local root=$WORK/root mod name ipbin b f
  mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,run,tmp,root,var,etc/zmesh,lib/modules}
  ln -s ../run "$root/var/run"
  mknod -m 0600 "$root/dev/console" c 5 1 2>/dev/null || true

  mkdir -p "$root/bb"
  cp -L -- "$BUSYBOX" "$root/bin/busybox"
  copy_libs "$root/bin/busybox" "$root"
  ln -s busybox "$root/bin/sh"
  # Applet links go in /bb, last on PATH, so real binaries in /bin win.
  local applet
  while IFS= read -r applet; do
    [[ -z $applet || $applet == */* || -e $root/bb/$applet ]] || ln -s /bin/busybox "$root/bb/$applet"
  done < <("$root/bin/busybox" --list)

  printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
  printf 'root:x:0:\n' >"$root/etc/group"
  printf '127.0.0.1\tlocalhost zmesh-vm\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"

  : >"$root/etc/zmesh/modules"
  for mod in "${MOD_ORDER[@]}"; do
    name=${mod##*/}
    name=${name%%.ko*}
    case $mod in
      *.ko.xz) xz -dc -- "$mod" >"$root/lib/modules/$name.ko" ;;
      *.ko.zst) zstd -dcq -- "$mod" >"$root/lib/modules/$name.ko" ;;
      *.ko.gz) gzip -dc -- "$mod" >"$root/lib/modules/$name.ko" ;;
      *.ko) cp -- "$mod" "$root/lib/modules/$name.ko" ;;
      *) die "unknown module format: $mod" ;;
    esac
    printf '%s\n' "$name" >>"$root/etc/zmesh/modules"
  done

  ipbin=$(find_ip) || die "iproute2's ip not found"
  add_binary /usr/bin/wg "$root"
  add_binary "$ipbin" "$root"
  for b in "${BINS[@]}"; do add_binary "$b" "$root"; done
  for f in "${FILES[@]}"; do add_file "$f" "$root"; done
  write_ld_cache "$root"

  write_init "$root/init"
  write_test_script "$root/etc/zmesh/test.sh"

  # gzip by default; above 64 MiB an uncompressed archive boots faster under TCG (measured:
  # 260 MiB of binaries took 11.5 s with gzip -1, 6.4 s without).
  local compress=$COMPRESS
  if [[ $compress == auto ]]; then
    compress=gzip
    (( $(du -sb -- "$root" | cut -f1) <= 64 * 1024 * 1024 )) || compress=none
  fi
  (cd "$root" && find . -print0 | LC_ALL=C sort -z \
     | cpio --null --create --format=newc --owner=0:0 --quiet) \
    | case $compress in
        gzip) gzip -1 ;;
        none) cat ;;
      esac >"$WORK/initrd.img"
}

# ---------------------------------------------------------------------------------------------
# Running the VM

# shellcheck disable=SC2317  # trap handlers
on_exit() {
  [[ -z $VM_PID ]] || kill -TERM "$VM_PID" 2>/dev/null || true
  [[ -z $WORK ]] || rm -rf -- "$WORK"
}

# shellcheck disable=SC2317  # trap handlers
on_signal() {
  log "got SIG$1; stopping the VM"
  if [[ -n $VM_PID ]]; then
    kill -TERM "$VM_PID" 2>/dev/null || true
    wait "$VM_PID" 2>/dev/null || true
    VM_PID=""
  fi
  exit "$2"
}

# Boots the VM; guest console goes to stdout and $WORK/console.log. Returns qemu's status.
boot_vm() {
  local -a qemu=(
    qemu-system-x86_64
    -nodefaults -no-user-config
    -accel "$ACCEL" -cpu max -m "$MEM" -smp "$SMP"
    -display none -monitor none -serial stdio -nic none
    -no-reboot
    -kernel "$KROOT/boot/vmlinuz-$KVER"
    -initrd "$WORK/initrd.img"
    -append "console=ttyS0 quiet panic=-1"
  )
  mkfifo "$WORK/console"
  sed -u 's/\r$//' <"$WORK/console" | tee "$WORK/console.log" &
  READER_PID=$!
  timeout --kill-after=10 "$TIMEOUT" "${qemu[@]}" </dev/null >"$WORK/console" &
  VM_PID=$!
  local rc=0
  wait "$VM_PID" || rc=$?
  VM_PID=""
  wait "$READER_PID" || true
  READER_PID=""
  return "$rc"
}

main() {
  parse_args "$@"
  trap on_exit EXIT
  trap 'on_signal INT 130' INT
  trap 'on_signal TERM 143' TERM
  trap 'on_signal HUP 129' HUP

  prepare_host
  index_modules
  local m
  for m in "${MODULES[@]}"; do resolve_module "$m"; done

  WORK=$(mktemp -d "${TMPDIR:-/tmp}/zmesh-vm.XXXXXX")
  build_initramfs

  log "booting $KVER (accel=$ACCEL, smp=$SMP, mem=${MEM}M, timeout=${TIMEOUT}s)"
  local start qemu_rc=0 elapsed
  start=$(date +%s%N)
  boot_vm || qemu_rc=$?
  elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
  elapsed=$(printf '%d.%01d' $((elapsed / 1000)) $((elapsed % 1000 / 100)))

  if (( qemu_rc == 124 || qemu_rc == 137 )); then
    log "error: VM timed out after ${TIMEOUT}s and was killed"
    exit "$RC_TIMEOUT"
  fi

  local marker
  marker=$(grep -a -o "$EXIT_MARKER=[0-9]*\$" "$WORK/console.log" | tail -n 1) || true
  if [[ -z $marker ]]; then
    local why
    why=$(grep -a "^$SETUP_FAILED_MARKER:" "$WORK/console.log" | tail -n 1) || true
    if [[ -n $why ]]; then
      log "error: guest setup failed: ${why#*: }"
    else
      log "error: the guest reported no exit status ($EXIT_MARKER line missing; qemu exited" \
          "with $qemu_rc after ${elapsed}s); see the console output above (kernel panic? test powered off?)"
    fi
    exit "$RC_HARNESS"
  fi
  (( qemu_rc == 0 )) || log "warning: qemu exited with status $qemu_rc"
  local rc=${marker#*=}
  log "guest command exited with status $rc (VM ran ${elapsed}s)"
  exit "$rc"
}

main "$@"
