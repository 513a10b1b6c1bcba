#!/usr/bin/env bash
# Runs inside the qemu guest (scripts/vm/run-guest.sh), as root at boot: the working tree is shared at
# /mnt/repo and the test images at /mnt/images, both read-only. The guest is a systemd desktop host, the
# other kind from the build machine: systemd 257, pure cgroup v2 with its controllers, logind, a user bus,
# offline (no network card). Root only waits for the test user's manager and, once, restarts it (a logout
# and login); every test runs as that user inside its own systemd session, where machines become units of
# its manager: first as an app would (a transient service of the user's systemd), then as an ssh or console
# login would (runuser -l: a session-N.scope). BURROW_EXPECT_* turn the tests' skips into failures here.
set -uo pipefail
mkdir -p /mnt/images
mount -t 9p -o trans=virtio,version=9p2000.L,msize=1048576,ro images /mnt/images
user=burrowtest
uid=$(id -u "$user")
echo "guest: $(date +%T) Linux $(uname -r), $(systemctl --version | head -1), $(stat -fc %T /sys/fs/cgroup), controllers: $(cat /sys/fs/cgroup/cgroup.controllers)"
# A development run names another script on the kernel command line (BURROW_GUEST_SCRIPT in run-guest.sh).
script=$(sed -n 's/.*burrow\.script=\([^ ]*\).*/\1/p' /proc/cmdline)
if [ -n "$script" ]; then bash "/mnt/repo/$script"; echo "BURROW_GUEST_EXIT=$?"; exit 0; fi
wait_for_manager() {
  for _ in $(seq 120); do systemctl is-active -q "user@$uid.service" && return 0; sleep 1; done
  echo "guest: user@$uid.service did not start"; return 1
}
wait_for_manager || { echo "BURROW_GUEST_EXIT=1"; exit 1; }
echo "guest: user@$uid.service is $(systemctl is-active "user@$uid.service"), linger for: $(ls /var/lib/systemd/linger)"

# Under qemu's emulation (TCG, no KVM) everything runs several times slower: the tests' waits scale.
[ "$(systemd-detect-virt)" = kvm ] && scale=1 || scale=6
echo "guest: $(systemd-detect-virt), time scale $scale"
env_for_tests=(BURROW_TEST_IMAGES=/mnt/images BURROW_EXPECT_CONTROLLERS=1 BURROW_EXPECT_OFFLINE=1 BURROW_EXPECT_USER_MANAGER=1 BURROW_TIME_SCALE=$scale CI=1 LANG=C.UTF-8)
# As an app on the desktop: a transient service of the user's own systemd.
in_session() {
  systemd-run --machine="$user@.host" --user --wait --pipe --quiet --collect "${env_for_tests[@]/#/--setenv=}" bash -c "$1"
}
# As an ssh or console login: pam_systemd puts the shell in a session scope that root owns.
in_login() {
  runuser -l "$user" -c "export ${env_for_tests[*]}; $1"
}
vitest='node_modules/.bin/vitest run --config vitest.integration.config.ts'
where='echo "tests run as $(id -un) in cgroup $(sed -n "s/^0:://p" /proc/self/cgroup)"'
status=0
# The tree as the tests need it: packaging, lint and browser tools stay behind (a quarter of the files,
# which 9p under emulation copies slowly).
skip='--exclude=./.git --exclude=./e2e/artifacts'
for d in electron-winstaller app-builder-lib electron-builder dmg-builder jsdom @typescript-eslint eslint @eslint prettier; do skip+=" --exclude=./node_modules/$d"; done
in_session "rm -rf ~/work && mkdir ~/work && tar -C /mnt/repo $skip -cf - . | tar -xf - -C ~/work" || status=1

echo "== as an app of the user's session: limits, offline nat, boot, lifecycle, machines as units"
in_session "$where; cd ~/work && $vitest test/integration/limits.test.ts test/integration/offline.test.ts test/integration/boot-debian12.test.ts test/integration/lifecycle.test.ts test/integration/desktop-session.test.ts" || status=1

echo "== from a login session, as ssh gives one (the other desktop-session tests ran above)"
in_login "$where; cd ~/work && $vitest test/integration/desktop-session.test.ts -t 'runs as its own unit|halts cleanly'" || status=1

echo "== autostart: enabled, then the user logs out and in again (the manager restarts)"
in_session "cd ~/work && BURROW_AUTOSTART_PHASE=enable $vitest test/integration/autostart.test.ts" || status=1
systemctl restart "user@$uid.service" && wait_for_manager || status=1
in_session "cd ~/work && BURROW_AUTOSTART_PHASE=check $vitest test/integration/autostart.test.ts" || status=1

echo "guest: $(date +%T) done"
echo "BURROW_GUEST_EXIT=$status"
