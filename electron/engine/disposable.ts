// Everything that listens, spawns or subscribes hands back a Disposable; owners keep a store and dispose it.

export interface Disposable {
  dispose(): void;
}

export class DisposableStore implements Disposable {
  private items: Disposable[] = [];
  private disposed = false;

  add<T extends Disposable>(item: T): T {
    if (this.disposed) item.dispose();
    else this.items.push(item);
    return item;
  }

  dispose(): void {
    this.disposed = true;
    for (const item of this.items.splice(0).reverse()) {
      try {
        item.dispose();
      } catch {
        /* keep disposing the rest */
      }
    }
  }
}

export const toDisposable = (fn: () => void): Disposable => ({ dispose: fn });
