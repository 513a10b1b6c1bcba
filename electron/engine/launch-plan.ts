// The launch plan: a pure function from a profile and probed host facts to the exact argv that boots
// the machine. Nothing here touches the host, so the plan can be shown, printed and unit-tested.
import * as path from 'node:path';
import { parseByteSize } from '../contract/plain';
import type { MachineProfile, Mount } from '../contract/profile';
import { riskyChoices } from '../contract/risks';
import { planCgroups } from './cgroup-plan';
import { isResolved } from '../contract/share';
import { planDisplay, type DisplayFacts } from './display-plan';
import { BurrowError } from './errors';
import { planGuestSetup } from './guest-setup';
import { canMapAuto, type HostFacts } from './host-probe';
import { buildIdMap, describeIdMap, type IdMap } from './idmap';
import type { LaunchPlan, PlannedMount } from './launch-plan-types';
import { joinCgroupsShell, raiseOomScoreShell } from './cgroups';
import { planNetwork } from './network-plan';
import { overlayMountScript, type OverlayPaths } from './overlay';
import { limitProperties, unitCgroupDir, UNIT_SLICE } from './machine-unit';
import { limitsUnavailable, limitWrites, type Controller } from './resource-limits';
import type { RootfsInfo } from './rootfs';
import { planShares } from './share-plan';
import { shellQuote } from './shell-quote';
import { nestedUserNamespacePrefix, planUserNetwork } from './user-network';
import { userNamespacePrefix, usernsTools } from './userns';

export type { LaunchPlan, PlannedMount } from './launch-plan-types';

export interface PlanInput {
  profile: MachineProfile;
  host: HostFacts;
  rootfs: RootfsInfo;
  /** The machine's runtime folder ($XDG_RUNTIME_DIR/burrow/NAME). */
  runtimeDir: string;
  /** When a supervisor runs the plan: bwrap writes its info JSON (child-pid) to this path on fd 3. */
  infoPath?: string;
  /** persistent and ephemeral storage: the image under an overlay. */
  overlay?: OverlayPaths;
  /** The host's view of a path with its links resolved (so a link to ~/.ssh counts as ~/.ssh); none: paths as written. */
  realpath?: (p: string) => string | undefined;
  /** This session's display sockets (display-plan.ts), for a machine with the display switch on. */
  display?: DisplayFacts;
}

export const GUEST_HOST_DIR = '/run/host';
/** A machine pasted by hand from `burrow command` runs in this scope of the user's systemd (where there is one). */
export const byHandScope = (machine: string): string => `burrow-${machine}-by-hand.scope`;
export const GUEST_NOTIFY_SOCKET = `${GUEST_HOST_DIR}/notify`;

/**
 * The id mapping a profile gets on this host: `auto` falls back to `single` (with a warning) when it cannot
 * be set up. With a share user (machines made since shares), that user is you inside; without one (machines
 * and images made before), root is.
 */
export function resolveIdMap(requested: 'auto' | 'single', host: HostFacts, user?: { uid?: number; gid?: number }): { map: IdMap; warnings: string[] } {
  const warnings: string[] = [];
  let mode = requested;
  if (mode === 'auto' && !canMapAuto(host)) {
    mode = 'single';
    const why =
      !host.subuid || !host.subgid
        ? `you have no range in /etc/subuid and /etc/subgid`
        : !host.unshare?.mapAuto
          ? `unshare lacks --map-auto (util-linux 2.38 or later)`
          : `newuidmap/newgidmap are missing (package uidmap)`;
    warnings.push(`id mapping falls back to a single uid: ${why}. Services with User= (dbus, apache's workers) will fail.`);
  } else if (mode === 'single') {
    warnings.push("single-uid mapping: only root exists inside, so services with User= (dbus, apache's workers) will fail.");
  }
  const guest = user?.uid !== undefined && user.gid !== undefined ? { uid: user.uid, gid: user.gid } : undefined;
  return { map: buildIdMap(mode, { uid: host.uid, gid: host.gid }, { uid: host.subuid, gid: host.subgid }, guest), warnings };
}

/**
 * Why limits on these controllers cannot be applied to a machine on this host, or undefined where they can:
 * the plan says it for a machine's limits, the window for each limit field before anything is planned.
 */
export function whyLimitsUnavailable(host: HostFacts, needed: Controller[], hasUnifiedDir = !!host.cgroups.unified): string | undefined {
  if (!needed.length) return undefined;
  const manager = host.userManager?.facts;
  if (manager) return missingInManager(manager.controllers, needed);
  return hasUnifiedDir ? limitsUnavailable(host.cgroups, needed) : 'the machine has no cgroup v2 directory on this host';
}

