#!/usr/bin/env bash
# Builds (once, then cached) the disk of a small qemu guest that is a modern systemd desktop host, as
# Fedora 40+, Ubuntu 24.04+ and Debian 13 are: systemd 257 as PID 1, pure cgroup v2 with its controllers,
# logind, a D-Bus user bus, and the unprivileged test user with a subordinate id range and linger (so its
# user manager, user@UID.service, runs from boot). Root makes the user and its range and nothing else:
# no cgroup is made or delegated by hand; Burrow must get its own from the user's systemd.
# This build machine has none of it (no systemd, hybrid cgroups). The guest carries no Burrow code:
# scripts/vm/run-guest.sh shares the working tree with it at every run.
# Usage (as root): build-guest.sh CACHE_DIR   -> prints the path of the disk image
set -euo pipefail
cache=${1:?usage: build-guest.sh CACHE_DIR}
mirror=${BURROW_MIRROR:-http://deb.debian.org/debian}
here=$(cd "$(dirname "$0")" && pwd)
user=burrowtest
# The cache key: this recipe and the Node.js that is copied in (node-pty is built against it).
key=$( (cat "$here/build-guest.sh"; node --version) | sha256sum | cut -c1-12)
disk="$cache/guest-$key.img"
if [ -s "$disk" ]; then echo "$disk"; exit 0; fi
mkdir -p "$cache"
work=$(mktemp -d "$cache/.guest.XXXXXX")
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"
echo "guest: building Debian 13 with its kernel, logind and a user bus (mmdebstrap, about two minutes)" >&2
packages=systemd,systemd-sysv,udev,kmod,linux-image-amd64,initramfs-tools,dbus,dbus-user-session,libpam-systemd
packages+=,systemd-container,bubblewrap,uidmap,passt,slirp4netns,curl,util-linux,tar,xz-utils,zstd,procps,python3
mmdebstrap --mode=root --variant=minbase --include="$packages" --aptopt='Acquire::Check-Valid-Until "false"' \
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
  trixie "$root" "$mirror" >"$work/mmdebstrap.log" 2>&1 \
  || { echo "guest: mmdebstrap failed:" >&2; tail -5 "$work/mmdebstrap.log" >&2; exit 1; }
install -m 755 "$(command -v node)" "$root/usr/local/bin/node"
echo burrow-guest >"$root/etc/hostname"
printf '/dev/vda / ext4 defaults 0 1\n' >"$root/etc/fstab"
# The test user, as a desktop's installer makes one: a home, a subordinate id range, and linger (its user
# manager starts at boot, as after a login). Nothing else is prepared for it.
chroot "$root" useradd --create-home --shell /bin/bash --uid 1000 "$user"
chroot "$root" usermod --add-subuids 300000-365535 --add-subgids 300000-365535 "$user"
mkdir -p "$root/var/lib/systemd/linger"; touch "$root/var/lib/systemd/linger/$user"
# At boot the guest mounts the shared working tree and runs its script (scripts/vm/guest.sh), then powers off.
cat >"$root/etc/systemd/system/burrow-check.service" <<'UNIT'
[Unit]
Description=Burrow checks on a systemd desktop host
After=multi-user.target systemd-logind.service
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
