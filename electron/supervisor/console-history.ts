// A bounded record of the console, replayed to whoever attaches. Chunks are kept as they came; the oldest
// are dropped once the total passes the limit.

export class ConsoleHistory {
  private chunks: Buffer[] = [];
  private size = 0;

  constructor(private readonly limit = 1024 * 1024) {}

  append(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size > this.limit && this.chunks.length > 1) this.size -= this.chunks.shift()!.length;
    if (this.size > this.limit) {
      const only = this.chunks[0]!;
      this.chunks[0] = only.subarray(only.length - this.limit);
      this.size = this.limit;
    }
  }

  /** The history as it is kept, oldest first (the list is a copy, the bytes are not). */
  parts(): readonly Buffer[] {
    return [...this.chunks];
  }

  snapshot(): Buffer {
    return Buffer.concat(this.chunks, this.size);
  }
}
