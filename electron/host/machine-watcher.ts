// Every machine's state, pushed to whoever shows it: one watcher per host process, shared by every window
// and web connection (each used to poll every profile and state twice a second). Where changes come from:
// - inotify on the machines' config folder (a machine created or removed, by this host or the CLI), on the
//   runtime folder and on each machine's runtime folder (state.json replaced, the control socket appearing);
// - while a machine runs, its supervisor's own status events over its control socket, in the order they
//   happened (a boot can pass starting → running faster than any poll), and the socket's close when the
//   supervisor ends or dies (a supervisor killed outright writes nothing: statusOf then reads crashed).
// The runtime folder is trusted only as runtime-root.ts says (statusOf checks it on every read); a folder
// that is refused, missing or unwatchable never throws here: its machines read as what statusOf says,
// or nothing is sent until it is fixed, and where inotify refuses the watcher looks every few seconds.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isLive, type MachineStatus } from '../contract/machine-state';
import { ControlClient } from '../engine/control-client';
import { DisposableStore, toDisposable, type Disposable } from '../engine/disposable';
import { watchFolder, type FolderWatchOptions } from '../engine/folder-watch';
import { machineRuntimeDir, machinesDir, runtimeRoot } from '../engine/paths';
import { listProfiles } from '../engine/profiles';
import { statusOf } from '../engine/runtime-state';

type Listener = (status: MachineStatus) => void;

/** Events this close together are looked at once (an atomic write of state.json is three). */
const SETTLE_MS = 10;
/** Where inotify refuses (no watches left), how often the watcher looks instead. */
const FALLBACK_MS = 2000;
/** A supervisor that closes the connection at once (too many clients) is tried again after this, doubling to 5 s. */
const RETRY_MS = 250;

export interface MachineWatcherOptions {
  watch?: FolderWatchOptions['watch'];
  fallbackMs?: number;
  /** Where the watcher says that it fell back to looking (stderr by default). */
  log?: (line: string) => void;
}

/** What the watcher holds for one machine. */
interface Link {
  store: DisposableStore;
  /** The supervisor's own events, while it runs; undefined while none is connected. */
  client?: ControlClient;
  connecting: boolean;
  failures: number;
  notBefore: number;
}

export class MachineWatcher {
  private readonly listeners = new Set<Listener>();
  /** The last status sent per machine, as JSON: only changes are sent. */
  private readonly last = new Map<string, string>();
  private readonly links = new Map<string, Link>();
  private store = new DisposableStore();
  private readonly dirty = new Set<string>();
  private rescanDue = false;
  private timer?: NodeJS.Timeout;
  private running = false;
  private saidFallback = false;

  constructor(private readonly opts: MachineWatcherOptions = {}) {}

  /** Sends every change of any machine's status to `listener`; the first subscriber starts the watching, the last stops it. */
  subscribe(listener: Listener): Disposable {
    this.listeners.add(listener);
    if (!this.running) this.start();
    return toDisposable(() => {
      this.listeners.delete(listener);
      if (!this.listeners.size) this.stop();
    });
  }

  /** Looks at every machine now (after a call that changed one: the change is sent even where inotify is unavailable). */
  poke(): void {
    if (!this.running) return;
    this.rescanDue = true;
    this.schedule();
  }

  /** How many machines it holds a supervisor connection to (for tests and the bench). */
  get connections(): number {
    return [...this.links.values()].filter((l) => l.client && !l.client.closed).length;
  }

  private start(): void {
    this.running = true;
    this.store = new DisposableStore();
    this.store.add(watchFolder(machinesDir(), () => this.poke(), this.folderOptions(machinesDir())));
    const root = runtimeRoot();
    // The folder itself (replaced, its mode changed) is news for every machine; a machine's own folder watches itself.
    const own = path.basename(root);
    this.store.add(
      watchFolder(root, (name) => (name === undefined || name === own ? this.poke() : this.links.has(name) && this.refresh(name)), this.folderOptions(root)),
    );
    // What is there now is what the front ends list; only changes from here on are sent.
    this.rescan(true);
  }

