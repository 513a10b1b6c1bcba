#!/usr/bin/env bash
# Builds (once, then cached) the disk of a small Debian 12 KVM guest: a host with the pure cgroup v2 layout
# and its controllers, as Ubuntu 24.04 and Fedora desktops have, where Burrow's resource limits apply for
# real. This build machine is hybrid (memory, pids and cpu are bound to cgroup v1), so the limit tests can
# only run for real inside such a guest. The guest carries no Burrow code: scripts/vm/run-guest.sh shares
# the working tree with it at every run.
# Usage (as root): build-guest.sh CACHE_DIR   -> prints the path of the disk image
set -euo pipefail
cache=${1:?usage: build-guest.sh CACHE_DIR}
mirror=${BURROW_MIRROR:-http://deb.debian.org/debian}
here=$(cd "$(dirname "$0")" && pwd)
# The cache key: this recipe and the Node.js that is copied in (node-pty is built against it).
key=$( (cat "$here/build-guest.sh"; node --version) | sha256sum | cut -c1-12)
disk="$cache/guest-$key.img"
if [ -s "$disk" ]; then echo "$disk"; exit 0; fi
mkdir -p "$cache"
work=$(mktemp -d "$cache/.guest.XXXXXX")
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"
echo "guest: building Debian 12 with its kernel (mmdebstrap, about a minute)" >&2
mmdebstrap --mode=root --variant=minbase \
  --include=systemd,systemd-sysv,udev,kmod,linux-image-amd64,initramfs-tools,bubblewrap,uidmap,passt,slirp4netns,curl,util-linux,tar,xz-utils,zstd,procps,python3 \
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
  bookworm "$root" "$mirror" >"$work/mmdebstrap.log" 2>&1 \
  || { echo "guest: mmdebstrap failed:" >&2; tail -5 "$work/mmdebstrap.log" >&2; exit 1; }
install -m 755 "$(command -v node)" "$root/usr/local/bin/node"
echo burrow-guest >"$root/etc/hostname"
printf '/dev/vda / ext4 defaults 0 1\n' >"$root/etc/fstab"
# At boot the guest mounts the shared working tree and runs its script (scripts/vm/guest.sh), then powers off.
cat >"$root/etc/systemd/system/burrow-check.service" <<'UNIT'
[Unit]
Description=Burrow checks on a pure cgroup v2 host
After=multi-user.target
SuccessAction=poweroff-force
FailureAction=poweroff-force
[Service]
Type=oneshot
ExecStart=/bin/sh -c 'mkdir -p /mnt/repo && mount -t 9p -o trans=virtio,version=9p2000.L,msize=1048576 repo /mnt/repo && exec bash /mnt/repo/scripts/vm/guest.sh'
StandardOutput=tty
StandardError=tty
TTYPath=/dev/ttyS0
TimeoutStartSec=infinity
[Install]
WantedBy=multi-user.target
UNIT
chroot "$root" systemctl enable burrow-check.service >/dev/null 2>&1
chroot "$root" systemctl mask getty@tty1.service serial-getty@ttyS0.service >/dev/null 2>&1
# The kernel and initramfs sit beside the disk: qemu boots them directly.
cp "$root"/boot/vmlinuz-* "$work/vmlinuz"; cp "$root"/boot/initrd.img-* "$work/initrd.img"
rm -rf "$root"/usr/share/doc "$root"/var/cache/apt/*
mkfs.ext4 -q -L burrow-guest -d "$root" "$work/disk.img" 3G >&2
rm -f "$cache"/guest-*  # an older recipe's guest
mv "$work/vmlinuz" "$cache/guest-$key.vmlinuz"; mv "$work/initrd.img" "$cache/guest-$key.initrd"
mv "$work/disk.img" "$disk"
echo "$disk"
