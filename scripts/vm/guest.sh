#!/usr/bin/env bash
# Runs inside the qemu guest (scripts/vm/run-guest.sh), as root at boot: the working tree is shared at
# /mnt/repo and the test images at /mnt/images, both read-only. The guest is a host of the other kind from
# the build machine: pure cgroup v2 with its controllers, and offline (no network card). It runs the tests
# that need such a host, plus the core boot and lifecycle ones, as the unprivileged test user exactly as CI
# runs every other integration test, and reports their exit status on the serial console.
# BURROW_EXPECT_CONTROLLERS and BURROW_EXPECT_OFFLINE make those tests fail here instead of skipping.
set -uo pipefail
mkdir -p /mnt/images
mount -t 9p -o trans=virtio,version=9p2000.L,msize=1048576,ro images /mnt/images
echo "guest: $(date +%T) Linux $(uname -r), $(stat -fc %T /sys/fs/cgroup), controllers: $(cat /sys/fs/cgroup/cgroup.controllers)"
export BURROW_TEST_IMAGES=/mnt/images BURROW_EXPECT_CONTROLLERS=1 BURROW_EXPECT_OFFLINE=1 CI=1
files='test/integration/limits.test.ts test/integration/offline.test.ts test/integration/boot-debian12.test.ts test/integration/lifecycle.test.ts'
bash /mnt/repo/scripts/as-test-user.sh "node_modules/.bin/vitest run --config vitest.integration.config.ts $files"
status=$?
echo "guest: $(date +%T) done"
echo "BURROW_GUEST_EXIT=$status"
