// `burrow doctor`: the host probe as a list of checks, each ok / warning / error with the exact fix.
import { apparmorUsernsCheck } from './apparmor-userns';
import type { HostFacts } from './host-probe';
import { limitsUnavailable } from './resource-limits';
import type { UserManagerFacts } from './user-manager';

export type CheckLevel = 'ok' | 'warning' | 'error';

export interface DoctorCheck {
  id: string;
  title: string;
  level: CheckLevel;
  detail: string;
  fix?: string;
}

export function runDoctor(h: HostFacts): DoctorCheck[] {
  const checks: DoctorCheck[] = [];
  const add = (c: DoctorCheck) => checks.push(c);

  if (!h.bwrap) add({ id: 'bwrap', title: 'bubblewrap', level: 'error', detail: 'bwrap is not installed', fix: 'sudo apt install bubblewrap' });
  else if (h.bwrap.setuidRoot)
    add({
      id: 'bwrap',
      title: 'bubblewrap',
      level: 'error',
      detail: `${h.bwrap.path} is setuid root: setuid bwrap refuses --cap-add, so systemd cannot keep the capabilities it needs`,
      fix: `sudo chmod u-s ${h.bwrap.path} (needs unprivileged user namespaces, see below)`,
    });
  else add({ id: 'bwrap', title: 'bubblewrap', level: 'ok', detail: `${h.bwrap.path} ${h.bwrap.version ?? ''}, not setuid` });

  const { maxUserNamespaces, unprivilegedClone, apparmorRestrict } = h.userns;
  if (maxUserNamespaces === 0)
    add({
      id: 'userns',
      title: 'user namespaces',
      level: 'error',
      detail: 'user.max_user_namespaces is 0',
      fix: 'sudo sysctl -w user.max_user_namespaces=15000',
    });
  else if (unprivilegedClone === 0)
    add({
      id: 'userns',
      title: 'user namespaces',
      level: 'error',
      detail: 'kernel.unprivileged_userns_clone is 0',
      fix: 'sudo sysctl -w kernel.unprivileged_userns_clone=1',
    });
  else if (apparmorRestrict === 1) add(apparmorUsernsCheck(h));
  else add({ id: 'userns', title: 'user namespaces', level: 'ok', detail: `unprivileged user namespaces allowed (max ${maxUserNamespaces ?? 'unknown'})` });

  const mapTools = [h.newuidmap, h.newgidmap];
  if (mapTools.some((t) => !t))
    add({
      id: 'uidmap',
      title: 'newuidmap/newgidmap',
      level: 'warning',
      detail: 'missing: machines fall back to a single uid, and services with User= fail',
      fix: 'sudo apt install uidmap',
    });
  else if (mapTools.some((t) => !t!.setuidRoot))
    add({
      id: 'uidmap',
      title: 'newuidmap/newgidmap',
      level: 'warning',
      detail: 'present but not setuid root: they work only if they carry file capabilities (cap_setuid/cap_setgid)',
      fix: 'sudo chmod u+s $(command -v newuidmap newgidmap)',
    });
  else add({ id: 'uidmap', title: 'newuidmap/newgidmap', level: 'ok', detail: `${h.newuidmap!.path}, setuid` });

  if (!h.unshare) add({ id: 'unshare', title: 'unshare', level: 'error', detail: 'unshare is not installed', fix: 'sudo apt install util-linux' });
  else if (!h.unshare.mapAuto)
    add({
      id: 'unshare',
      title: 'unshare',
      level: 'warning',
      detail: 'unshare has no --map-auto (util-linux older than 2.38): machines fall back to a single uid',
      fix: 'upgrade util-linux to 2.38 or later',
    });
  else add({ id: 'unshare', title: 'unshare', level: 'ok', detail: `${h.unshare.path} supports --map-auto` });

  if (!h.subuid || !h.subgid) {
    add({
      id: 'subid',
      title: 'subordinate ids',
      level: 'warning',
      detail: `no range for ${h.user} in /etc/subuid or /etc/subgid: machines fall back to a single uid`,
      fix: `sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 ${h.user}`,
    });
  } else if (h.subuid.count < 65536) {
    add({
      id: 'subid',
      title: 'subordinate ids',
      level: 'warning',
      detail: `only ${h.subuid.count} subordinate uids: images with ids above ${h.subuid.count - 1} (nobody is 65534) lose their owners`,
      fix: `give ${h.user} a range of 65536: sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 ${h.user}`,
    });
  } else
    add({ id: 'subid', title: 'subordinate ids', level: 'ok', detail: `uids ${h.subuid.start}+${h.subuid.count}, gids ${h.subgid.start}+${h.subgid.count}` });

  const cg = h.cgroups;
  if (cg.layout === 'none')
    add({
      id: 'cgroup-layout',
      title: 'cgroup layout',
      level: 'error',
      detail: 'no cgroup file system under /sys/fs/cgroup',
      fix: 'boot the host with systemd (it mounts cgroup2 there)',
    });
  else
    add({
      id: 'cgroup-layout',
      title: 'cgroup layout',
      level: 'ok',
      detail: `${cg.layout}${cg.layout === 'hybrid' ? ' (v1 controllers, name=systemd, and cgroup v2 at /sys/fs/cgroup/unified)' : ''}`,
    });

  const manager = h.userManager?.facts;
  if (manager) addUserManagerChecks(add, manager, h.user);
  else addPlainCgroupChecks(add, h);

  const net = h.network;
  if (net.pasta && !net.online) {
    const detail = `the host has no network connection right now (no default route), which pasta needs`;
    if (net.slirp4netns)
      add({
        id: 'network',
        title: 'nat networking',
        level: 'ok',
        detail: `${detail}: nat machines use ${net.slirp4netns} (slirp4netns) until it has one; forwards work, outbound access once online`,
      });
    else
      add({
        id: 'network',
        title: 'nat networking',
        level: 'warning',
        detail: `${detail}: nat machines may fail to start until the host is online; isolated and host modes work`,
        fix: 'sudo apt install slirp4netns (works offline)',
      });
  } else if (net.pasta)
    add({
      id: 'network',
      title: 'nat networking',
      level: 'ok',
      detail: `${net.pasta} (pasta): outbound access and port forwards; forwarded host ports start at ${net.unprivilegedPortStart}`,
    });
  else if (net.slirp4netns)
    add({
      id: 'network',
      title: 'nat networking',
      level: 'warning',
      detail: `pasta is missing, ${net.slirp4netns} (slirp4netns) serves nat machines instead, more slowly`,
      fix: 'sudo apt install passt',
    });
  else
    add({
      id: 'network',
      title: 'nat networking',
      level: 'warning',
      detail: 'neither pasta nor slirp4netns is installed: machines in nat mode (the default) cannot start; isolated and host modes work',
      fix: 'sudo apt install passt',
    });
  // Machines on one user network find each other by name (user-network.ts): the holder plugs them in with ip.
  if (net.ip) add({ id: 'user-network', title: 'user networks', level: 'ok', detail: `${net.ip}: nat machines on one network reach each other by name` });
  else
    add({
      id: 'user-network',
      title: 'user networks',
      level: 'warning',
      detail: 'the ip command is missing: nat machines work, but cannot reach each other by name',
      fix: 'sudo apt install iproute2',
    });

  // Measured: a Debian machine's systemd, journald, logind and dbus hold 8 to 12 inotify instances,
  // and past the limit systemd dies at boot with "Failed to allocate manager object: Too many open files".
  const inotify = h.inotifyInstances;
  if (inotify !== undefined && inotify < 512) {
    const room = `about ${Math.floor(inotify / 12)} machines at once (each uses 8 to 12; more fail to boot with "Too many open files")`;
    const fix = 'sudo sysctl -w fs.inotify.max_user_instances=1024 (and add it to /etc/sysctl.d/ to keep it)';
    add({ id: 'inotify', title: 'inotify instances', level: 'warning', detail: `fs.inotify.max_user_instances is ${inotify}: ${room}`, fix });
  } else if (inotify !== undefined) add({ id: 'inotify', title: 'inotify instances', level: 'ok', detail: `fs.inotify.max_user_instances is ${inotify}` });

  if (!h.nsenter)
    add({
      id: 'nsenter',
      title: 'nsenter',
      level: 'error',
      detail: 'nsenter is not installed: shells, logs and health checks need it',
      fix: 'sudo apt install util-linux',
    });
  else add({ id: 'nsenter', title: 'nsenter', level: 'ok', detail: h.nsenter.path });

  add({
    id: 'nnp',
    title: 'privileges inside',
    level: 'ok',
    detail: 'bwrap sets no-new-privileges: root inside can become other users (su, runuser), but no user can become root with sudo or su',
  });
  return checks;
}

