// The machine's console: a pty that no session owns, as systemd-nspawn gives its containers. node-pty's
// spawn() would run the launch command as the leader of a new session with the pty as its controlling
// terminal; bwrap --new-session then puts PID 1 in a session of its own, the console (/dev/console inside,
// which bwrap --dev binds to this pty) stays the launch session's terminal, and no session inside can ever
// take it: systemd's console-getty.service waits for the terminal forever (its process stays "(agetty)",
// and typing on the console only echoes). So the pty is opened without being given to any session, and
// the launch command runs in a new session without a controlling terminal (spawn detached: setsid()),
// with the pty's slave side as its stdin, stdout and stderr. A session inside may then make it its own.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as tty from 'node:tty';
import type { Disposable } from '../engine/disposable';

/** node-pty's native calls (exported by node-pty as `native` on Unix): openpty(3) and TIOCSWINSZ. */
interface PtyNative {
  open(cols: number, rows: number): { master: number; slave: number; pty: string };
  resize(fd: number, cols: number, rows: number): void;
}

const native = (require('node-pty') as { native: PtyNative }).native;

export interface ConsolePtyHandlers {
  data(chunk: Buffer): void;
  /** The launch command ended and everything it wrote has been read: node-pty's convention (a signal: code 0). */
  exit(exitCode: number, signal?: number): void;
}

/** How long the end of the command waits for the pty's last bytes when something inside still holds it. */
const DRAIN_MS = 500;

export class ConsolePty implements Disposable {
  private readonly master: number;
  /**
   * Our own open slave, blocking (node-pty's is non-blocking, and the launch chain writes its errors to it).
   * Held while the command runs so that the master never reads end-of-file while nothing inside has the
   * console open (between agetty's runs, or after systemd's vhangup of it).
   */
  private slave: number | undefined;
  private readonly reader: tty.ReadStream;
  private readonly child: ChildProcess;
  private readonly writes: Buffer[] = [];
  private writing = false;
  private disposed = false;

  constructor(argv: string[], env: NodeJS.ProcessEnv, size: { cols: number; rows: number }, handlers: ConsolePtyHandlers) {
    const opened = native.open(size.cols, size.rows);
    this.master = opened.master;
    try {
      this.slave = fs.openSync(opened.pty, fs.constants.O_RDWR | fs.constants.O_NOCTTY);
    } finally {
      fs.closeSync(opened.slave);
    }
    this.reader = new tty.ReadStream(this.master);
    this.reader.on('data', (d: Buffer) => handlers.data(d));
    let drained: () => void = () => undefined;
    const drainedOut = new Promise<void>((resolve) => (drained = resolve));
    // EIO: every slave is closed (the command ended). Anything else also ends reading; the exit still comes.
    this.reader.on('error', () => drained());
    this.reader.on('close', () => drained());
    this.reader.on('end', () => drained());
    // detached: the command leads a new session that has no controlling terminal; the pty stays no one's.
    this.child = spawn(argv[0]!, argv.slice(1), { detached: true, stdio: [this.slave, this.slave, this.slave], cwd: '/', env });
    let ended = false;
    const end = (code: number | null, signal: NodeJS.Signals | null) => {
      if (ended) return;
      ended = true;
      // Our slave closed, the master reads what is left and then EIO, unless a process that outlived the
      // command holds the console: then what it had not read by DRAIN_MS is not waited for.
      this.closeSlave();
      this.reader.resume(); // a client that lagged does not keep the last lines from the history
      const timer = setTimeout(drained, DRAIN_MS);
      void drainedOut.then(() => {
        clearTimeout(timer);
        handlers.exit(code ?? 0, signal ? os.constants.signals[signal] : undefined);
      });
    };
    this.child.once('exit', end);
    // A command that could not be started at all ends as a shell says so: 127.
    this.child.once('error', () => this.child.pid === undefined && end(127, null));
  }

  /** The launch command's process (the shell that execs into bwrap). */
  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Keys for the console, in order; a full pty buffer queues them (the master is non-blocking). */
  write(data: Buffer): void {
    if (this.disposed || !data.length) return;
    this.writes.push(data);
    if (!this.writing) this.flush();
  }

  private flush(): void {
    const next = this.writes[0];
    if (!next || this.disposed) {
      this.writing = false;
      return;
    }
    this.writing = true;
    fs.write(this.master, next, 0, next.length, null, (err, written) => {
      if (err?.code === 'EAGAIN') return void setTimeout(() => this.flush(), 5);
      if (err)
        this.writes.length = 0; // the console is gone: what was typed goes nowhere
      else if (written < next.length) this.writes[0] = next.subarray(written);
      else this.writes.shift();
      this.flush();
    });
  }

  /**
   * TIOCSWINSZ on the master. The kernel signals SIGWINCH to the pty's foreground process group, which
   * exists only once a session inside (agetty's, a login's) made the console its terminal: never PID 1.
   */
  resize(cols: number, rows: number): void {
    if (!this.disposed) native.resize(this.master, cols, rows);
  }

  /** Flow control: stop reading, so that writers inside block once the pty's buffer is full. */
  setPaused(paused: boolean): void {
    if (paused) this.reader.pause();
    else this.reader.resume();
  }

  kill(): void {
    try {
      this.child.kill('SIGKILL');
    } catch {
      /* gone */
    }
  }

  private closeSlave(): void {
    if (this.slave === undefined) return;
    fs.closeSync(this.slave);
    this.slave = undefined;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.closeSlave();
    this.reader.destroy(); // closes the master
  }
}