  private folderOptions(dir: string): FolderWatchOptions {
    const fallbackMs = this.opts.fallbackMs ?? FALLBACK_MS;
    const log = this.opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
    return {
      fallbackMs,
      watch: this.opts.watch,
      onFallback: (reason) => {
        // Once: with no inotify watches left, every folder falls back at the same moment.
        if (!this.saidFallback)
          log(`burrow: cannot watch ${dir} (${reason}): machine states are looked at every ${fallbackMs / 1000} s instead of as they change`);
        this.saidFallback = true;
      },
    };
  }

  private stop(): void {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.store.dispose();
    for (const name of [...this.links.keys()]) this.unlink(name);
    this.last.clear();
    this.dirty.clear();
  }

  private refresh(name: string): void {
    this.dirty.add(name);
    this.schedule();
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      if (this.rescanDue) return this.rescan(false);
      const names = [...this.dirty];
      this.dirty.clear();
      for (const name of names) this.look(name, false);
    }, SETTLE_MS);
  }

  /** Which machines exist (their profiles), and each one's state. */
  private rescan(silent: boolean): void {
    this.rescanDue = false;
    this.dirty.clear();
    let names: string[];
    try {
      names = listProfiles().profiles.map((p) => p.name);
    } catch {
      return; // the config folder cannot be read: calls say why; the next change looks again
    }
    for (const name of [...this.links.keys()]) if (!names.includes(name)) this.unlink(name);
    for (const name of names) {
      if (!this.links.has(name)) this.link(name);
      this.look(name, silent);
    }
  }

  private link(name: string): void {
    const link: Link = { store: new DisposableStore(), connecting: false, failures: 0, notBefore: 0 };
    this.links.set(name, link);
    const dir = machineRuntimeDir(name);
    link.store.add(watchFolder(dir, () => this.refresh(name), this.folderOptions(dir)));
  }

  private unlink(name: string): void {
    const link = this.links.get(name);
    this.links.delete(name);
    this.last.delete(name);
    link?.client?.close();
    link?.store.dispose();
  }

  /** Reads the machine's state from its runtime folder, unless its supervisor is telling us itself. */
  private look(name: string, silent: boolean): void {
    const link = this.links.get(name);
    if (!link || (link.client && !link.client.closed)) return;
    let status: MachineStatus;
    try {
      status = statusOf(name);
    } catch {
      return; // a runtime folder refused as not private: calls say why; a change to it looks again
    }
    this.publish(status, silent);
    if (isLive(status) && !link.connecting && Date.now() >= link.notBefore && hasControlSocket(name)) this.connect(name, link);
  }

  private connect(name: string, link: Link): void {
    link.connecting = true;
    let heard = false;
    ControlClient.connect(name, {
      onStatus: (status) => {
        heard = true;
        link.failures = 0;
        if (status.name === name && this.links.get(name) === link) this.publish(status, false);
      },
      onClose: () => {
        link.client = undefined;
        if (this.links.get(name) !== link) return;
        if (!heard) this.retryLater(name, link);
        this.refresh(name); // ended, died, or refused us: the runtime folder says which
      },
    }).then(
      (client) => {
        link.connecting = false;
        if (this.links.get(name) === link && this.running) link.client = client;
        else client.close();
      },
      () => {
        link.connecting = false;
        if (this.links.get(name) === link) this.retryLater(name, link);
      },
    );
  }

  private retryLater(name: string, link: Link): void {
    const wait = Math.min(5000, RETRY_MS * 2 ** link.failures++);
    link.notBefore = Date.now() + wait;
    const timer = setTimeout(() => this.refresh(name), wait);
    link.store.add(toDisposable(() => clearTimeout(timer)));
  }

  private publish(status: MachineStatus, silent: boolean): void {
    const key = JSON.stringify(status);
    if (this.last.get(status.name) === key) return;
    this.last.set(status.name, key);
    if (silent) return;
    for (const listener of [...this.listeners]) {
      try {
        listener(status);
      } catch {
        /* one front end's failure is not the others' */
      }
    }
  }
}

function hasControlSocket(name: string): boolean {
  try {
    return fs.lstatSync(path.join(machineRuntimeDir(name), 'control.sock')).isSocket();
  } catch {
    return false;
  }
}

let shared: MachineWatcher | undefined;

/** The host process's one watcher: every window and web connection subscribes to it. */
export const machineWatcher = (): MachineWatcher => (shared ??= new MachineWatcher());
