// The host side of the contract: one object that answers every call and emits every event. Electron's
// main process and the web host each wrap it in their transport; both validate payloads before it runs.
import * as os from 'node:os';
import type { CallArgs, CallName, CallResults, EventName, EventPayloads, MachineListItem, PlanView, RootfsView } from '../contract/api';
import { isEnterable, type MachineStatus } from '../contract/machine-state';
import { describeIssues, profileSchema } from '../contract/profile';
import { DisposableStore, toDisposable, type Disposable } from '../engine/disposable';
import { doctorVerdict, runDoctor } from '../engine/doctor';
import { BurrowError, errorMessage } from '../engine/errors';
import { probeHost } from '../engine/host-probe';
import { whyLimitsUnavailable } from '../engine/launch-plan';
import { layoutIdMap } from '../engine/share-user';
import { autostartStates, disableMachine, enableMachine } from '../engine/autostart';
import {
  appliedProfile,
  createMachine,
  editMachine,
  listMachines,
  machineUsage,
  planMachine,
  removeMachine,
  resetMachine,
  restartMachine,
  startMachine,
  stopMachine,
} from '../engine/machines';
import { loadProfile } from '../engine/profiles';
import { keepSpareSupervisor } from '../engine/spare-supervisor';
import { inspectRootfs, validateRootfs, assertRootfsDir } from '../engine/rootfs';
import { runtimeFiles, statusOf } from '../engine/runtime-state';
import { readConsoleLog } from '../engine/console-log';
import { shellFold } from '../engine/shell-quote';
import { inspectImage } from '../engine/image-inspect';
import { listImages, loadImage, machinesUsing, removeImage } from '../engine/image-store';
import { completePath } from './fs-complete';
import { imageJobs } from './image-jobs';
import { lifecycleJobs } from './lifecycle-jobs';
import { diskUsageReport } from '../engine/disk-usage';
import { listSnapshots, removeSnapshotOf } from '../engine/snapshots';
import { liveMounts, loginInfo, readJournal } from './machine-queries';
import { machineWatcher } from './machine-watcher';
import { TerminalManager } from './terminals';
import { listUnits, unitAction, unitStatus } from './unit-queries';

type Handler<K extends CallName> = (...args: CallArgs<K>) => Promise<CallResults[K]> | CallResults[K];
type Emit = <E extends EventName>(event: E, payload: EventPayloads[E]) => void;

/** Calls after which the watcher looks at once, so their transitions reach listeners even where inotify is unavailable. */
const CHANGING_CALLS = new Set<CallName>([
  'machines.create',
  'machines.update',
  'machines.remove',
  'machines.reset',
  'machines.start',
  'machines.stop',
  'machines.kill',
  'machines.restart',
  'machines.clone',
  'machines.restore',
]);

function rootfsView(path: string): RootfsView {
  const host = probeHost();
  const { map } = layoutIdMap(path, host);
  try {
    assertRootfsDir(path);
    const info = validateRootfs(path, map);
    return { rootfs: path, distro: info.distro, init: info.init, systemdVersion: info.systemdVersion, ownership: info.ownership };
  } catch (e) {
    let partial: RootfsView = { rootfs: path, ownership: [] };
    try {
      const info = inspectRootfs(path, map);
      partial = { rootfs: path, distro: info.distro, init: info.init, systemdVersion: info.systemdVersion, ownership: info.ownership };
    } catch {
      /* not even a folder */
    }
    return { ...partial, error: errorMessage(e) };
  }
}

function planView(draft: unknown): PlanView {
  const parsed = profileSchema.safeParse(draft);
  if (!parsed.success) throw new BurrowError('invalid-input', describeIssues(parsed.error));
  const { plan, rootfs } = planMachine(parsed.data);
  return {
    commandLine: shellFold(plan.argv),
    mounts: plan.mounts.map(({ args: _a, ...m }) => m),
    cgroup: plan.cgroup,
    idMapping: plan.idMapping,
    display: plan.display,
    warnings: plan.warnings,
    risks: plan.risks,
    network: { mode: plan.network.mode, ports: plan.network.ports, helper: plan.network.helper?.argv.join(' ') },
    limits: { writes: plan.limits.writes, unavailable: plan.limits.unavailable },
    rootfs: { rootfs: rootfs.rootfs, distro: rootfs.distro, init: rootfs.init, systemdVersion: rootfs.systemdVersion, ownership: rootfs.ownership },
  };
}

