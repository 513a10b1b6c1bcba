// Clones, exports, snapshots and restores started from a window. Like image jobs they belong to the host
// process, not to one connection: every window sees their progress (lifecycle.progress), a reload does not
// cancel them, and any window can cancel them.
import type { CallResults } from '../contract/api';
import type { LifecycleKind, LifecycleProgress } from '../contract/lifecycle';
import { cloneMachine } from '../engine/clone';
import { toDisposable, type Disposable } from '../engine/disposable';
import { BurrowError, errorMessage, isBurrowError } from '../engine/errors';
import { exportMachine } from '../engine/export';
import { restoreSnapshot, takeSnapshot } from '../engine/snapshots';

type Listener = (p: LifecycleProgress) => void;
type Report = (p: Pick<LifecycleProgress, 'phase'> & Partial<Pick<LifecycleProgress, 'bytes' | 'totalBytes' | 'entries'>>) => void;

class LifecycleJobs {
  private readonly running = new Map<string, AbortController>();
  /** Each running job's last progress, whether or not it was sent (listed to a window that opens meanwhile). */
  private readonly latest = new Map<string, LifecycleProgress>();
  private readonly listeners = new Set<Listener>();

  onProgress(listener: Listener): Disposable {
    this.listeners.add(listener);
    return toDisposable(() => this.listeners.delete(listener));
  }

  private emit(p: LifecycleProgress): void {
    for (const l of this.listeners) l(p);
  }

  /** One job per key at a time; progress at most every 100 ms, and one last report with how it ended. */
  private async run<T>(kind: LifecycleKind, key: string, machine: string, work: (signal: AbortSignal, report: Report) => Promise<T>): Promise<T> {
    const job = `${kind}:${key}`;
    if (this.running.has(job)) throw new BurrowError('already-running', `a ${kind} of ${key} is already running`, 'wait for it, or cancel it');
    const controller = new AbortController();
    this.running.set(job, controller);
    let last: LifecycleProgress = { job, kind, machine, phase: 'starting', bytes: 0, totalBytes: 0, entries: 0 };
    let lastAt = 0;
    this.latest.set(job, last);
    this.emit(last);
    try {
      const result = await work(controller.signal, (p) => {
        last = { ...last, ...p };
        this.latest.set(job, last);
        if (Date.now() - lastAt < 100) return;
        lastAt = Date.now();
        this.emit(last);
      });
      this.emit({ ...last, phase: 'done', done: 'ok' });
      return result;
    } catch (e) {
      const cancelled = isBurrowError(e) && e.code === 'cancelled';
      this.emit({ ...last, done: cancelled ? 'cancelled' : 'failed', message: errorMessage(e) });
      throw e;
    } finally {
      this.running.delete(job);
      this.latest.delete(job);
    }
  }

  /** The jobs running now, each with its last progress. */
  list(): LifecycleProgress[] {
    return [...this.latest.values()];
  }

  cancel(job: string): boolean {
    const controller = this.running.get(job);
    controller?.abort();
    return !!controller;
  }

  async clone(source: string, name: string): Promise<CallResults['machines.clone']> {
    const r = await this.run('clone', name, source.split('@')[0]!, (signal, report) => cloneMachine(source, name, { signal, onProgress: report }));
    return {
      name,
      droppedPorts: r.droppedPorts,
      copiedBytes: r.copiedBytes,
      notes: r.notes,
      ms: r.ms,
      ...(r.frozenMs !== undefined ? { frozenMs: r.frozenMs } : {}),
    };
  }

  async export(source: string, file: string, oci = false): Promise<CallResults['machines.export']> {
    const r = await this.run('export', source, source.split('@')[0]!, (signal, report) =>
      exportMachine(source, file, { signal, onProgress: report, onExport: report, oci }),
    );
    const extra = { ...(r.frozenMs !== undefined ? { frozenMs: r.frozenMs } : {}), ...(r.ociReference ? { ociReference: r.ociReference } : {}) };
    return { file: r.file, bytes: r.bytes, ms: r.ms, ...extra };
  }

  async snapshot(machine: string, label: string | undefined): Promise<CallResults['machines.snapshot']> {
    const r = await this.run('snapshot', machine, machine, (signal, report) => takeSnapshot(machine, { label, signal, onProgress: report }));
    return { id: r.snapshot.id, method: r.method, ms: r.ms, ...(r.frozenMs !== undefined ? { frozenMs: r.frozenMs } : {}) };
  }

  restore(machine: string, id: string, stop: boolean): Promise<CallResults['machines.restore']> {
    return this.run('restore', machine, machine, (signal, report) => restoreSnapshot(machine, id, { stop, signal, onProgress: report }));
  }
}

export const lifecycleJobs = new LifecycleJobs();