type Add = (c: DoctorCheck) => void;

const LIMIT_CONTROLLERS = ['memory', 'pids', 'cpu'];

/** A systemd desktop: machines are units of the user's manager, which delegates and limits them. */
function addUserManagerChecks(add: Add, m: UserManagerFacts, user: string): void {
  const units = 'each machine is its own unit (burrow-NAME.service: systemctl --user status, journalctl --user -u)';
  const detail = `systemd${m.version ? ` ${m.version}` : ''} runs your session: ${units}, apart from the terminal or window that started it`;
  add({ id: 'user-manager', title: 'systemd user manager', level: 'ok', detail });
  add({ id: 'cgroup-delegation', title: 'delegated cgroup', level: 'ok', detail: "systemd gives each machine's unit its own delegated cgroup (Delegate=yes)" });
  const missing = LIMIT_CONTROLLERS.filter((c) => !m.controllers.includes(c));
  add(
    missing.length
      ? {
          id: 'cgroup-controllers',
          title: 'resource controllers',
          level: 'warning',
          detail:
            `your user manager has no ${missing.join(', ')} controller (it has: ${m.controllers.join(' ') || 'none'}): ` +
            'machines boot, but those limits cannot be applied',
          fix: `an administrator adds them: sudo systemctl edit user@.service, then [Service] Delegate=cpu memory pids`,
        }
      : {
          id: 'cgroup-controllers',
          title: 'resource controllers',
          level: 'ok',
          detail: 'memory, pids and cpu: systemd applies --memory, --pids and --cpus as MemoryMax=, TasksMax= and CPUQuota= of the unit',
        },
  );
  add(
    m.linger
      ? {
          id: 'linger',
          title: 'machines at logout',
          level: 'ok',
          detail: 'linger is on: running machines keep running after you log out, and machines enabled with burrow enable start at boot',
        }
      : {
          id: 'linger',
          title: 'machines at logout',
          level: 'ok',
          detail:
            'linger is off: when your last session ends, your user manager stops and halts running machines cleanly; ' +
            'machines enabled with burrow enable start at your next login',
          fix: `to keep machines running after logout and start enabled ones at boot: loginctl enable-linger ${user}`,
        },
  );
}

