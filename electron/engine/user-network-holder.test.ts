// The holder's server on a real socket, with a stand-in keeper and plumbing: members and their addresses,
// the hosts news, leaving, the end of an empty network, and clients that send what they should not.
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { NetworkHolder, type Keeper } from './user-network-holder';
import { LineReader, parseHolderMessage, type HolderMessage } from './user-network-protocol';

const dirs: string[] = [];
const holders: NetworkHolder[] = [];
afterEach(() => {
  holders.splice(0).forEach((h) => h.end());
  dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
});

interface Started {
  socket: string;
  plugged: [number, string, string][];
  keeperStdin: PassThrough;
  ended: () => boolean;
}

async function startHolder(opts: { lingerMs?: number; failPid?: number } = {}): Promise<Started> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'burrow-holder-'));
  dirs.push(dir);
  const socket = path.join(dir, 'holder.sock');
  const stdin = new PassThrough();
  const keeper = Object.assign(new EventEmitter(), { pid: 4242, stdin }) as unknown as Keeper;
  const plugged: [number, string, string][] = [];
  let ended = false;
  const holder = new NetworkHolder({
    name: 'lab',
    keeper,
    subnet: '10.89.7',
    lingerMs: opts.lingerMs ?? 60_000,
    plug: async (pid1, hostInterface, address) => {
      if (pid1 === opts.failPid) throw new Error('RTNETLINK answers: Operation not permitted');
      plugged.push([pid1, hostInterface, address]);
    },
    onEnd: () => (ended = true),
  });
  holders.push(holder);
  await holder.listen(socket);
  return { socket, plugged, keeperStdin: stdin, ended: () => ended };
}

/** A client that records what the holder says. */
async function client(socket: string) {
  const s = net.connect(socket);
  await new Promise((r) => s.once('connect', r));
  const heard: HolderMessage[] = [];
  const raw: string[] = [];
  let closed = false;
  const reader = new LineReader((l) => {
    raw.push(l);
    const m = parseHolderMessage(l);
    if (m) heard.push(m);
  });
  s.on('data', (d: Buffer) => reader.push(d));
  s.on('close', () => (closed = true));
  s.on('error', () => undefined);
  const waitFor = async (check: () => boolean) => {
    for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
    expect(check()).toBe(true);
  };
  return {
    send: (line: string) => s.write(line.endsWith('\n') ? line : line + '\n'),
    heard,
    raw,
    closed: () => closed,
    waitFor,
    close: () => s.destroy(),
  };
}

async function member(socket: string, machine: string, pid1: number) {
  const c = await client(socket);
  c.send(JSON.stringify({ op: 'join', machine }));
  await c.waitFor(() => c.heard.some((m) => 'reply' in m && m.reply === 'joined'));
  c.send(JSON.stringify({ op: 'attach', pid1 }));
  await c.waitFor(() => c.heard.some((m) => 'reply' in m && m.reply === 'attached'));
  c.send('{"op":"up"}');
  return c;
}

const lastHosts = (heard: HolderMessage[]) => [...heard].reverse().find((m) => 'event' in m && m.event === 'hosts');
/** The latest hosts news as text ('null' before any). */
const hostsText = (heard: HolderMessage[]) => JSON.stringify(lastHosts(heard) ?? null);

describe('the holder', () => {
  it('gives members the keeper, an address each and its own pair, and tells each who is up', async () => {
    const h = await startHolder();
    const web = await member(h.socket, 'web', 101);
    const db = await member(h.socket, 'db', 102);
    expect(web.heard[0]).toEqual({ reply: 'joined', keeper: 4242 });
    expect(h.plugged).toEqual([
      [101, 'vb2', '10.89.7.2/24'],
      [102, 'vb3', '10.89.7.3/24'],
    ]);
    const both = {
      event: 'hosts',
      entries: [
        ['web', '10.89.7.2'],
        ['db', '10.89.7.3'],
      ],
    };
    await web.waitFor(() => JSON.stringify(lastHosts(web.heard)) === JSON.stringify(both));
    await db.waitFor(() => JSON.stringify(lastHosts(db.heard)) === JSON.stringify(both));
  });

  it('tells the others when a member leaves, and gives its address to the next one', async () => {
    const h = await startHolder();
    const web = await member(h.socket, 'web', 101);
    const db = await member(h.socket, 'db', 102);
    db.close();
    await web.waitFor(() => JSON.stringify(lastHosts(web.heard)) === JSON.stringify({ event: 'hosts', entries: [['web', '10.89.7.2']] }));
    await member(h.socket, 'cache', 103);
    expect(h.plugged.at(-1)).toEqual([103, 'vb3', '10.89.7.3/24']);
  });

  it('refuses a second member of the same name, and says why a machine could not be plugged in', async () => {
    const h = await startHolder({ failPid: 666 });
    await member(h.socket, 'web', 101);
    const twin = await client(h.socket);
    twin.send('{"op":"join","machine":"web"}');
    await twin.waitFor(() => twin.heard.length > 0);
    expect(twin.heard[0]).toEqual({ reply: 'error', message: 'machine web is already on network lab' });
    const broken = await client(h.socket);
    broken.send('{"op":"join","machine":"broken"}');
    broken.send('{"op":"attach","pid1":666}');
    await broken.waitFor(() => broken.heard.length > 1);
    expect(broken.heard[1]).toEqual({
      reply: 'error',
      message: 'machine broken could not be plugged into network lab: RTNETLINK answers: Operation not permitted',
    });
  });

  it('ends once it has been empty for its linger, and lets its keeper go', async () => {
    const h = await startHolder({ lingerMs: 50 });
    const web = await member(h.socket, 'web', 101);
    web.close();
    await web.waitFor(() => h.ended());
    expect(h.keeperStdin.writableEnded).toBe(true);
  });
});

describe('hostile clients', () => {
  it.each([
    ['garbage', '\x1b[2J\x00not json'],
    ['an attach before a join', '{"op":"attach","pid1":101}'],
    ['an up before a join', '{"op":"up"}'],
    ['a name that would add a line to /etc/hosts', '{"op":"join","machine":"web\\n1.2.3.4 bank"}'],
    ['a line longer than 64 KiB', 'x'.repeat(70 * 1024)],
  ])('are dropped for %s, and the others are served as before', async (_what, line) => {
    const h = await startHolder();
    const good = await member(h.socket, 'web', 101);
    const bad = await client(h.socket);
    bad.send(line);
    await bad.waitFor(() => bad.closed());
    expect(bad.raw).toEqual([]);
    const db = await member(h.socket, 'db', 102);
    await good.waitFor(() => hostsText(good.heard).includes('"db"'));
    expect(db.closed()).toBe(false);
  });

  it('survive 2,000 random lines from eight clients', async () => {
    const h = await startHolder();
    const good = await member(h.socket, 'web', 101);
    const rand = (n: number) => Math.floor(Math.random() * n);
    const pieces = ['{"op":"join","machine":"m"}', '{"op":"attach","pid1":7}', '{"op":"up"}', '{"op":"down"}', '{', '"op"', '\n', '\x00', '[]', 'null'];
    const clients = await Promise.all(Array.from({ length: 8 }, () => client(h.socket)));
    for (let i = 0; i < 2000; i++) clients[rand(8)]!.send(Array.from({ length: 1 + rand(4) }, () => pieces[rand(pieces.length)]).join(''));
    await new Promise((r) => setTimeout(r, 100));
    const late = await member(h.socket, 'late', 103);
    await late.waitFor(() => hostsText(late.heard).includes('"web"'));
    expect(good.closed()).toBe(false);
    expect(h.ended()).toBe(false);
  });
});
