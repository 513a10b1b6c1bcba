// The machine's own setup of your user in it: a oneshot unit that its systemd runs at every boot, before
// multi-user.target (so before READY=1), whichever way the machine was started (burrow, its unit, a pasted
// command). It makes the share user where the image lacks it (with the image's own useradd), gives it its
// runtime folder /run/user/UID, and puts the display's X11 socket where X clients look.
//
// The unit and its script are written into the machine's host folder (bound read-only at /run/host) by
// the launch step, and the unit is bound into /run/systemd/system, the runtime unit folder, with its
// wants link: nothing of the image is changed to have it.
import type { ResolvedShareUser } from '../contract/share';
import type { PlannedMount } from './launch-plan-types';

export const SETUP_UNIT = 'burrow-setup.service';
const SETUP_SCRIPT = 'burrow-setup.sh';

export interface GuestSetup {
  /** Files for the host folder (name → content), written before the machine starts. */
  files: { name: string; content: string }[];
  mounts: PlannedMount[];
}

/** The boot script: every value in it comes from the profile (checked there), none from the image. */
export function setupScript(user: ResolvedShareUser, extra: string[] = []): string {
  return [
    '#!/bin/sh',
    '# Burrow: your user in this machine (its files are yours on the host), made once where the image lacks it.',
    `uid=${user.uid} gid=${user.gid} name=${user.name}`,
    'shell=/bin/sh; [ -x /bin/bash ] && shell=/bin/bash',
    'if ! getent group "$gid" >/dev/null; then',
    '  groupadd -g "$gid" "$name" 2>/dev/null || echo "$name:x:$gid:" >>/etc/group',
    'fi',
    'if ! getent passwd "$uid" >/dev/null; then',
    '  if command -v useradd >/dev/null; then',
    '    useradd -m -u "$uid" -g "$gid" -s "$shell" -c "$name (Burrow)" "$name" || echo "burrow: could not add user $name ($uid)" >&2',
    '  else',
    '    echo "$name:x:$uid:$gid:$name (Burrow):/home/$name:$shell" >>/etc/passwd',
    '    mkdir -p "/home/$name" && chown "$uid:$gid" "/home/$name" && chmod 700 "/home/$name"',
    '  fi',
    'fi',
    'install -d -m 0700 -o "$uid" -g "$gid" "/run/user/$uid"',
    ...extra,
    'exit 0',
    '',
  ].join('\n');
}

export function setupUnit(user: ResolvedShareUser): string {
  return [
    '[Unit]',
    `Description=Burrow: your user in this machine (${user.name}, uid ${user.uid})`,
    'After=systemd-sysusers.service systemd-tmpfiles-setup.service local-fs.target',
    'Before=multi-user.target systemd-user-sessions.service',
    '',
    '[Service]',
    'Type=oneshot',
    'RemainAfterExit=yes',
    `ExecStart=/bin/sh /run/host/${SETUP_SCRIPT}`,
    '',
  ].join('\n');
}

/** A folder made before bwrap makes it as a parent of a bind (then 0700): readable by the machine's users. */
export const publicDir = (dest: string): PlannedMount => ({
  type: 'dir',
  dest,
  origin: 'runtime',
  options: 'mode=0755',
  args: ['--perms', '0755', '--dir', dest],
});

export function planGuestSetup(user: ResolvedShareUser, hostDir: string, extra: string[] = []): GuestSetup {
  return {
    files: [
      { name: SETUP_UNIT, content: setupUnit(user) },
      { name: SETUP_SCRIPT, content: setupScript(user, extra) },
    ],
    mounts: [
      // bwrap makes the parents of a bind 0700: these are systemd's, which its services must reach (its notify socket).
      ...['/run/systemd', '/run/systemd/system', '/run/systemd/system/multi-user.target.wants'].map(publicDir),
      {
        type: 'ro-bind',
        source: `${hostDir}/${SETUP_UNIT}`,
        dest: `/run/systemd/system/${SETUP_UNIT}`,
        origin: 'runtime',
        note: `makes ${user.name} (uid ${user.uid}) at boot where missing`,
      },
      { type: 'symlink', target: `../${SETUP_UNIT}`, dest: `/run/systemd/system/multi-user.target.wants/${SETUP_UNIT}`, origin: 'runtime' },
    ],
  };
}
