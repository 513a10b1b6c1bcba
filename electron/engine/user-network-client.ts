// A machine's membership of its user network, as its supervisor holds it (user-network.ts says why the
// design is what it is): join (starting the network's holder if none runs) to learn whose user namespace
// the machine is made in, attach PID 1 once it exists, say when the machine is up (the holder then tells
// every member who is on the network), and leave by closing the connection.
import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import type { Disposable } from './disposable';
import { execCapture } from './exec';
import { HostsWriter } from './hosts-block';
import { processStartTime } from './runtime-state';
import { NETWORK_KEEPER_PLACEHOLDER, type UserNetworkPlan } from './user-network';
import { encodeLine, LineReader, parseHolderMessage, readMessages, type HolderMessage, type HostsEntry, type MemberMessage } from './user-network-protocol';

const HOLDER_START_MS = 15000;
const REPLY_MS = 15000;
/** How long a holder that was started may take to claim the network before another is started. */
const RESTART_MS = 1000;

type Reply = Exclude<HolderMessage, { event: 'hosts' }>;

function connect(socket: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(socket);
    s.once('connect', () => {
      s.removeAllListeners('error');
      resolve(s);
    });
    s.once('error', reject);
  });
}

/**
 * Starts the holder: a detached process, or a transient unit of the user's systemd (which refuses a second
 * one of the same name: then the running one answers). Returns why it failed, once it is known to have.
 */
async function startHolder(plan: UserNetworkPlan): Promise<() => string | undefined> {
  fs.mkdirSync(plan.dir, { recursive: true, mode: 0o700 });
  const [file, ...args] = plan.holder.argv;
  const env = { ...process.env, ...plan.holder.env };
  if (plan.holder.unit) {
    await new Promise<void>((resolve) => execFile(file!, args, { env, timeout: 15000 }, () => resolve()));
    return () => undefined;
  }
  const logFile = path.join(plan.dir, 'holder.log');
  const log = fs.openSync(logFile, 'a', 0o600);
  const child = spawn(file!, args, { detached: true, stdio: ['ignore', log, log], env, cwd: '/' });
  fs.closeSync(log);
  let failure: string | undefined;
  child.on('error', (e) => (failure = e.message));
  // Exit 0 before the socket answers: another holder won the claim, and that one will answer.
  child.on('exit', (code) => {
    if (code) failure = fs.readFileSync(logFile, 'utf8').trim().split('\n').slice(-2).join('; ') || `it exited with ${code}`;
  });
  child.unref();
  return () => failure;
}

/** Whether a holder claimed the network and still lives (it may not listen yet): then none is started beside it. */
function holderAlive(plan: UserNetworkPlan): boolean {
  try {
    const [pid, start] = fs.readFileSync(path.join(plan.dir, 'holder.starting'), 'utf8').split(' ').map(Number);
    return !!pid && processStartTime(pid) === start;
  } catch {
    return false;
  }
}

/**
 * Starts the network's holder unless one runs: the starter calls it before it hands the machine to its
 * supervisor, so the holder's start (a Node process) overlaps the supervisor's rather than following it.
 */
export async function wakeUserNetwork(plan: UserNetworkPlan): Promise<void> {
  if (holderAlive(plan)) return;
  try {
    (await connect(plan.socket)).destroy();
  } catch {
    await startHolder(plan);
  }
}

export class UserNetworkMember implements Disposable {
  private readonly replies: ((r: Reply) => void)[] = [];
  private closed = false;

  private constructor(
    private readonly socket: net.Socket,
    readonly keeperPid: number,
    onHosts: (entries: HostsEntry[]) => void,
    onClose: () => void,
  ) {
    readMessages(socket, parseHolderMessage, (m) => ('event' in m ? onHosts(m.entries) : this.replies.shift()?.(m)));
    socket.on('close', () => {
      for (const r of this.replies.splice(0)) r({ reply: 'error', message: 'the network went away' });
      if (!this.closed) onClose();
      this.closed = true;
    });
  }

