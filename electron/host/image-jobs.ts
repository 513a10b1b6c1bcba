// Image builds and imports started from a window. They belong to the host process, not to one
// connection: every window sees their progress, a reload does not cancel them, and a window that opens
// while one runs lists it (running()) with its last progress.
import type { ImageProgress, ImageRecord } from '../contract/image';
import { toDisposable, type Disposable } from '../engine/disposable';
import { BurrowError, errorMessage, isBurrowError } from '../engine/errors';
import { createDebianImage } from '../engine/image-create';
import { importImageOrExport } from '../engine/export-manifest';

type Listener = (p: ImageProgress) => void;
type Report = (p: Omit<ImageProgress, 'name' | 'kind'>) => void;

class ImageJobs {
  private readonly running = new Map<string, { controller: AbortController; last: ImageProgress }>();
  private readonly listeners = new Set<Listener>();

  onProgress(listener: Listener): Disposable {
    this.listeners.add(listener);
    return toDisposable(() => this.listeners.delete(listener));
  }

  private emit(p: ImageProgress): void {
    for (const l of this.listeners) l(p);
  }

  /** One job per image name; progress as the work reports it, and one last report with how it ended. */
  private async run(name: string, kind: ImageProgress['kind'], work: (signal: AbortSignal, onProgress: Report) => Promise<ImageRecord>): Promise<ImageRecord> {
    if (this.running.has(name)) throw new BurrowError('exists', `image "${name}" is already being made`, 'wait for it, or cancel it');
    const job = { controller: new AbortController(), last: { name, kind, phase: 'starting', bytes: 0, totalBytes: 0, entries: 0 } as ImageProgress };
    this.running.set(name, job);
    this.emit(job.last);
    try {
      const record = await work(job.controller.signal, (p) => {
        job.last = { ...p, name, kind };
        this.emit(job.last);
      });
      this.emit({ ...job.last, phase: 'done', done: 'ok' });
      return record;
    } catch (e) {
      const cancelled = isBurrowError(e) && e.code === 'cancelled';
      this.emit({ ...job.last, done: cancelled ? 'cancelled' : 'failed', message: errorMessage(e) });
      throw e;
    } finally {
      this.running.delete(name);
    }
  }

  create(name: string, suite: string, packages: string[]): Promise<ImageRecord> {
    return this.run(name, 'build', (signal, onProgress) => createDebianImage(name, { suite, packages, signal, onProgress }));
  }

  import(name: string, source: string, copy: boolean): Promise<ImageRecord> {
    return this.run(name, 'import', (signal, onProgress) => importImageOrExport(name, source, { copy, signal, onProgress }));
  }

  cancel(name: string): boolean {
    const job = this.running.get(name);
    job?.controller.abort();
    return !!job;
  }

  /** The jobs running now, each with its last progress. */
  list(): ImageProgress[] {
    return [...this.running.values()].map((j) => j.last);
  }
}

export const imageJobs = new ImageJobs();