function missingInManager(controllers: string[], needed: Controller[]): string | undefined {
  const missing = needed.filter((c) => !controllers.includes(c));
  if (!missing.length) return undefined;
  const plural = missing.length > 1 ? 's' : '';
  const has = controllers.join(' ') || 'none';
  return `your systemd user manager (user@.service) has no ${missing.join(', ')} controller${plural} to give its units (it has: ${has})`;
}

function mountArgs(m: Mount | PlannedMount): string[] {
  switch (m.type) {
    case 'bind':
    case 'ro-bind':
    case 'dev-bind':
      return [`--${m.type}${'optional' in m && m.optional ? '-try' : ''}`, m.source!, m.dest];
    case 'tmpfs':
      return [
        ...('size' in m && m.size ? ['--size', String(parseByteSize(m.size))] : []),
        ...('mode' in m && m.mode ? ['--perms', m.mode.padStart(4, '0')] : []),
        '--tmpfs',
        m.dest,
      ];
    case 'dir':
      return [...('mode' in m && m.mode ? ['--perms', m.mode.padStart(4, '0')] : []), '--dir', m.dest];
    case 'symlink':
      return ['--symlink', m.target!, m.dest];
    default:
      return [`--${m.type}`, m.dest];
  }
}

function describeOptions(m: Mount): string | undefined {
  const parts: string[] = [];
  if ('size' in m && m.size) parts.push(`size=${m.size}`);
  if ('mode' in m && m.mode) parts.push(`mode=${m.mode}`);
  if ('optional' in m && m.optional) parts.push('optional');
  return parts.length ? parts.join(',') : undefined;
}

function toPlanned(m: Mount): PlannedMount {
  return {
    ...('source' in m ? { source: m.source } : {}),
    ...('target' in m ? { target: m.target } : {}),
    type: m.type,
    dest: m.dest,
    options: describeOptions(m),
    origin: 'profile',
    args: mountArgs(m),
  };
}

