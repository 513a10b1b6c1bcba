// Who disposes a machine's terminals: the owner in sessions.ts, on a closed tab, a new launch, a stop or
// a removal. The xterms themselves are stood in for (their lifetimes in a real browser: e2e/web.lifetimes.spec.ts).
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { MachineListItem } from '../../electron/contract/api';

const made = vi.hoisted(() => ({ live: new Set<string>(), all: [] as string[] }));
vi.mock('./registry', () => ({
  createTerminal: (key: string) => {
    made.live.add(key);
    made.all.push(key);
    return { key, dispose: () => made.live.delete(key) };
  },
}));

const { MachineTerminals, followMachines, machineTerminals, terminalCount } = await import('./sessions');

beforeEach(() => {
  made.live.clear();
  made.all.length = 0;
});

describe("a machine's terminals", () => {
  it('has none while the machine is not live, and makes each on first use only', () => {
    const t = new MachineTerminals('web');
    expect(t.consoleTerminal()).toBeUndefined();
    t.follow('running', 'A');
    expect(t.consoleTerminal()).toBe(t.consoleTerminal());
    expect(t.shellTerminal(1)).toBe(t.shellTerminal(1));
    expect(t.shellTerminal(7)).toBeUndefined(); // no such tab
    expect([...made.live]).toEqual(['web:console:A', 'web:shell:A:1']);
  });

  it('disposes the last launch when the machine restarts, stops or goes', () => {
    const t = new MachineTerminals('web');
    t.follow('starting', 'A');
    t.consoleTerminal();
    t.shellTerminal(t.openShell());
    t.journalTerminal();
    expect(made.live.size).toBe(3);
    t.follow('running', 'A'); // the same launch: kept
    expect(made.live.size).toBe(3);
    t.follow('starting', 'B'); // a restart
    expect(made.live.size).toBe(0);
    expect(t.snapshot().tabs).toEqual({ ids: [1], current: 1 });
    t.consoleTerminal();
    t.follow('exited', 'B');
    expect(made.live.size).toBe(0);
    // Stopped: the console is the record of the last boot, read-only; no shell or journal session.
    expect(t.consoleTerminal()?.key).toBe('web:console-record:B');
    expect(t.shellTerminal(1)).toBeUndefined();
    expect(t.journalTerminal()).toBeUndefined();
    t.follow('starting', 'C'); // the next boot replaces the record with its live console
    expect([...made.live]).toEqual([]);
    expect(t.consoleTerminal()?.key).toBe('web:console:C');
  });

  it('closes a shell tab with its terminal; the last one closed leaves a fresh tab', () => {
    const t = new MachineTerminals('web');
    t.follow('running', 'A');
    t.shellTerminal(1);
    const two = t.openShell();
    t.shellTerminal(two);
    expect(t.snapshot().tabs).toEqual({ ids: [1, 2], current: 2 });
    t.closeShell(two);
    expect(t.snapshot().tabs).toEqual({ ids: [1], current: 1 });
    expect([...made.live]).toEqual(['web:shell:A:1']);
    t.closeShell(1);
    expect(made.live.size).toBe(0);
    expect(t.snapshot().tabs).toEqual({ ids: [3], current: 3 });
  });

  it('opens and closes 50 shells and 50 launches without keeping one', () => {
    const t = new MachineTerminals('web');
    for (let i = 0; i < 50; i++) {
      t.follow('running', `launch-${i}`);
      t.consoleTerminal();
      const id = t.openShell();
      t.shellTerminal(id);
      t.closeShell(id);
    }
    expect(made.all.length).toBe(100);
    expect([...made.live]).toEqual(['web:console:launch-49']);
  });

  it('tells views of tab and launch changes', () => {
    const t = new MachineTerminals('web');
    const seen: unknown[] = [];
    const off = t.subscribe(() => seen.push(t.snapshot()));
    t.follow('running', 'A');
    t.openShell();
    t.selectShell(1);
    off();
    t.openShell();
    expect(seen).toEqual([
      { launch: 'A', tabs: { ids: [1], current: 1 } },
      { launch: 'A', tabs: { ids: [1, 2], current: 2 } },
      { launch: 'A', tabs: { ids: [1, 2], current: 1 } },
    ]);
  });
});

describe('following every machine', () => {
  const item = (name: string, state: string, startedAt?: string) => ({ [name]: { status: { name, state, startedAt } } as unknown as MachineListItem });

  it("disposes a removed machine's terminals and follows the others' launches", () => {
    machineTerminals('a').follow('running', '1');
    machineTerminals('a').consoleTerminal();
    machineTerminals('b').follow('running', '1');
    machineTerminals('b').consoleTerminal();
    expect(terminalCount()).toBe(2);
    followMachines({ ...item('a', 'running', '2') }); // a restarted (by the CLI), b deleted
    expect(terminalCount()).toBe(0);
    expect(made.live.size).toBe(0);
  });
});
