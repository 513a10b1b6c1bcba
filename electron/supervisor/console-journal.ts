// In a unit of the user's systemd, the machine's console also goes to the unit's journal, so that
// `journalctl --user -u burrow-NAME` reads like a machine's boot. Lines, stripped of terminal escapes, and
// bounded: a flood on the console must not flood the journal (the console history keeps everything).

const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]|[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;
const MAX_LINE = 500;

export class ConsoleJournal {
  private partial = '';
  private windowStart = 0;
  private inWindow = 0;
  private dropped = 0;

  constructor(
    private readonly write: (line: string) => void,
    private readonly linesPerMinute = 600,
    private readonly now: () => number = Date.now,
  ) {}

  push(chunk: Buffer): void {
    const text = this.partial + chunk.toString('utf8').replace(/\r\n?/g, '\n');
    const lines = text.split('\n');
    this.partial = lines.pop()!.slice(-MAX_LINE);
    for (const line of lines) this.emit(line);
  }

  flush(): void {
    if (this.partial) this.emit(this.partial);
    this.partial = '';
    if (this.dropped) this.write(`[burrow] ${this.dropped} more console lines are in the console history (burrow console)`);
    this.dropped = 0;
  }

  private emit(raw: string): void {
    const line = raw.replace(ESCAPES, '').trimEnd().slice(0, MAX_LINE);
    if (!line) return;
    const t = this.now();
    if (t - this.windowStart > 60_000) {
      if (this.dropped) this.write(`[burrow] ${this.dropped} console lines left out of the journal (burrow console has them)`);
      this.windowStart = t;
      this.inWindow = 0;
      this.dropped = 0;
    }
    if (this.inWindow++ < this.linesPerMinute) this.write(line);
    else this.dropped++;
  }
}
