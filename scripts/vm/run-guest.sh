#!/usr/bin/env bash
# Boots the qemu guest built by build-guest.sh with this working tree and the test images shared into it,
# runs scripts/vm/guest.sh there and exits with its status. The guest's disk is never changed (snapshot).
# Usage (as root): run-guest.sh CACHE_DIR IMAGES_DIR
# BURROW_GUEST_SCRIPT=path/in/repo.sh runs that script in the guest instead (for development).
set -euo pipefail
cache=${1:?usage: run-guest.sh CACHE_DIR IMAGES_DIR}; images=${2:?usage: run-guest.sh CACHE_DIR IMAGES_DIR}
repo=$(cd "$(dirname "$0")/../.." && pwd)
disk=$(bash "$repo/scripts/vm/build-guest.sh" "$cache")
base=${disk%.img}
cpus=$(nproc); mem=4096
BOOT_LIMIT=${BURROW_GUEST_BOOT_LIMIT:-180}   # seconds to the guest script's first line (about 20 s under emulation here)
RUN_LIMIT=2400
qemu=''
trap '[ -n "$qemu" ] && kill "$qemu" 2>/dev/null; true' EXIT  # never leave a guest running behind us

boot() { # ACCEL... : runs the guest to its end; 3 when it never reached the guest script
  local log; log=$(mktemp /tmp/burrow-guest.XXXXXX.log)
  echo "guest: booting ($*, $cpus CPUs, $mem MiB, log $log)"
  timeout "$RUN_LIMIT" qemu-system-x86_64 "$@" -smp "$cpus" -m "$mem" -nographic -no-reboot \
    -kernel "$base.vmlinuz" -initrd "$base.initrd" \
    -append "root=/dev/vda rw console=ttyS0 quiet systemd.show_status=0 loglevel=3 panic=-1${BURROW_GUEST_SCRIPT:+ burrow.script=$BURROW_GUEST_SCRIPT}" \
    -drive "file=$disk,format=raw,if=virtio,snapshot=on" \
    -virtfs "local,path=$repo,mount_tag=repo,security_model=none,readonly=on" \
    -virtfs "local,path=$images,mount_tag=images,security_model=none,readonly=on" \
    -nic none </dev/null >"$log" 2>&1 &
  qemu=$!
  local waited=0
  # A guest that never boots (a /dev/kvm that hangs its guests, as on this build machine) is given up early.
  until grep -q 'guest: [0-9]' "$log" || ! kill -0 "$qemu" 2>/dev/null; do
    sleep 1; waited=$((waited + 1))
    if [ "$waited" -ge "$BOOT_LIMIT" ]; then kill "$qemu" 2>/dev/null; wait "$qemu" 2>/dev/null; echo "guest: did not boot within $BOOT_LIMIT s"; return 3; fi
  done
  wait "$qemu" || true
  # The serial console, without the firmware's terminal escapes and blank lines.
  tr -d '\r' <"$log" | sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g; s/\x1bc//g' | grep -v '^\s*$' || true
  local result; result=$(tr -d '\r' <"$log" | sed -n 's/^BURROW_GUEST_EXIT=\([0-9]*\).*/\1/p' | tail -1)
  if [ -z "$result" ]; then echo "guest: no result; see $log" >&2; return 1; fi
  return "$result"
}

# KVM where the CPU offers hardware virtualisation, else (or if its guest hangs) qemu's own emulation
# (TCG): several times slower, the same kernel and the same checks. BURROW_GUEST_ACCEL=kvm|tcg forces one.
accel=${BURROW_GUEST_ACCEL:-auto}
if [ "$accel" = auto ]; then grep -qwE 'vmx|svm' /proc/cpuinfo && [ -w /dev/kvm ] && accel=kvm || accel=tcg; fi
set +e
status=3
if [ "$accel" = kvm ]; then boot -enable-kvm -cpu host; status=$?; fi
if [ "$status" = 3 ]; then boot -accel tcg,thread=multi -cpu max; status=$?; fi
exit "$status"
