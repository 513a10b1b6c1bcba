// The holder of one user network (dist/network-holder.js NAME, started by the first machine that joins):
// it keeps the network's keeper (user-network-bridge.ts) alive, serves the machines' supervisors on a
// socket in the private runtime folder, gives each member an address and its veth pair, and tells every
// member that is up who else is, so their /etc/hosts stay current. A connection is a membership; when the
// last one has been gone for a while, the holder ends and the network with it.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { NETWORK_NAME_RE, NETWORK_NAME_RULE } from '../contract/network-name';
import { BurrowError } from './errors';
import { readSubidRange, type IdRange } from './idmap';
import { claimStart } from './start-claim';
import { ensureRuntimeRoot } from './runtime-root';
import { attachArgv, hostInterfaceFor, keeperArgv, parseRoutes, pickSubnet } from './user-network-bridge';
import { networkRuntimeDir } from './user-network';
import { encodeLine, parseMemberMessage, readMessages, type HolderMessage, type HostsEntry, type MemberMessage } from './user-network-protocol';
import { which } from './which';

/** An empty network stays this long, so a machine restarted right away finds it (and its address) again. */
const LINGER_MS = 5000;
const KEEPER_READY_MS = 10000;
const ATTACH_TIMEOUT_MS = 10000;
const MAX_MEMBERS = 253;

interface Member {
  socket: net.Socket;
  machine?: string;
  address?: string;
  up: boolean;
}

interface Tools {
  unshare: string;
  nsenter: string;
  ip: string;
}

function findTools(): Tools {
  const [unshare, nsenter, ip] = ['unshare', 'nsenter', 'ip'].map((t) => which(t));
  if (!unshare || !nsenter || !ip)
    throw new BurrowError('host-not-ready', 'a user network needs unshare, nsenter (util-linux) and ip (iproute2)', 'install them');
  return { unshare, nsenter, ip };
}

function subordinateRanges(): { uid: IdRange; gid: IdRange } {
  const [uid, gid] = [readSubidRange('/etc/subuid'), readSubidRange('/etc/subgid')];
  if (!uid || !gid) throw new BurrowError('host-not-ready', 'a user network needs your subordinate ids (/etc/subuid and /etc/subgid)', 'see burrow doctor');
  return { uid, gid };
}

/** Starts the keeper and resolves once its bridge is up; rejects with what it said if it could not. */
function startKeeper(tools: Tools): Promise<ChildProcess> {
  const argv = keeperArgv(tools, subordinateRanges());
  const keeper = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  keeper.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(`it did not get ready within ${KEEPER_READY_MS / 1000} s`), KEEPER_READY_MS);
    const fail = (why: string) => {
      clearTimeout(timer);
      keeper.kill('SIGKILL');
      reject(new Error(`the network's namespaces could not be made: ${why}`));
    };
    keeper.stdout!.once('data', (d: Buffer) => {
      clearTimeout(timer);
      if (d.toString().startsWith('ready')) resolve(keeper);
      else fail(`it said ${JSON.stringify(d.toString().slice(0, 200))}`);
    });
    keeper.once('exit', (code) => fail(stderr.trim().split('\n').slice(-2).join('; ') || `it exited with ${code}`));
    keeper.once('error', (e) => fail(e.message));
  });
}

function run(argv: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(argv[0]!, argv.slice(1), { timeout: ATTACH_TIMEOUT_MS, encoding: 'utf8' }, (err, _out, stderr) =>
      err ? reject(new Error(stderr.trim().split('\n').slice(-2).join('; ') || err.message)) : resolve(),
    );
  });
}

/** What the holder needs of its keeper: its pid (whose namespaces the machines use), its stdin, its end. */
export type Keeper = Pick<ChildProcess, 'pid' | 'stdin' | 'once'>;

export interface HolderOptions {
  name: string;
  keeper: Keeper;
  /** The network's /24, as its first three numbers. */
  subnet: string;
  /** Plugs PID 1's network namespace into the bridge (attachArgv, run). */
  plug: (pid1: number, hostInterface: string, addressWithPrefix: string) => Promise<void>;
  onEnd: () => void;
  lingerMs?: number;
}

