// Image builds and imports started from a window. They belong to the host process, not to one
// connection: every window sees their progress, and a reload does not cancel them.
import type { ImageProgress, ImageRecord } from '../contract/image';
import { toDisposable, type Disposable } from '../engine/disposable';
import { BurrowError } from '../engine/errors';
import { createDebianImage } from '../engine/image-create';
import { importImageOrExport } from '../engine/export-manifest';

type Listener = (p: ImageProgress) => void;

class ImageJobs {
  private readonly running = new Map<string, AbortController>();
  private readonly listeners = new Set<Listener>();

  onProgress(listener: Listener): Disposable {
    this.listeners.add(listener);
    return toDisposable(() => this.listeners.delete(listener));
  }

  private async run(name: string, work: (signal: AbortSignal, onProgress: (p: Omit<ImageProgress, 'name'>) => void) => Promise<ImageRecord>): Promise<ImageRecord> {
    if (this.running.has(name)) throw new BurrowError('exists', `image "${name}" is already being made`, 'wait for it, or cancel it');
    const controller = new AbortController();
    this.running.set(name, controller);
    try {
      return await work(controller.signal, (p) => {
        for (const l of this.listeners) l({ name, ...p });
      });
    } finally {
      this.running.delete(name);
    }
  }

  create(name: string, suite: string, packages: string[]): Promise<ImageRecord> {
    return this.run(name, (signal, onProgress) => createDebianImage(name, { suite, packages, signal, onProgress }));
  }

  import(name: string, source: string, copy: boolean): Promise<ImageRecord> {
    return this.run(name, (signal, onProgress) => importImageOrExport(name, source, { copy, signal, onProgress }));
  }

  cancel(name: string): boolean {
    const job = this.running.get(name);
    job?.abort();
    return !!job;
  }
}

export const imageJobs = new ImageJobs();
