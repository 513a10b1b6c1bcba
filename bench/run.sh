#!/usr/bin/env bash
# npm run bench: builds, then runs bench/bench.ts as the unprivileged test user (as root, after preparing
# the host as the tests do) or as yourself.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
node scripts/build.mjs
if [ "$(id -u)" != 0 ]; then
  images=${BURROW_TEST_IMAGES:-$HOME/.cache/burrow-test}
  bash scripts/build-test-images.sh "$images" >/dev/null
  BURROW_TEST_IMAGES=$images npx tsx ${BENCH_SCRIPT:-bench/bench.ts}
  exit 0
fi
user=${BURROW_TEST_USER:-burrowtest}; images=${BURROW_TEST_IMAGES:-/var/cache/burrow-test}
mapfile -t cgdirs < <(bash scripts/prepare-test-host.sh "$user" burrow-bench)
install -d -o "$user" -g "$user" "$images" "$repo/bench/results"
work=$(mktemp -d /tmp/burrow-bench.XXXXXX); tar --exclude=./.git -cf - . | tar -xf - -C "$work"; chown -R "$user:" "$work"; chmod 755 "$work"
trap 'cp "$work"/bench/results/*.json "$repo/bench/results/" 2>/dev/null || true; rm -rf "$work"' EXIT
# The peer, where it can run: systemd-nspawn, as root, on the same image (measured before the user's runs).
nspawn_env=""
if command -v systemd-nspawn >/dev/null && [ -s "$images/debian12.tar" ]; then
  peer=$(mktemp -d /tmp/burrow-nspawn.XXXXXX)
  tar --numeric-owner -xpf "$images/debian12.tar" -C "$peer" --exclude='./dev/*'
  python3 bench/nspawn-peer.py "$peer" "${BENCH_RUNS:-5}" "$work/bench/nspawn.json" && chown "$user:" "$work/bench/nspawn.json" && nspawn_env="BENCH_NSPAWN=$work/bench/nspawn.json"
  rm -rf "$peer"
fi
join=""; for d in "${cgdirs[@]}"; do join+="echo \$\$ > $d/cgroup.procs; "; done
# The bench's own settings (BENCH_RUNS, BENCH_ONLY, BENCH_SCRIPT, BENCH_BASE_CLI, ...) pass through env -i.
bench_env=$(env | grep -E '^BENCH_[A-Z_]+=[A-Za-z0-9_./-]*$' | tr '\n' ' ' || true)
bash -c "$join exec runuser -u $user -- env -i HOME=$(getent passwd "$user" | cut -d: -f6) PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin LANG=C.UTF-8 BURROW_TEST_IMAGES=$images $nspawn_env $bench_env bash -c 'cd $work && bash scripts/build-test-images.sh $images >/dev/null && npx tsx ${BENCH_SCRIPT:-bench/bench.ts}'"
