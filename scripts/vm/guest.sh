#!/usr/bin/env bash
# Runs inside the qemu guest (scripts/vm/run-guest.sh), as root at boot: the working tree is shared at
# /mnt/repo and the test images at /mnt/images, both read-only. It runs the resource-limit tests as the
# unprivileged test user, exactly as CI runs every other integration test, and reports their exit status
# on the serial console. BURROW_EXPECT_CONTROLLERS makes a missing controller a failure, not a skip.
set -uo pipefail
mkdir -p /mnt/images
mount -t 9p -o trans=virtio,version=9p2000.L,msize=1048576,ro images /mnt/images
echo "guest: $(date +%T) Linux $(uname -r), $(stat -fc %T /sys/fs/cgroup), controllers: $(cat /sys/fs/cgroup/cgroup.controllers)"
export BURROW_TEST_IMAGES=/mnt/images BURROW_EXPECT_CONTROLLERS=1 CI=1
bash /mnt/repo/scripts/as-test-user.sh 'node_modules/.bin/vitest run --config vitest.integration.config.ts test/integration/limits.test.ts'
status=$?
echo "guest: $(date +%T) done"
echo "BURROW_GUEST_EXIT=$status"
