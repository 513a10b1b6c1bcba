#!/usr/bin/env bash
# All the tests: typecheck, lint, unit tests, then the integration and browser suites, which boot real
# machines with real bubblewrap as an unprivileged user (scripts/as-test-user.sh: as root, CI, it first
# prepares the host as a desktop would and runs them as the test user). As root it finally runs the tests
# that need a real systemd desktop (units of the user's manager, limits, autostart) in a qemu guest
# (scripts/vm), a host of the kind this one is not.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

echo "== typecheck, lint"
npm run --silent typecheck
npm run --silent lint
echo "== packaging: npm run dist as far as it goes without the Electron download; the tree must still work"
node scripts/check-packaging.mjs
echo "== unit tests (after the packaging attempt, on purpose)"
npx vitest run
node scripts/build.mjs

echo "== test images, then the integration and browser tests"
bash scripts/as-test-user.sh 'echo "== test images ($BURROW_TEST_IMAGES, built unprivileged with mmdebstrap --mode=unshare)" &&
  bash scripts/build-test-images.sh "$BURROW_TEST_IMAGES" &&
  echo "== integration and browser tests as $(id -un)" &&
  npx vitest run --config vitest.integration.config.ts && npx playwright test'

if [ "$(id -u)" = 0 ]; then
  echo "== a systemd desktop in a qemu guest (systemd 257, logind, user bus, pure cgroup v2, offline): tests inside the test user's own session"
  bash scripts/vm/run-guest.sh "${BURROW_TEST_IMAGES:-/var/cache/burrow-test}/vm" "${BURROW_TEST_IMAGES:-/var/cache/burrow-test}"
else
  echo "== the systemd desktop guest (qemu): skipped, building its disk needs root (sudo npm test runs it)"
fi