function uuidFromHex(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The small /bin/sh step before the user namespace: make the runtime folder, join the machine's payload cgroups.
 * The per-user runtime folder is made private (0700), as Burrow insists on when it reads it back.
 */
function launchScript(
  runtimeDir: string,
  hostDir: string,
  cgroupDirs: string[],
  infoPath?: string,
  blockFifo?: string,
  overlay?: OverlayPaths,
  files: { name: string; content: string }[] = [],
): string {
  const join = joinCgroupsShell(cgroupDirs) + raiseOomScoreShell();
  // A FIFO opened read-write never blocks the open itself; bwrap's read waits for the supervisor's byte.
  const fifo = blockFifo ? `rm -f ${shellQuote(blockFifo)}; mkfifo -m 600 ${shellQuote(blockFifo)}; ` : '';
  const dirs = overlay ? `mkdir -p ${[overlay.upper, overlay.work, overlay.merged].map(shellQuote).join(' ')}; ` : '';
  const folders = `mkdir -p -m 700 ${shellQuote(path.dirname(runtimeDir))}; mkdir -p ${shellQuote(hostDir)}; `;
  // The machine's setup unit and script (guest-setup.ts), written here so that a pasted command has them too.
  const written = files.map((f) => `printf %s ${shellQuote(f.content)} >${shellQuote(path.join(hostDir, f.name))}; `).join('');
  const fds = `${infoPath ? ` 3>${shellQuote(infoPath)}` : ''}${blockFifo ? ` 4<>${shellQuote(blockFifo)}` : ''}`;
  return `set -e; ${folders}${written}${dirs}${fifo}${join}exec "$@"${fds}`;
}

export function buildLaunchPlan(input: PlanInput): LaunchPlan {
  const { profile, host, rootfs } = input;
  if (!host.bwrap)
    throw new BurrowError('host-not-ready', 'bubblewrap (bwrap) is not installed', "install it: sudo apt install bubblewrap (or your distribution's package)");
  if (host.bwrap.setuidRoot) {
    throw new BurrowError(
      'host-not-ready',
      `${host.bwrap.path} is setuid root, and setuid bwrap refuses --cap-add, which systemd needs`,
      'install the non-setuid bubblewrap from your distribution (chmod u-s on it), with unprivileged user namespaces enabled',
    );
  }
  if (!profile.namespaces.pid)
    throw new BurrowError(
      'invalid-input',
      'the pid namespace is off, but systemd must run as PID 1 of its own pid namespace',
      'turn the pid namespace back on',
    );
  if (!rootfs.init) throw new BurrowError('rootfs-invalid', `rootfs ${rootfs.rootfs} has no init`);

  const { map, warnings } = resolveIdMap(profile.idMapping, host, profile.shareUser);
  // With a systemd user manager the machine runs in its own unit: a service under its supervisor, or a
  // delegated scope when the command is pasted by hand.
  const manager = host.userManager?.facts;
  const unitName = manager && (input.infoPath ? `burrow-${profile.name}.service` : byHandScope(profile.name));
  const unit =
    manager && unitName
      ? { name: unitName, dir: input.infoPath ? unitCgroupDir(manager, profile.name) : `${manager.cgroupDir}/${UNIT_SLICE}/${unitName}` }
      : undefined;
  const cg = planCgroups(profile.cgroups, host.cgroups, rootfs.systemdVersion, profile.name, profile.machineId, unit?.dir);
  if (!profile.namespaces.cgroup) {
    throw new BurrowError(
      'invalid-input',
      `the cgroup namespace is off, but the ${cg.presentation} presentation binds the machine's own cgroup as its root`,
      'turn the cgroup namespace back on',
    );
  }
  const network = planNetwork(profile.network, host.network, input.runtimeDir);
  warnings.push(...network.warnings);
  // A supervised nat machine joins its user network (user-network.ts); one pasted by hand gets no network helper either.
  const userNet =
    input.infoPath && network.helper
      ? planUserNetwork({ profile, map, host, runtimeDir: input.runtimeDir, ip: host.network.ip, nsenter: host.nsenter?.path, manager })
      : undefined;
  if (userNet?.warning) warnings.push(userNet.warning);
  const writes = limitWrites(profile.limits);
  const unifiedDir = cg.dirs.find((d) => d.hierarchy === 'unified')?.hostDir;
  const needed = [...new Set(writes.map((w) => w.controller))];
  const limitsWhyNot = whyLimitsUnavailable(host, needed, !!unifiedDir);
  if (limitsWhyNot) warnings.push(`resource limits will not be applied: ${limitsWhyNot}.`);
  if (!profile.mounts.some((m) => m.dest === '/sys')) warnings.push('nothing is mounted at /sys: systemd needs it (add ro-bind /sys /sys).');
  if (!profile.mounts.some((m) => m.dest === '/proc' && m.type === 'proc')) warnings.push('no proc file system at /proc: systemd needs one.');
  if (profile.capabilities.add !== 'ALL' && !profile.capabilities.add.includes('CAP_SYS_ADMIN'))
    warnings.push('without CAP_SYS_ADMIN systemd cannot mount its API file systems and will not boot.');

  const hostDir = path.join(input.runtimeDir, 'host');
  const overlay = input.overlay;
  const rootNote = overlay ? `${rootfs.distro ?? 'the image'} under an overlay (${profile.storage}: changes go to ${overlay.upper})` : rootfs.distro;
  const mounts: PlannedMount[] = [{ type: 'bind', source: overlay ? overlay.merged : profile.rootfs, dest: '/', origin: 'rootfs', note: rootNote }];
  const remounts: PlannedMount[] = [];
  for (const m of profile.mounts) (m.type === 'remount-ro' ? remounts : mounts).push(toPlanned(m));
  // Shares and the display are for your user in the machine; one of the old map has none (machine-plan.ts refuses them).
  const display = planDisplay(map.user ? profile.display : undefined, input.display ?? { absent: {} });
  if (display.missing.length) warnings.push(`display: nothing to pass for ${display.missing.join('; ')}.`);
  const setup = map.user && isResolved(profile.shareUser) ? planGuestSetup(profile.shareUser, hostDir, display.setup) : undefined;
  mounts.push(...planShares(profile.shares), ...display.mounts, ...(setup?.mounts ?? []));
  mounts.push(...cg.mounts);
  mounts.push({ type: 'ro-bind', source: hostDir, dest: GUEST_HOST_DIR, origin: 'runtime', note: 'readiness socket, container-manager' });
  mounts.push(...remounts, ...cg.finalMounts);

  const bwrap: string[] = [host.bwrap.path];
  // With an overlay, unshare makes the user namespace (to mount it) even for a single-uid mapping.
  if (map.mode === 'single' && !overlay) bwrap.push('--unshare-user', '--uid', '0', '--gid', '0');
  const ns = profile.namespaces;
  if (ns.pid) bwrap.push('--unshare-pid');
  if (network.unshare) bwrap.push('--unshare-net');
  if (ns.ipc) bwrap.push('--unshare-ipc');
  if (ns.uts) bwrap.push('--unshare-uts');
  if (ns.cgroup) bwrap.push('--unshare-cgroup');
  for (const m of mounts) bwrap.push(...(m.args ?? mountArgs(m)));
  if (ns.uts) bwrap.push('--hostname', profile.hostname);
  bwrap.push('--clearenv');
  const env: Record<string, string> = {
    ...profile.env,
    NOTIFY_SOCKET: GUEST_NOTIFY_SOCKET,
    container_uuid: uuidFromHex(profile.machineId),
  };
  for (const [k, v] of Object.entries(env)) bwrap.push('--setenv', k, v);
  bwrap.push('--chdir', '/');
  if (profile.capabilities.add === 'ALL') bwrap.push('--cap-add', 'ALL');
  else for (const c of profile.capabilities.add) bwrap.push('--cap-add', c);
  for (const c of profile.capabilities.drop) bwrap.push('--cap-drop', c);
  // --new-session: PID 1 gets no controlling terminal, so a console resize never reaches it as SIGWINCH
  // (kbrequest.target) and nothing inside can push input into the host's terminal (TIOCSTI).
  bwrap.push('--new-session', '--die-with-parent', '--as-pid-1');
  if (input.infoPath) bwrap.push('--info-fd', '3');
  // The network helper configures the namespace once PID 1 exists; PID 1 waits for it on fd 4.
  const blockFifo = input.infoPath && network.helper ? path.join(input.runtimeDir, 'start.fifo') : undefined;
  if (blockFifo) bwrap.push('--block-fd', '4');

  const initArgv = [...rootfs.init];
  if (rootfs.systemdVersion !== undefined) for (const unit of profile.maskUnits) initArgv.push(`systemd.mask=${unit}`);

  // By hand, with a user manager: the scope systemd-run makes, delegated and limited like the service.
  // systemd-run finds the manager through $XDG_RUNTIME_DIR, which Burrow's own runtime folder may not be under.
  const managerEnv = manager && path.dirname(path.dirname(input.runtimeDir)) !== manager.runtimeDir ? ['env', `XDG_RUNTIME_DIR=${manager.runtimeDir}`] : [];
  const scope =
    unit && !input.infoPath
      ? [
          ...managerEnv,
          manager!.systemdRun,
          '--user',
          '--scope',
          '--quiet',
          `--unit=${unit.name}`,
          `--slice=${UNIT_SLICE}`,
          '--property=Delegate=yes',
          ...limitProperties(profile.limits).map(([k, v]) => `--property=${k}=${v}`),
          '--',
        ]
      : [];
  const script = launchScript(
    input.runtimeDir,
    hostDir,
    cg.dirs.map((d) => d.payload),
    input.infoPath,
    blockFifo,
    overlay,
    setup?.files,
  );
  const prefix = [...scope, '/bin/sh', '-c', script, 'burrow-launch'];
  const tools = usernsTools(host);
  const newUserns = userNet?.plan
    ? nestedUserNamespacePrefix(userNet.plan, { nsenter: host.nsenter!.path, unshare: tools.unshare }, input.runtimeDir, { mount: !!overlay })
    : userNamespacePrefix(map, tools, { mount: !!overlay });
  const userns = overlay ? [...newUserns, '/bin/sh', '-c', overlayMountScript(overlay), 'burrow-overlay'] : newUserns;
  const argv = [...prefix, ...userns, ...bwrap, '--', ...initArgv];
  return {
    machine: profile.name,
    argv,
    bwrapIndex: prefix.length + userns.length,
    initArgv,
    mounts,
    cgroup: { presentation: cg.presentation, reason: cg.reason, hostLayout: cg.hostLayout, dirs: cg.dirs, unit: unit?.name },
    idMapping: {
      mode: map.mode,
      description: describeIdMap(map),
      ...(map.user ? { user: { ...map.user, name: profile.shareUser?.name } } : {}),
    },
    display: profile.display ? { passed: display.passed, missing: display.missing } : undefined,
    network: { mode: network.mode, ports: network.ports, helper: network.helper, blockFifo, userNetwork: userNet?.plan },
    limits: { writes, requested: profile.limits, unavailable: limitsWhyNot },
    storage: { mode: profile.storage, overlay },
    hostDir,
    notifySocket: path.join(hostDir, 'notify'),
    systemdVersion: rootfs.systemdVersion,
    distro: rootfs.distro,
    warnings,
    risks: riskyChoices(profile, { home: host.home, uid: host.uid, realpath: input.realpath }),
  };
}