async function item(name: string): Promise<MachineListItem> {
  const profile = loadProfile(name);
  const status = statusOf(name);
  return { profile, status, applied: appliedProfile(name, status), autostart: (await autostartStates([profile])).get(name) };
}

/** Every machine, with whether it starts at login where the host can do that. */
async function listWithAutostart(): Promise<CallResults['machines.list']> {
  const { machines, broken } = listMachines();
  const autostart = await autostartStates(machines.map((m) => m.profile));
  const applied = (m: (typeof machines)[number]) => appliedProfile(m.profile.name, m.status);
  return { machines: machines.map((m) => ({ ...m, applied: applied(m), autostart: autostart.get(m.profile.name) })), broken };
}

/** What only a desktop shell can do; the web host has none of it. */
export interface DesktopHooks {
  pickFolder(): Promise<string | null>;
  pickImageFile(): Promise<string | null>;
}

export class ApiHost implements Disposable {
  private readonly store = new DisposableStore();
  private readonly listeners = new Set<Emit>();
  /** Machine states come from the host process's one watcher (machine-watcher.ts), shared by every connection. */
  private readonly watcher = machineWatcher();
  private readonly terminals: TerminalManager;

  constructor(
    private readonly transport: 'electron' | 'web',
    private readonly desktop?: DesktopHooks,
  ) {
    const emit: Emit = (event, payload) => {
      for (const l of this.listeners) l(event, payload);
    };
    this.terminals = new TerminalManager({ data: (id, data) => emit('terminal.data', { id, data }), exit: (id, code) => emit('terminal.exit', { id, code }) });
    this.store.add(toDisposable(() => this.terminals.dispose()));
    this.store.add(this.watcher.subscribe((status) => emit('machines.changed', status)));
    // A window boots machines from a running process: with a supervisor loaded ahead, only the boot remains.
    this.store.add(keepSpareSupervisor());
    this.store.add(imageJobs.onProgress((p) => emit('images.progress', p)));
    this.store.add(lifecycleJobs.onProgress((p) => emit('lifecycle.progress', p)));
    this.store.add(
      this.onEvent((event, payload) => {
        const s = payload as MachineStatus;
        // Shells and journals end with the machine's PID 1 (its console closes by itself).
        if (event === 'machines.changed' && !isEnterable(s)) this.terminals.closeMachine(s.name);
      }),
    );
  }

  onEvent(listener: Emit): Disposable {
    this.listeners.add(listener);
    return toDisposable(() => this.listeners.delete(listener));
  }

