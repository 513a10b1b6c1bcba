// Terminals the window opens on a machine: its console (through the supervisor), login shells and a
// live journal (on ptys, via nsenter). Output is batched (16 ms or 200 KB, UTF-8 safe) and flow-controlled:
// the source pauses above FLOW_HIGH_WATERMARK characters the window has not acknowledged yet.
import * as fs from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { FLOW_HIGH_WATERMARK, FLOW_LOW_WATERMARK } from '../contract/api';
import { ControlClient } from '../engine/control-client';
import { BurrowError } from '../engine/errors';
import { execTarget, guestEnv, loginShell, nsenterArgv } from '../engine/exec';
import { loadProfile } from '../engine/profiles';
import { which } from '../engine/which';

const pty = require('node-pty') as typeof import('node-pty');

const BATCH_MS = 16;
const BATCH_MAX = 200 * 1024;

interface Source {
  write(data: string): void;
  resize(cols: number, rows: number): void;
  pause(): void;
  resume(): void;
  close(): void;
}

export interface TerminalSink {
  data(id: string, data: string): void;
  exit(id: string, code: number): void;
}

class Terminal {
  private unacked = 0;
  private paused = false;
  private batch: string[] = [];
  private batchSize = 0;
  private timer?: NodeJS.Timeout;
  source?: Source;

  constructor(
    readonly id: string,
    private readonly sink: TerminalSink,
    readonly machine: string,
    readonly kind: 'console' | 'shell' | 'journal',
  ) {}

  push(text: string): void {
    if (!text) return;
    this.batch.push(text);
    this.batchSize += text.length;
    this.unacked += text.length;
    if (this.batchSize >= BATCH_MAX) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), BATCH_MS);
    if (!this.paused && this.unacked > FLOW_HIGH_WATERMARK) {
      this.paused = true;
      this.source?.pause();
    }
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.batch.length) return;
    const data = this.batch.join('');
    this.batch = [];
    this.batchSize = 0;
    this.sink.data(this.id, data);
  }

  ack(chars: number): void {
    this.unacked = Math.max(0, this.unacked - chars);
    if (this.paused && this.unacked < FLOW_LOW_WATERMARK) {
      this.paused = false;
      this.source?.resume();
    }
  }

  end(code: number): void {
    this.flush();
    this.sink.exit(this.id, code);
  }
}

/**
 * Ends an nsenter session and the shell it forked. nsenter mirrors its child's job-control stops, so a
 * stopped pair would keep a zombie in the machine and hold up its shutdown: continue, hang up, then kill.
 */
function endNsenter(pid: number): void {
  const children = (() => {
    try {
      return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number) as number[];
    } catch {
      return [];
    }
  })();
  const signal = (sig: NodeJS.Signals) => {
    for (const p of [pid, ...children]) {
      try {
        process.kill(p, sig);
      } catch {
        /* gone */
      }
    }
  };
  signal('SIGCONT');
  signal('SIGHUP');
  setTimeout(() => signal('SIGKILL'), 1000).unref();
}

export class TerminalManager {
  private readonly terminals = new Map<string, Terminal>();
  private next = 1;

  constructor(private readonly sink: TerminalSink) {}

  async open(machine: string, kind: 'console' | 'shell' | 'journal', cols: number, rows: number): Promise<string> {
    const id = `t${this.next++}`;
    const term = new Terminal(id, this.sink, machine, kind);
    term.source = kind === 'console' ? await this.console(machine, term, cols, rows) : this.nsenterPty(machine, kind, term, cols, rows);
    this.terminals.set(id, term);
    return id;
  }

  private async console(machine: string, term: Terminal, cols: number, rows: number): Promise<Source> {
    const decoder = new StringDecoder('utf8');
    const client = await ControlClient.connect(machine, {
      onData: (d) => term.push(decoder.write(d)),
      onClose: () => {
        this.terminals.delete(term.id);
        term.end(0);
      },
    });
    client.send({ op: 'resize', cols, rows });
    client.send({ op: 'hello', attach: true, replay: true });
    return {
      write: (d) => client.input(d),
      // Only the pty's window size changes; the supervisor never signals PID 1 for it.
      resize: (c, r) => client.send({ op: 'resize', cols: c, rows: r }),
      pause: () => client.pause(),
      resume: () => client.resume(),
      close: () => client.close(),
    };
  }

  private nsenterPty(machine: string, kind: 'shell' | 'journal', term: Terminal, cols: number, rows: number): Source {
    const target = execTarget(loadProfile(machine));
    const nsenter = which('nsenter');
    if (!nsenter) throw new BurrowError('host-not-ready', 'nsenter is not installed', 'install util-linux');
    const command = kind === 'shell' ? loginShell(target.pid1) : ['journalctl', '--follow', '--lines', '200', '--no-pager'];
    const argv = nsenterArgv(target, command, nsenter);
    const p = pty.spawn(argv[0]!, argv.slice(1), { name: 'xterm-256color', cols, rows, cwd: '/', env: guestEnv() as Record<string, string> });
    p.onData((d) => term.push(d));
    p.onExit(({ exitCode }) => {
      this.terminals.delete(term.id);
      term.end(exitCode);
    });
    return {
      write: (d) => p.write(d),
      resize: (c, r) => p.resize(c, r),
      pause: () => p.pause(),
      resume: () => p.resume(),
      close: () => endNsenter(p.pid),
    };
  }

  private get(id: string): Terminal {
    const t = this.terminals.get(id);
    if (!t) throw new BurrowError('not-found', `terminal ${id} is closed`);
    return t;
  }

  input(id: string, data: string): void {
    this.get(id).source?.write(data);
  }

  resize(id: string, cols: number, rows: number): void {
    this.get(id).source?.resize(cols, rows);
  }

  ack(id: string, chars: number): void {
    this.terminals.get(id)?.ack(chars);
  }

  close(id: string): void {
    const t = this.terminals.get(id);
    if (!t) return;
    this.terminals.delete(id);
    t.source?.close();
  }

  /** Closes a machine's shells and journals when it stops (its console closes by itself). */
  closeMachine(machine: string): void {
    for (const [id, t] of this.terminals) if (t.machine === machine && t.kind !== 'console') this.close(id);
  }

  dispose(): void {
    for (const id of [...this.terminals.keys()]) this.close(id);
  }
}