/** The holder's server: members, their addresses, the hosts news; exported for its tests (hostile clients). */
export class NetworkHolder {
  private readonly members = new Set<Member>();
  private server?: net.Server;
  private idle?: NodeJS.Timeout;
  private ended = false;
  /** Attaches one at a time: two at once would pick the same free address. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly name: string;

  constructor(private readonly o: HolderOptions) {
    this.name = o.name;
    o.keeper.once('exit', () => this.end(`the keeper of network ${o.name} exited`));
  }

  listen(socket: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const server = net.createServer((s) => this.accept(s));
      server.once('error', reject);
      server.listen(socket, () => {
        fs.chmodSync(socket, 0o600);
        this.server = server;
        this.armIdle();
        resolve();
      });
    });
  }

  private accept(socket: net.Socket): void {
    if (this.ended || this.members.size >= MAX_MEMBERS) return void socket.destroy();
    clearTimeout(this.idle);
    const member: Member = { socket, up: false };
    this.members.add(member);
    readMessages(socket, parseMemberMessage, (m) => this.handle(member, m));
    socket.on('close', () => {
      this.members.delete(member);
      if (member.up) this.broadcast();
      this.armIdle();
    });
  }

  private send(member: Member, message: HolderMessage): void {
    if (!member.socket.destroyed) member.socket.write(encodeLine(message));
  }

  private handle(member: Member, m: MemberMessage): void {
    if (m.op === 'join') {
      const taken = [...this.members].some((o) => o !== member && o.machine === m.machine);
      if (taken || member.machine) return this.send(member, { reply: 'error', message: `machine ${m.machine} is already on network ${this.name}` });
      member.machine = m.machine;
      return this.send(member, { reply: 'joined', keeper: this.o.keeper.pid! });
    }
    if (!member.machine) return void member.socket.destroy();
    if (m.op === 'attach') {
      this.queue = this.queue.then(() => this.attach(member, m.pid1));
      return;
    }
    member.up = m.op === 'up';
    this.broadcast();
  }

  private async attach(member: Member, pid1: number): Promise<void> {
    try {
      member.address ??= this.freeAddress();
      await this.o.plug(pid1, hostInterfaceFor(member.address), `${member.address}/24`);
      this.send(member, { reply: 'attached', address: member.address });
    } catch (e) {
      this.send(member, { reply: 'error', message: `machine ${member.machine} could not be plugged into network ${this.name}: ${(e as Error).message}` });
    }
  }

  private freeAddress(): string {
    const used = new Set([...this.members].map((m) => m.address));
    for (let host = 2; host < 255; host++) if (!used.has(`${this.o.subnet}.${host}`)) return `${this.o.subnet}.${host}`;
    throw new Error(`network ${this.name} is full`);
  }

  private broadcast(): void {
    const up = [...this.members].filter((m) => m.up && m.machine && m.address);
    const entries = up.map((m): HostsEntry => [m.machine!, m.address!]);
    for (const m of up) this.send(m, { event: 'hosts', entries });
  }

  private armIdle(): void {
    clearTimeout(this.idle);
    if (!this.members.size) this.idle = setTimeout(() => this.end(), this.o.lingerMs ?? LINGER_MS);
  }

  end(why?: string): void {
    if (this.ended) return;
    this.ended = true;
    if (why) process.stderr.write(`${why}\n`);
    clearTimeout(this.idle);
    this.server?.close();
    for (const m of this.members) m.socket.destroy();
    this.o.keeper.stdin?.end(); // the keeper's `read` returns and the namespaces go
    this.o.onEnd();
  }
}

/**
 * Holds network NAME until it has been empty for a while. A second holder of the same network (two
 * machines starting at once) finds the first one's claim and leaves at once; the machines connect to the
 * one that won.
 */
export async function runNetworkHolder(name: string): Promise<void> {
  if (!NETWORK_NAME_RE.test(name)) throw new BurrowError('invalid-input', `invalid network name: ${NETWORK_NAME_RULE}`);
  const dir = networkRuntimeDir(ensureRuntimeRoot(), name);
  fs.mkdirSync(path.dirname(dir), { recursive: true, mode: 0o700 });
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  let claim: { dispose(): void };
  try {
    claim = claimStart(dir, 'holder', 'held');
  } catch {
    return; // another holder has it
  }
  const socket = path.join(dir, 'holder.sock');
  fs.rmSync(socket, { force: true });
  const tools = findTools();
  const keeper = await startKeeper(tools).catch((e: Error) => {
    claim.dispose();
    throw new BurrowError('host-not-ready', e.message);
  });
  let routes = '';
  try {
    routes = fs.readFileSync('/proc/net/route', 'utf8');
  } catch {
    /* no IPv4 routes to avoid */
  }
  await new Promise<void>((resolve, reject) => {
    const plug = (pid1: number, hostInterface: string, address: string) => run(attachArgv(tools, keeper.pid!, pid1, hostInterface, address));
    const onEnd = () => {
      fs.rmSync(socket, { force: true });
      claim.dispose();
      resolve();
    };
    const holder = new NetworkHolder({ name, keeper, subnet: pickSubnet(name, parseRoutes(routes)), plug, onEnd });
    process.on('SIGTERM', () => holder.end());
    holder.listen(socket).catch((e: Error) => {
      holder.end();
      reject(e);
    });
  });
}
