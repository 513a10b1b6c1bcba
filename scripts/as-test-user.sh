#!/usr/bin/env bash
# Runs a bash command line the way the integration and browser tests need it: as an unprivileged user
# with subordinate ids and a delegated cgroup, in a copy of this tree, with BURROW_TEST_IMAGES set.
# As a user, the command simply runs here. As root (CI), root first plays the desktop's part and nothing
# more (scripts/prepare-test-host.sh: the test user, its /etc/subuid range, a delegated cgroup) plus a
# small tmpfs for the "not enough disk space" tests, then runs the command as that user.
# Usage: as-test-user.sh COMMAND
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
command=${1:?usage: as-test-user.sh COMMAND}

if [ "$(id -u)" != 0 ]; then
  export BURROW_TEST_IMAGES=${BURROW_TEST_IMAGES:-$HOME/.cache/burrow-test}
  exec bash -c "$command"
fi

user=${BURROW_TEST_USER:-burrowtest}
images=${BURROW_TEST_IMAGES:-/var/cache/burrow-test}
echo "== preparing the host as a desktop would: user $user, subordinate ids, delegated cgroup"
mapfile -t cgdirs < <(bash scripts/prepare-test-host.sh "$user" burrow-ci)
home=$(getent passwd "$user" | cut -d: -f6)
# X servers' socket folder, root's and sticky, as a desktop has it (x11-common makes it at boot): the display
# test's Xwayland listens there.
install -d -m 1777 -o root -g root /tmp/.X11-unix
# A nearly full disk, for the "not enough disk space" tests: a small tmpfs the test user owns.
small=/mnt/burrow-small-fs
mkdir -p "$small"
mountpoint -q "$small" || mount -t tmpfs -o size=64m,mode=0755 burrow-small "$small"
chown "$user:" "$small"
# The test user builds the images here (in the qemu guest it is a read-only share that already has them).
install -d -o "$user" -g "$user" "$images" 2>/dev/null || [ -d "$images" ]

# The test user may not be able to read this clone (CI clones under root's home): give it a copy.
work=$(mktemp -d /tmp/burrow-ci.XXXXXX)
tar --exclude=./.git --exclude=./e2e/artifacts -cf - . | tar -xf - -C "$work"
chown -R "$user:" "$work"
chmod 755 "$work"
trap 'status=$?; cp -r "$work/e2e/artifacts" "$repo/e2e/" 2>/dev/null || true; rm -rf "$work" 2>/dev/null || true; exit $status' EXIT

join=""
for d in "${cgdirs[@]}"; do join+="echo \$\$ > $d/cgroup.procs; "; done
bash -c "$join exec runuser -u $user -- env -i HOME=$home USER=$user LOGNAME=$user PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin LANG=C.UTF-8 CI=${CI:-} BURROW_TEST_IMAGES=$images BURROW_TEST_SMALL_FS=$small ${BURROW_EXPECT_CONTROLLERS:+BURROW_EXPECT_CONTROLLERS=1} ${BURROW_EXPECT_OFFLINE:+BURROW_EXPECT_OFFLINE=1} bash -c 'cd $work && $command'"
