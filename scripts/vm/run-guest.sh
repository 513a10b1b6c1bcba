#!/usr/bin/env bash
# Boots the KVM guest built by build-guest.sh with this working tree and the test images shared into it,
# runs scripts/vm/guest.sh there and exits with its status. The guest's disk is never changed (-snapshot).
# Usage (as root): run-guest.sh CACHE_DIR IMAGES_DIR
set -euo pipefail
cache=${1:?usage: run-guest.sh CACHE_DIR IMAGES_DIR}; images=${2:?usage: run-guest.sh CACHE_DIR IMAGES_DIR}
repo=$(cd "$(dirname "$0")/../.." && pwd)
disk=$(bash "$repo/scripts/vm/build-guest.sh" "$cache")
base=${disk%.img}
log=$(mktemp /tmp/burrow-guest.XXXXXX.log)
cpus=$(nproc); mem=4096
# KVM where the CPU offers hardware virtualisation; otherwise qemu's own emulation (TCG), several times
# slower but the same kernel and the same checks. (This build machine has a /dev/kvm whose guests hang
# at boot and no vmx/svm flag: it gets TCG.)
if grep -qwE 'vmx|svm' /proc/cpuinfo && [ -w /dev/kvm ]; then accel=(-enable-kvm -cpu host); else accel=(-accel tcg,thread=multi -cpu max); fi
echo "guest: booting (${accel[1]}, $cpus CPUs, $mem MiB, log $log)"
set +e
timeout 2400 qemu-system-x86_64 "${accel[@]}" -smp "$cpus" -m "$mem" -nographic -no-reboot \
  -kernel "$base.vmlinuz" -initrd "$base.initrd" \
  -append "root=/dev/vda rw console=ttyS0 quiet systemd.show_status=0 loglevel=3 panic=-1" \
  -drive "file=$disk,format=raw,if=virtio,snapshot=on" \
  -virtfs "local,path=$repo,mount_tag=repo,security_model=none,readonly=on" \
  -virtfs "local,path=$images,mount_tag=images,security_model=none,readonly=on" \
  -nic none </dev/null >"$log" 2>&1
qemu=$?
set -e
# The serial console, without the firmware's terminal escapes and blank lines.
tr -d '\r' <"$log" | sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g; s/\x1bc//g' | grep -v '^\s*$' || true
result=$(tr -d '\r' <"$log" | sed -n 's/^BURROW_GUEST_EXIT=\([0-9]*\).*/\1/p' | tail -1)
if [ -z "$result" ]; then echo "guest: no result (qemu exited $qemu); see $log" >&2; exit 1; fi
exit "$result"
