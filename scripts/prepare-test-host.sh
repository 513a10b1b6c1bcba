#!/usr/bin/env bash
# Root plays the part a desktop's systemd plays, and nothing more: it creates the unprivileged test user
# with a subordinate id range, and a delegated cgroup (a sub-cgroup in each hierarchy, owned by that user).
# Everything Burrow does afterwards runs as that user.
# Usage (as root): prepare-test-host.sh USER CGROUP_NAME   -> prints the delegated cgroup dirs, one a line
set -euo pipefail
user=${1:?user}; cg=${2:?cgroup name}
if ! id "$user" >/dev/null 2>&1; then
  useradd --create-home --shell /bin/bash "$user"
fi
grep -q "^$user:" /etc/subuid || usermod --add-subuids 300000-365535 "$user"
grep -q "^$user:" /etc/subgid || usermod --add-subgids 300000-365535 "$user"
# The delegated cgroup: where the user's session would sit on a desktop (user@UID.service, Delegate=yes).
dirs=()
if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then
  dirs+=("/sys/fs/cgroup/$cg")
  # Pass the resource controllers down to it, as systemd does for user@.service (Delegate=yes).
  for c in memory pids cpu; do
    grep -qw "$c" /sys/fs/cgroup/cgroup.controllers && echo "+$c" >/sys/fs/cgroup/cgroup.subtree_control
  done
else
  [ -d /sys/fs/cgroup/systemd ] && dirs+=("/sys/fs/cgroup/systemd/$cg")
  [ -d /sys/fs/cgroup/unified ] && dirs+=("/sys/fs/cgroup/unified/$cg")
fi
for d in "${dirs[@]}"; do
  mkdir -p "$d"
  chown -R "$user:" "$d"
  echo "$d"
done
