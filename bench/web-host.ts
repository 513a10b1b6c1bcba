// The window's side of the benchmarks: a `burrow serve` of this build (or of another build's dist/, for
// a baseline in the same run) and API clients that talk to it as the page does (cookie, Origin, calls).
import { spawn, type ChildProcess } from 'node:child_process';
import * as http from 'node:http';
import * as path from 'node:path';
import WebSocket from 'ws';
import { BURROW, type Sandbox } from '../test/integration/harness';

export interface Serve {
  url: string;
  port: number;
  process: ChildProcess;
  /** User plus system CPU seconds of the web host process so far. */
  cpuSeconds(): number;
  close(): Promise<void>;
}

/** Starts `burrow serve`; `cli` is the built cli.js to run (this build's by default). */
export async function startServe(sb: Sandbox, cli?: string): Promise<Serve> {
  const args = cli
    ? [
        '-e',
        `require(${JSON.stringify(path.resolve(cli))}).main(process.argv.slice(1)).then((c) => (process.exitCode = c))`,
        'serve',
        '--port',
        '0',
        '--no-open',
      ]
    : [BURROW, 'serve', '--port', '0', '--no-open'];
  const child = spawn(process.execPath, args, { env: sb.env, stdio: ['ignore', 'pipe', 'inherit'] });
  process.once('exit', () => child.kill()); // a bench that fails leaves no host behind
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /http:\/\/127\.0\.0\.1:\d+\/\?token=\S+/.exec(out);
      if (m) resolve(m[0]);
    });
    child.once('exit', (code) => reject(new Error(`burrow serve exited with ${code}: ${out}`)));
  });
  const stat = () => {
    const text = require('node:fs').readFileSync(`/proc/${child.pid}/stat`, 'utf8') as string;
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  };
  return {
    url,
    port: Number(new URL(url).port),
    process: child,
    cpuSeconds: () => (Number(stat()[11]) + Number(stat()[12])) / 100,
    close: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export interface Api {
  call<T = unknown>(name: string, ...args: unknown[]): Promise<T>;
  /** Every event the host sent, in order, with the time it arrived. */
  events: { event: string; payload: { name?: string; state?: string }; at: number }[];
  close(): void;
}

/** An API connection as the page makes it: the token traded for the cookie, then a WebSocket with it. */
export async function connectApi(serve: Serve): Promise<Api> {
  const cookie = await new Promise<string>((resolve, reject) => {
    http.get(serve.url, (res) => {
      res.resume();
      const c = res.headers['set-cookie']?.[0]?.split(';')[0];
      if (c) resolve(c);
      else reject(new Error(`no cookie from ${serve.url}`));
    });
  });
  const origin = `http://127.0.0.1:${serve.port}`;
  const ws = new WebSocket(`ws://127.0.0.1:${serve.port}/api`, { headers: { Cookie: cookie, Origin: origin } });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const replies = new Map<number, (m: { result?: unknown; error?: { message: string } }) => void>();
  const events: Api['events'] = [];
  let next = 1;
  ws.on('message', (data) => {
    const msg = JSON.parse(data.toString());
    if (msg.id !== undefined) replies.get(msg.id)?.(msg);
    else events.push({ ...msg, at: performance.now() });
  });
  return {
    events,
    call: (name, ...args) =>
      new Promise((resolve, reject) => {
        const id = next++;
        replies.set(id, (m) => (m.error ? reject(new Error(m.error.message)) : resolve(m.result as never)));
        ws.send(JSON.stringify({ id, call: name, args }));
      }),
    close: () => ws.close(),
  };
}