  /**
   * Joins the plan's network as `machine`, starting its holder if none answers. A holder that was just
   * ending (its last member left a moment ago) closes on us: then a new one is started.
   */
  static async join(plan: UserNetworkPlan, machine: string, onHosts: (entries: HostsEntry[]) => void, onClose: () => void): Promise<UserNetworkMember> {
    const deadline = Date.now() + HOLDER_START_MS;
    let failed: (() => string | undefined) | undefined;
    let startedAt = 0;
    let lastError = '';
    while (Date.now() < deadline) {
      let socket: net.Socket;
      try {
        socket = await connect(plan.socket);
      } catch (e) {
        lastError = (e as Error).message;
        // None answers and none is starting: start one, and again a while later if that one went away
        // unheard (a unit of the same name that was still ending refuses a second start).
        if (!holderAlive(plan) && Date.now() - startedAt > RESTART_MS) {
          failed = await startHolder(plan);
          startedAt = Date.now();
        }
        const why = failed?.();
        if (why) throw new Error(`the holder of network ${plan.name} failed: ${why}`);
        await new Promise((r) => setTimeout(r, 20));
        continue;
      }
      const reply = await request(socket, { op: 'join', machine }).catch((e: Error) => ({ reply: 'error' as const, message: e.message }));
      if (reply.reply === 'joined') return new UserNetworkMember(socket, reply.keeper, onHosts, onClose);
      socket.destroy();
      const message = reply.reply === 'error' ? reply.message : "the network's holder answered out of turn";
      if (message !== 'the network went away') throw new Error(message);
      startedAt = 0;
    }
    throw new Error(
      `the holder of network ${plan.name} did not come up within ${HOLDER_START_MS / 1000} s (${lastError}); see ${path.join(plan.dir, 'holder.log')}`,
    );
  }

  private ask(message: MemberMessage): Promise<Reply> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new Error('the network went away'));
      const timer = setTimeout(() => reject(new Error("the network's holder did not answer")), REPLY_MS);
      this.replies.push((r) => {
        clearTimeout(timer);
        resolve(r);
      });
      this.socket.write(encodeLine(message));
    });
  }

  /** Plugs PID 1's network namespace into the bridge; resolves with the machine's address. */
  async attach(pid1: number): Promise<string> {
    const r = await this.ask({ op: 'attach', pid1 });
    if (r.reply !== 'attached') throw new Error(r.reply === 'error' ? r.message : "the network's holder answered out of turn");
    return r.address;
  }

  /** up: the machine's name resolves on the network (its root is in place); down: it is rebooting. */
  announce(up: boolean): void {
    if (!this.closed) this.socket.write(encodeLine({ op: up ? 'up' : 'down' }));
  }

  dispose(): void {
    this.closed = true;
    this.socket.destroy();
  }
}

/** One request on a fresh connection, before a member owns it (the join). */
function request(socket: net.Socket, message: MemberMessage): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(() => reject(new Error("the network's holder did not answer"))), REPLY_MS);
    const done = (f: () => void) => {
      clearTimeout(timer);
      socket.removeAllListeners('data');
      socket.removeAllListeners('close');
      f();
    };
    const reader = new LineReader((line) => {
      const m = parseHolderMessage(line);
      if (m && !('event' in m)) done(() => resolve(m));
    });
    socket.on('data', (d: Buffer) => {
      try {
        reader.push(d);
      } catch (e) {
        done(() => reject(e));
      }
    });
    socket.once('close', () => done(() => resolve({ reply: 'error', message: 'the network went away' })));
    socket.write(encodeLine(message));
  });
}

/**
 * What a supervisor keeps for its machine's whole life (reboots included): the membership, the argv with
 * the keeper filled in, PID 1's attachment, and the machine's /etc/hosts kept current from the holder's news.
 */
export class NetworkMembership implements Disposable {
  private hosts?: HostsWriter;
  private member?: UserNetworkMember;

  private constructor(
    readonly plan: UserNetworkPlan,
    private readonly cgroupDirs: string[],
    private readonly log: (line: string) => void,
  ) {}

  static async join(plan: UserNetworkPlan, machine: string, cgroupDirs: string[], log: (line: string) => void): Promise<NetworkMembership> {
    const m = new NetworkMembership(plan, cgroupDirs, log);
    const onHosts = (entries: HostsEntry[]) => void m.hosts?.update(entries);
    m.member = await UserNetworkMember.join(plan, machine, onHosts, () =>
      log(`network ${plan.name} went away: other machines no longer reach this one by name`),
    );
    return m;
  }

  /** The plan's argv with the keeper's pid where the machine's user namespace is made. */
  launchArgv(argv: string[]): string[] {
    return argv.map((a) => a.replaceAll(NETWORK_KEEPER_PLACEHOLDER, String(this.member!.keeperPid)));
  }

  /** Before PID 1 runs init: its namespace on the bridge, with an address. */
  async attach(pid1: number): Promise<string> {
    this.hosts?.dispose();
    const target = { pid1, single: false, cgroupDirs: this.cgroupDirs };
    this.hosts = new HostsWriter(target, this.plan.name, execCapture, (why) => this.log(`network ${this.plan.name}: ${why}`));
    return this.member!.attach(pid1);
  }

  /** Once init runs (its root is in place), the machine is named on the network; at a reboot, not until it is back. */
  announce(up: boolean): void {
    if (!up) this.hosts?.dispose();
    this.member?.announce(up);
  }

  dispose(): void {
    this.hosts?.dispose();
    this.member?.dispose();
  }
}
