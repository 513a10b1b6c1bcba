#!/usr/bin/env bash
# All the tests: typecheck, lint, unit tests, then the integration and browser suites, which boot real
# machines with real bubblewrap as an unprivileged user. Run as root (CI), it first prepares the host as a
# desktop would (scripts/prepare-test-host.sh) and runs those suites as the test user.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

echo "== typecheck, lint, unit tests"
npm run --silent typecheck
npm run --silent lint
npx vitest run
node scripts/build.mjs

suites='npx vitest run --config vitest.integration.config.ts'
suites+=' && npx playwright test'

if [ "$(id -u)" != 0 ]; then
  images=${BURROW_TEST_IMAGES:-$HOME/.cache/burrow-test}
  echo "== test images ($images)"
  bash scripts/build-test-images.sh "$images"
  echo "== integration and browser tests as $(id -un)"
  BURROW_TEST_IMAGES=$images bash -c "$suites"
  exit 0
fi

user=${BURROW_TEST_USER:-burrowtest}
images=${BURROW_TEST_IMAGES:-/var/cache/burrow-test}
echo "== preparing the host as a desktop would: user $user, subordinate ids, delegated cgroup"
mapfile -t cgdirs < <(bash scripts/prepare-test-host.sh "$user" burrow-ci)
home=$(getent passwd "$user" | cut -d: -f6)
# A nearly full disk, for the "not enough disk space" tests: a small tmpfs the test user owns.
small=/mnt/burrow-small-fs
mkdir -p "$small"
mountpoint -q "$small" || mount -t tmpfs -o size=64m,mode=0755 burrow-small "$small"
chown "$user:" "$small"
install -d -o "$user" -g "$user" "$images"

# The test user may not be able to read this clone (CI clones under root's home): give it a copy.
work=$(mktemp -d /tmp/burrow-ci.XXXXXX)
tar --exclude=./.git -cf - . | tar -xf - -C "$work"
chown -R "$user:" "$work"
chmod 755 "$work"
trap 'status=$?; cp -r "$work/e2e/artifacts" "$repo/e2e/" 2>/dev/null || true; rm -rf "$work" 2>/dev/null || true; exit $status' EXIT

as_user() { # runs "$1" as the test user, inside the delegated cgroup
  local join=""
  for d in "${cgdirs[@]}"; do join+="echo \$\$ > $d/cgroup.procs; "; done
  bash -c "$join exec runuser -u $user -- env -i HOME=$home USER=$user LOGNAME=$user PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin LANG=C.UTF-8 CI=${CI:-} BURROW_TEST_IMAGES=$images BURROW_TEST_SMALL_FS=$small bash -c 'cd $work && $1'"
}

echo "== test images ($images, built unprivileged with mmdebstrap --mode=unshare)"
as_user "bash scripts/build-test-images.sh $images"
echo "== integration and browser tests as $user"
as_user "$suites"
