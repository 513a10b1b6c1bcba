// Who owns a machine's terminals: one MachineTerminals per machine, holding the console, the journal
// (journalctl -f) and the shells of its current launch, or, once it stopped, the console its last boot
// printed (a read-only record). It makes them (on first view) and disposes them: a shell tab closed, a new
// launch (a restart gives a new console and new shells; the old ones' host ends are gone), the machine
// stopped or deleted. They survive tab and machine switches in between, as a terminal user expects of a session.
// Each xterm holds up to 10,000 lines of scrollback: before this, every restart and shell tab left one
// behind until the machine was deleted.
import type { MachineListItem } from '../../electron/contract/api';
import { isLive, type MachineState } from '../../electron/contract/machine-state';
import { getApi } from '../api/client';
import { createTerminal, type LiveTerminal } from './registry';

export interface ShellTabs {
  ids: readonly number[];
  current: number;
}

/** What views render from (replaced whole on each change, for useSyncExternalStore). */
export interface TerminalsState {
  /** startedAt of the launch the terminals belong to; undefined while the machine is not live. */
  launch?: string;
  /** startedAt of the last launch of a machine that is not live (its console is a record then). */
  last?: string;
  tabs: ShellTabs;
}

export class MachineTerminals {
  private state: TerminalsState = { tabs: { ids: [1], current: 1 } };
  private console?: LiveTerminal;
  private journal?: LiveTerminal;
  private readonly shells = new Map<number, LiveTerminal>();
  private next = 2;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly machine: string) {}

  /** Follows the machine's status: a new launch, or none, ends the terminals of the last one. */
  follow(state: MachineState, startedAt: string | undefined): void {
    const live = isLive(state);
    const launch = live ? (startedAt ?? '') : undefined;
    const last = live ? undefined : (startedAt ?? '');
    if (launch === this.state.launch && last === this.state.last) return;
    this.disposeTerminals();
    this.next = 2;
    this.set({ launch, last, tabs: { ids: [1], current: 1 } });
  }

  /**
   * The console of the current launch, made on first use; once the machine stopped, what its last boot
   * printed (kept by its supervisor in the runtime folder); undefined before follow() heard of it.
   */
  consoleTerminal(): LiveTerminal | undefined {
    const { launch, last } = this.state;
    if (launch !== undefined) return (this.console ??= createTerminal(`${this.machine}:console:${launch}`, this.machine, 'console'));
    if (last === undefined) return undefined;
    const record = () => getApi().invoke('machines.lastConsole', this.machine);
    return (this.console ??= createTerminal(`${this.machine}:console-record:${last}`, this.machine, 'console', { record }));
  }

  /** `journalctl -f` in the current launch, made on first use. */
  journalTerminal(): LiveTerminal | undefined {
    const { launch } = this.state;
    if (launch === undefined) return undefined;
    return (this.journal ??= createTerminal(`${this.machine}:journal:${launch}`, this.machine, 'journal'));
  }

  /** Shell `id` of the current launch, made on first use; undefined for a tab that is closed. */
  shellTerminal(id: number): LiveTerminal | undefined {
    const { launch, tabs } = this.state;
    if (launch === undefined || !tabs.ids.includes(id)) return undefined;
    let shell = this.shells.get(id);
    if (!shell) {
      shell = createTerminal(`${this.machine}:shell:${launch}:${id}`, this.machine, 'shell');
      this.shells.set(id, shell);
    }
    return shell;
  }

  /** For React's useSyncExternalStore. */
  snapshot = (): TerminalsState => this.state;

  openShell(): number {
    const id = this.next++;
    this.set({ ...this.state, tabs: { ids: [...this.state.tabs.ids, id], current: id } });
    return id;
  }

  selectShell(id: number): void {
    const { tabs } = this.state;
    if (!tabs.ids.includes(id) || tabs.current === id) return;
    this.set({ ...this.state, tabs: { ...tabs, current: id } });
  }

  /** Closes a shell tab: its xterm and its shell on the host end here. The last tab closed leaves a fresh one. */
  closeShell(id: number): void {
    this.shells.get(id)?.dispose();
    this.shells.delete(id);
    const { tabs } = this.state;
    const ids = tabs.ids.filter((x) => x !== id);
    if (!ids.length) ids.push(this.next++);
    const current = ids.includes(tabs.current) ? tabs.current : ids[ids.length - 1]!;
    this.set({ ...this.state, tabs: { ids, current } });
  }

  /** For React's useSyncExternalStore. */
  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** How many xterms this machine holds (for the lifetime tests). */
  get size(): number {
    return (this.console ? 1 : 0) + (this.journal ? 1 : 0) + this.shells.size;
  }

  dispose(): void {
    this.disposeTerminals();
    this.state = { tabs: { ids: [1], current: 1 } };
    this.listeners.clear();
  }

  private disposeTerminals(): void {
    this.console?.dispose();
    this.console = undefined;
    this.journal?.dispose();
    this.journal = undefined;
    for (const shell of this.shells.values()) shell.dispose();
    this.shells.clear();
  }

  private set(state: TerminalsState): void {
    this.state = state;
    for (const l of [...this.listeners]) l();
  }
}

const byMachine = new Map<string, MachineTerminals>();

/** The terminals of `machine` (an owner is made on first ask, and lives until the machine is gone). */
export function machineTerminals(machine: string): MachineTerminals {
  let set = byMachine.get(machine);
  if (!set) {
    set = new MachineTerminals(machine);
    byMachine.set(machine, set);
  }
  return set;
}

/** Brings every owner in line with the machines the host lists: launches followed, removed machines' terminals disposed. */
export function followMachines(machines: Record<string, MachineListItem>): void {
  for (const [name, set] of byMachine) {
    const item = machines[name];
    if (item) set.follow(item.status.state, item.status.startedAt);
    else {
      set.dispose();
      byMachine.delete(name);
    }
  }
}

/** Every xterm the window holds (for the lifetime tests: window.__burrowTerminals in the page). */
export const terminalCount = (): number => [...byMachine.values()].reduce((n, s) => n + s.size, 0);
