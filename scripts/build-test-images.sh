#!/usr/bin/env bash
# Builds the test images unprivileged with mmdebstrap --mode=unshare and caches them as tarballs.
# Usage: build-test-images.sh CACHE_DIR   (run as the unprivileged test user)
# Each image is written to a temporary name and renamed when complete, so a cache never holds half an image.
set -euo pipefail
cache=${1:?usage: build-test-images.sh CACHE_DIR}
mirror=${BURROW_MIRROR:-http://deb.debian.org/debian}
mkdir -p "$cache"
# Docs, man pages and locales are left out: smaller images, same boot.
slim=(--dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*'
      --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/info/*')
build() { # NAME SUITE PACKAGES [extra mmdebstrap options...]
  local name=$1 suite=$2 pkgs=$3; shift 3
  local out="$cache/$name.tar"
  if [ -s "$out" ]; then echo "image $name: cached at $out"; return; fi
  echo "image $name: building Debian $suite with $pkgs"
  rm -f "$out.partial"
  mmdebstrap --mode=unshare --variant=minbase --format=tar --include="$pkgs" "${slim[@]}" "$@" \
    "$suite" "$out.partial" "$mirror" >"$cache/$name.log" 2>&1 \
    || { echo "image $name: mmdebstrap failed, see $cache/$name.log" >&2; tail -5 "$cache/$name.log" >&2; rm -f "$out.partial"; return 1; }
  mv "$out.partial" "$out"
  echo "image $name: built ($(du -h "$out" | cut -f1))"
}
build debian12 bookworm systemd,systemd-sysv,dbus,apache2,curl,procps
# sshd for `burrow ssh` and the generated ssh configuration (test/integration/ssh.test.ts).
build debian12-ssh bookworm systemd,systemd-sysv,dbus,openssh-server,procps
build debian13 trixie systemd,systemd-sysv,dbus --aptopt='Acquire::Check-Valid-Until "false"'
# A Wayland client (wayland-info) and X11 ones (xrandr, xset) for the display test, which connects them to a
# headless Weston (and its Xwayland) on the host.
build debian12-display bookworm systemd,systemd-sysv,dbus,wayland-utils,x11-xserver-utils,procps
