// The console pty as a machine's processes meet it: on a real pty, with real sessions.
import { describe, expect, it } from 'vitest';
import { ConsolePty } from './console-pty';

interface Ran {
  pty: ConsolePty;
  output: () => string;
  exited: Promise<{ code: number; signal?: number }>;
}

function run(script: string, size = { cols: 100, rows: 30 }): Ran {
  let output = '';
  let done!: (e: { code: number; signal?: number }) => void;
  const exited = new Promise<{ code: number; signal?: number }>((r) => (done = r));
  const pty = new ConsolePty(['/bin/sh', '-c', script], { PATH: process.env.PATH }, size, {
    data: (d) => (output += d.toString('utf8')),
    exit: (code, signal) => done({ code, signal }),
  });
  return { pty, output: () => output, exited };
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; !check(); i++) {
    if (i > 200) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Field 7 of the shell's /proc/self/stat: its controlling terminal's device number, 0 for none. */
const CTTY = 'read -r _ _ _ _ _ _ t _ < /proc/self/stat; echo ctty=$t';
/**
 * A new session asks for the console as its terminal the way systemd does for agetty: TIOCSCTTY without
 * stealing it (root on the host could steal it; nothing inside a machine can).
 */
const TAKE = `setsid python3 -c 'import fcntl, os, termios; fcntl.ioctl(0, termios.TIOCSCTTY, 0); os.system("${CTTY}"); print("took it")' || echo refused`;

describe('the console pty', () => {
  it("is the command's stdin and stdout, but no session's terminal, so a session inside can take it (as agetty's must)", async () => {
    const r = run(`tty; ${CTTY}; ${TAKE}`);
    expect(await r.exited).toEqual({ code: 0, signal: undefined });
    r.pty.dispose();
    const out = r.output();
    expect(out).toMatch(/^\/dev\/pts\/\d+/m);
    // The launch command's session has no controlling terminal; the new session made the console its own.
    const [launch, inside] = [...out.matchAll(/ctty=(\d+)/g)].map((m) => Number(m[1]));
    expect(launch).toBe(0);
    expect(inside).toBeGreaterThan(0);
    expect(out).toContain('took it');
    expect(out).not.toContain('refused');
  });

  it('has the size it was opened with before the first byte, and a resize signals no process of the launch', async () => {
    const r = run('stty size; trap "echo got-winch" WINCH; echo waiting; read -r line; stty size; echo "read $line"');
    await until(() => r.output().includes('waiting'), 'the script to wait');
    expect(r.output()).toMatch(/^30 100\r?$/m);
    r.pty.resize(140, 45);
    await new Promise((res) => setTimeout(res, 200));
    r.pty.write(Buffer.from('typed\n'));
    expect((await r.exited).code).toBe(0);
    r.pty.dispose();
    expect(r.output()).toMatch(/^45 140\r?$/m);
    expect(r.output()).toContain('read typed');
    expect(r.output()).not.toContain('got-winch');
  });

  it('delivers everything the command wrote before it reports the end, with its exit status', async () => {
    const r = run('seq 1 50000; echo last-line; exit 3');
    expect(await r.exited).toEqual({ code: 3, signal: undefined });
    r.pty.dispose();
    expect(r.output()).toContain('\n50000\r\nlast-line');
  });

  it('reports a killed command with its signal, as node-pty did', async () => {
    const r = run('echo up; sleep 30');
    await until(() => r.output().includes('up'), 'the command to start');
    r.pty.kill();
    expect(await r.exited).toEqual({ code: 0, signal: 9 });
    r.pty.dispose();
  });
});