  private readonly handlers: { [K in CallName]: Handler<K> } = {
    'host.doctor': () => {
      const checks = runDoctor(probeHost());
      return { verdict: doctorVerdict(checks), checks };
    },
    'host.info': () => {
      const host = probeHost();
      return {
        user: os.userInfo().username,
        home: os.homedir(),
        transport: this.transport,
        platform: `${os.type()} ${os.release()}`,
        portStart: host.network.unprivilegedPortStart,
        limits: {
          memory: whyLimitsUnavailable(host, ['memory']),
          pids: whyLimitsUnavailable(host, ['pids']),
          cpu: whyLimitsUnavailable(host, ['cpu']),
        },
      };
    },
    'machines.list': () => listWithAutostart(),
    'machines.get': (name) => item(name),
    'machines.plan': (draft) => planView(draft),
    'machines.create': (profile) => {
      createMachine(profile.name, profile.rootfs, () => profile);
      return item(profile.name);
    },
    'machines.update': async (profile) => {
      const { changed, restartNeeded } = await editMachine(profile.name, () => profile);
      return { item: await item(profile.name), changed, restartNeeded };
    },
    'machines.remove': async (name) => {
      await removeMachine(name);
      return null;
    },
    'machines.start': (name) => this.started(name),
    'machines.stop': (name) => stopMachine(name, 'stop'),
    'machines.kill': (name) => stopMachine(name, 'kill'),
    'machines.restart': (name) => this.started(name, restartMachine),
    'machines.reset': (name) => resetMachine(name),
    'machines.setAutostart': async (name, on) => {
      if (on) return { autostart: true, notes: (await enableMachine(name)).notes };
      await disableMachine(name);
      return { autostart: false, notes: [] };
    },
    'machines.units': (name) => listUnits(name),
    'machines.unitAction': (name, unit, action) => unitAction(name, unit, action),
    'machines.unitStatus': (name, unit) => unitStatus(name, unit),
    'machines.liveMounts': (name) => liveMounts(name),
    'machines.usage': (name) => {
      loadProfile(name);
      return machineUsage(name) ?? null;
    },
    'machines.journal': (name, q) => readJournal(name, q),
    'machines.lastConsole': (name) => {
      loadProfile(name); // a machine that does not exist is said so, not shown an empty console
      return readConsoleLog(runtimeFiles(name).consoleTail).toString('utf8');
    },
    'machines.loginInfo': (name) => loginInfo(name),
    'machines.snapshots': (name) => listSnapshots(name, { sizes: true }),
    'machines.snapshot': (name, { label }) => lifecycleJobs.snapshot(name, label),
    'machines.restore': (name, id, { stop }) => lifecycleJobs.restore(name, id, stop),
    'machines.snapshotRemove': async (name, id) => {
      await removeSnapshotOf(name, id);
      return null;
    },
    'machines.clone': ({ source, name }) => lifecycleJobs.clone(source, name),
    'machines.export': ({ source, file, oci }) => lifecycleJobs.export(source, file, oci),
    'lifecycle.cancel': (job) => lifecycleJobs.cancel(job),
    'jobs.list': () => ({ images: imageJobs.list(), lifecycle: lifecycleJobs.list() }),
    'disk.usage': () => diskUsageReport(),
    'rootfs.inspect': (p) => rootfsView(p),
    'fs.complete': (prefix) => completePath(prefix),
    'terminal.open': async ({ machine, kind, cols, rows }) => ({ id: await this.terminals.open(machine, kind, cols, rows) }),
    'terminal.input': (id, data) => {
      this.terminals.input(id, data);
      return null;
    },
    'terminal.resize': (id, cols, rows) => {
      this.terminals.resize(id, cols, rows);
      return null;
    },
    'terminal.ack': (id, chars) => {
      this.terminals.ack(id, chars);
      return null;
    },
    'terminal.close': (id) => {
      this.terminals.close(id);
      return null;
    },
    'images.list': () => listImages().map((image) => ({ image, machines: machinesUsing(image) })),
    'images.inspect': (name) => inspectImage(loadImage(name)),
    'images.create': ({ name, suite, packages }) => imageJobs.create(name, suite, packages),
    'images.import': ({ name, source, copy }) => imageJobs.import(name, source, copy),
    'images.cancel': (name) => imageJobs.cancel(name),
    'images.remove': (name) => {
      removeImage(name);
      return null;
    },
    'dialog.pickImageFile': () => {
      if (!this.desktop) throw new BurrowError('invalid-input', 'the browser build has no file picker', "type the file's path");
      return this.desktop.pickImageFile();
    },
    'dialog.pickRootfs': () => {
      if (!this.desktop)
        throw new BurrowError('invalid-input', 'the browser build has no folder picker', "type the folder's path; suggestions come from the host");
      return this.desktop.pickFolder();
    },
  };

  /** Starts a machine; `starting` and every later state reach listeners as they happen (the watcher sees them). */
  private started(name: string, how: typeof startMachine = startMachine): Promise<MachineStatus> {
    return how(name);
  }

  /** Events the desktop shell raises itself (menu commands). */
  emit<E extends EventName>(event: E, payload: EventPayloads[E]): void {
    for (const l of this.listeners) l(event, payload);
  }

  /** Runs a call whose arguments the transport already validated with parseCall. */
  async call<K extends CallName>(name: K, args: CallArgs<K>): Promise<CallResults[K]> {
    const handler = this.handlers[name] as Handler<K>;
    try {
      return await handler(...args);
    } finally {
      if (CHANGING_CALLS.has(name)) this.watcher.poke();
    }
  }

  dispose(): void {
    this.listeners.clear();
    this.store.dispose();
  }
}