/** Anywhere else (containers, WSL, hybrid hosts, no systemd): machines live in the cgroup Burrow was started in. */
function addPlainCgroupChecks(add: Add, h: HostFacts): void {
  const cg = h.cgroups;
  const probe = h.userManager;
  add({
    id: 'user-manager',
    title: 'systemd user manager',
    level: 'warning',
    detail:
      `none: ${probe?.absent ?? 'not looked for'}. Machines then run in the cgroup Burrow was started from, so they end with whatever ends it ` +
      "(a logout that ends the session's processes, a container stopping), cannot start at login, and get limits only where that cgroup passes controllers on",
    fix: probe?.unanswered
      ? 'check your session: systemctl --user status (a broken user bus or manager)'
      : 'on a systemd desktop, log in through a session (libpam-systemd starts a user manager for ssh and console logins too)',
  });
  const delegated = cg.unified?.writable || cg.systemd?.writable;
  if (delegated) {
    const dirs = [cg.unified?.writable && cg.unified.dir, cg.systemd?.writable && cg.systemd.dir].filter(Boolean).join(' and ');
    add({ id: 'cgroup-delegation', title: 'delegated cgroup', level: 'ok', detail: `machines get sub-cgroups of ${dirs}` });
  } else {
    add({
      id: 'cgroup-delegation',
      title: 'delegated cgroup',
      level: 'error',
      detail: `your cgroup ${cg.unified?.dir ?? cg.systemd?.dir ?? ''} is not writable by you and there is no systemd user manager to delegate one`,
      fix: 'log in through a systemd session (user@.service delegates a cgroup tree to you), or have root create one and chown it to you',
    });
  }
  if (cg.unified?.writable) {
    // The same judgement the launch plan makes for a machine with limits.
    const why = limitsUnavailable(cg, ['memory', 'pids', 'cpu']);
    add({
      id: 'cgroup-controllers',
      title: 'resource controllers',
      level: why ? 'warning' : 'ok',
      detail: why ? `${why}: machines boot, but memory, pids and CPU limits cannot be applied` : 'memory, pids and cpu are delegated',
      fix: why ? 'where root sets up your cgroup: pass the controllers on to it (cgroup.subtree_control of its parent)' : undefined,
    });
  }
}

export const doctorVerdict = (checks: DoctorCheck[]): CheckLevel =>
  checks.some((c) => c.level === 'error') ? 'error' : checks.some((c) => c.level === 'warning') ? 'warning' : 'ok';
