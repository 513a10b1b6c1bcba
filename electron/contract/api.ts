// The one contract between the window and the host: calls (request -> result) and events (host -> window).
// Electron IPC (main + preload) and the web host (WebSocket) both implement it; the renderer depends on
// this file only. Every payload is validated against these schemas where it enters the host.
import * as z from 'zod';
import type { ErrorCode } from './errors';
import type { ImageProgress, ImageRecord } from './image';
import type { DiskUsageReport, LifecycleProgress, SnapshotListView } from './lifecycle';
import type { MachineStatus, MachineUsage } from './machine-state';
import { hostPath, machineName, profileSchema, type MachineProfile, type NetworkMode, type PortForward } from './profile';
import type { RiskyChoice } from './risks';
import type { UnitAction } from './units';

const terminalId = z.string().regex(/^t\d{1,9}$/);
const unitName = z.string().regex(/^[A-Za-z0-9:_.@\\-]{1,255}$/, 'not a unit name');
const snapshotId = z.string().regex(/^[1-9][0-9]{0,8}$/, 'snapshots are numbered 1, 2, 3…');
/** NAME or NAME@SNAPSHOT. */
const machineRef = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}(@[1-9][0-9]{0,8})?$/, 'a machine name, or NAME@SNAPSHOT');
const lifecycleJob = z.string().regex(/^(clone|export|snapshot|restore):[a-z0-9][a-z0-9_@-]{0,80}$/, 'not a job');

/** Argument schemas, one tuple per call. */
export const callSchemas = {
  'host.doctor': z.tuple([]),
  'host.info': z.tuple([]),
  'machines.list': z.tuple([]),
  'machines.get': z.tuple([machineName]),
  'machines.plan': z.tuple([z.unknown()]),
  'machines.create': z.tuple([profileSchema]),
  'machines.update': z.tuple([profileSchema]),
  'machines.remove': z.tuple([machineName]),
  'machines.start': z.tuple([machineName]),
  'machines.stop': z.tuple([machineName]),
  'machines.kill': z.tuple([machineName]),
  'machines.restart': z.tuple([machineName]),
  'machines.reset': z.tuple([machineName]),
  /** Start at login (a unit file for the user's systemd), or not. */
  'machines.setAutostart': z.tuple([machineName, z.boolean()]),
  'machines.units': z.tuple([machineName]),
  'machines.unitAction': z.tuple([machineName, unitName, z.enum(['start', 'stop', 'restart'])]),
  /** `systemctl status UNIT` inside a running machine. */
  'machines.unitStatus': z.tuple([machineName, unitName]),
  'machines.liveMounts': z.tuple([machineName]),
  'machines.usage': z.tuple([machineName]),
  /** What the console of the machine's last boot printed (its runtime folder keeps it after the machine ended). */
  'machines.lastConsole': z.tuple([machineName]),
  /** Whether anyone can log in on the console: the accounts inside that have a password. */
  'machines.loginInfo': z.tuple([machineName]),
  /** A machine's snapshots with the bytes each alone holds. */
  'machines.snapshots': z.tuple([machineName]),
  'machines.snapshot': z.tuple([machineName, z.object({ label: z.string().max(200).optional() })]),
  /** `stop`: a running machine is stopped first (the window asked the user). */
  'machines.restore': z.tuple([machineName, snapshotId, z.object({ stop: z.boolean() })]),
  'machines.snapshotRemove': z.tuple([machineName, snapshotId]),
  /** Long jobs with progress (lifecycle.progress) and cancel (lifecycle.cancel). */
  'machines.clone': z.tuple([z.object({ source: machineRef, name: machineName })]),
  /** `oci`: an OCI image (one layer) for podman load / docker load, instead of Burrow's own archive. */
  'machines.export': z.tuple([z.object({ source: machineRef, file: hostPath, oci: z.boolean().optional() })]),
  'lifecycle.cancel': z.tuple([lifecycleJob]),
  /** The image and lifecycle jobs running now, with their last progress (a window that opens or reloads lists them). */
  'jobs.list': z.tuple([]),
  'disk.usage': z.tuple([]),
  'machines.journal': z.tuple([
    machineName,
    z.object({
      unit: unitName.optional(),
      priority: z.number().int().min(0).max(7).optional(),
      lines: z.number().int().min(1).max(100000),
      grep: z.string().max(200).optional(),
    }),
  ]),
  'rootfs.inspect': z.tuple([hostPath]),
  'fs.complete': z.tuple([z.string().max(4096)]),
  'terminal.open': z.tuple([
    z.object({
      machine: machineName,
      kind: z.enum(['console', 'shell', 'journal']),
      cols: z.number().int().min(2).max(1000),
      rows: z.number().int().min(2).max(1000),
    }),
  ]),
  'terminal.input': z.tuple([terminalId, z.string().max(1024 * 1024)]),
  'terminal.resize': z.tuple([terminalId, z.number().int().min(2).max(1000), z.number().int().min(2).max(1000)]),
  'terminal.ack': z.tuple([terminalId, z.number().int().min(0)]),
  'terminal.close': z.tuple([terminalId]),
  'images.list': z.tuple([]),
  'images.inspect': z.tuple([machineName]),
  'images.create': z.tuple([
    z.object({
      name: machineName,
      suite: z.string().regex(/^[a-z][a-z0-9.-]{1,31}$/, 'a Debian suite such as bookworm'),
      packages: z.array(z.string().regex(/^[a-z0-9][a-z0-9+.-]+$/, 'not a Debian package name')).max(200),
    }),
  ]),
  'images.import': z.tuple([z.object({ name: machineName, source: hostPath, copy: z.boolean() })]),
  'images.cancel': z.tuple([machineName]),
  'images.remove': z.tuple([machineName]),
  /** The desktop's folder picker (Electron only; the browser build types a path instead). */
  'dialog.pickRootfs': z.tuple([]),
  /** The desktop's file picker for an image to import (tarball, OCI or docker save archive). */
  'dialog.pickImageFile': z.tuple([]),
} as const;

export type CallName = keyof typeof callSchemas;
export type CallArgs<K extends CallName> = z.infer<(typeof callSchemas)[K]>;

export interface DoctorCheckView {
  id: string;
  title: string;
  level: 'ok' | 'warning' | 'error';
  detail: string;
  fix?: string;
}

export interface RootfsView {
  rootfs: string;
  distro?: string;
  init?: string[];
  systemdVersion?: number;
  ownership: string[];
  /** The sentence to show when the folder cannot be used. */
  error?: string;
}

export interface PlanView {
  commandLine: string;
  mounts: { type: string; source?: string; target?: string; dest: string; options?: string; origin: string; note?: string }[];
  cgroup: { presentation: 'unified' | 'hybrid'; reason: string; hostLayout: string; dirs: { hierarchy: string; hostDir: string }[] };
  /** `user`: who you are inside (a machine with a share user; root is you where absent). */
  idMapping: { mode: 'auto' | 'single'; description: string; user?: { uid: number; gid: number; name?: string } };
  /** The display switch on this desktop: what it has to pass, and what it lacks. */
  display?: { passed: string[]; missing: string[] };
  warnings: string[];
  /** Choices that hand the machine your identity: shown apart from the warnings, as risks. */
  risks: RiskyChoice[];
  rootfs: RootfsView;
  network: { mode: NetworkMode; ports: PortForward[]; helper?: string };
  limits: { writes: { file: string; value: string }[]; unavailable?: string };
}

/** Live resource usage (see MachineUsage). */
export type UsageView = MachineUsage;

/** Who and where the host's user is, and the host facts the wizard checks settings against as they are typed. */
export interface HostInfo {
  user: string;
  home: string;
  transport: 'electron' | 'web';
  platform: string;
  /** The lowest host port an ordinary user may bind (net.ipv4.ip_unprivileged_port_start). */
  portStart: number;
  /** Why each kind of limit cannot be applied on this host; absent where it can. */
  limits: Partial<Record<'memory' | 'pids' | 'cpu', string>>;
}

export interface MachineListItem {
  profile: MachineProfile;
  status: MachineStatus;
  /**
   * The settings the running launch started with, while the machine is live (a change to the profile
   * reaches it at its next start: the window shows the difference as pending).
   */
  applied?: MachineProfile;
  /** Starts at login; undefined where the host has no systemd user manager to do it. */
  autostart?: boolean;
}

export interface UnitView {
  unit: string;
  load: string;
  active: string;
  sub: string;
  description: string;
  /** Expected to fail without real privileges (and usually masked by Burrow). */
  expectedFailure: boolean;
  /** What may be done to it now (contract/units.ts: its state, and what systemd allows for it). */
  actions: UnitAction[];
}

/** The outcome of a unit action, after systemd's job ended: a sentence either way, and the unit as it is now. */
export interface UnitActionResult {
  ok: boolean;
  message: string;
  unit?: UnitView;
}

export interface LiveMount {
  dest: string;
  fstype: string;
  source: string;
  options: string;
}

/** Who can log in on a machine's console (from its /etc/shadow: only names leave the machine, never a hash). */
export interface LoginInfo {
  /** Accounts with a password set; a console login lets only them in. */
  withPassword: string[];
  /** Accounts that log in without any password (an empty one). */
  withoutPassword: string[];
}

export interface JournalEntry {
  time: number;
  priority: number;
  unit?: string;
  identifier?: string;
  message: string;
  cursor: string;
}

export interface CallResults {
  'host.doctor': { verdict: 'ok' | 'warning' | 'error'; checks: DoctorCheckView[] };
  'host.info': HostInfo;
  'machines.list': { machines: MachineListItem[]; broken: { name: string; file: string; error: string }[] };
  'machines.get': MachineListItem;
  'machines.plan': PlanView;
  'machines.create': MachineListItem;
  'machines.update': { item: MachineListItem; changed: string[]; restartNeeded: boolean };
  'machines.remove': null;
  'machines.start': MachineStatus;
  'machines.stop': MachineStatus;
  'machines.kill': MachineStatus;
  'machines.restart': MachineStatus;
  'machines.reset': { discarded: boolean };
  'machines.setAutostart': { autostart: boolean; notes: string[] };
  'machines.units': UnitView[];
  'machines.unitAction': UnitActionResult;
  'machines.unitStatus': string;
  'machines.liveMounts': LiveMount[];
  'machines.usage': UsageView | null;
  'machines.journal': JournalEntry[];
  'machines.lastConsole': string;
  'machines.loginInfo': LoginInfo;
  'machines.snapshots': SnapshotListView;
  'machines.snapshot': { id: string; method: 'rename' | 'copy'; ms: number; frozenMs?: number };
  'machines.restore': { stopped: boolean; ms: number };
  'machines.snapshotRemove': null;
  'machines.clone': { name: string; droppedPorts: PortForward[]; copiedBytes: number; notes: string[]; ms: number; frozenMs?: number };
  'machines.export': { file: string; bytes: number; ms: number; frozenMs?: number; ociReference?: string };
  'lifecycle.cancel': boolean;
  'jobs.list': { images: ImageProgress[]; lifecycle: LifecycleProgress[] };
  'disk.usage': DiskUsageReport;
  'rootfs.inspect': RootfsView;
  'fs.complete': string[];
  'terminal.open': { id: string };
  'terminal.input': null;
  'terminal.resize': null;
  'terminal.ack': null;
  'terminal.close': null;
  'dialog.pickRootfs': string | null;
  'dialog.pickImageFile': string | null;
  'images.list': ImageListItem[];
  'images.inspect': ImageReportView;
  'images.create': ImageRecord;
  'images.import': ImageRecord;
  'images.cancel': boolean;
  'images.remove': null;
}

export interface ImageListItem {
  image: ImageRecord;
  machines: string[];
}

/** `burrow image inspect` as data: facts in words, problems, the fix. */
export interface ImageReportView {
  name: string;
  verdict: 'ok' | 'problem';
  facts: [string, string][];
  problems: string[];
  fix?: string;
  machines: string[];
}

export interface EventPayloads {
  'machines.changed': MachineStatus;
  /** A menu command from the desktop shell. */
  'ui.command': { command: 'new-machine' | 'show-doctor' };
  'terminal.data': { id: string; data: string };
  'terminal.exit': { id: string; code: number };
  'images.progress': ImageProgress;
  'lifecycle.progress': LifecycleProgress;
}
export type EventName = keyof EventPayloads;
export { EVENT_NAMES, IPC_CALL, IPC_EVENT } from './channels';

/** Results travel wrapped, so an error's message survives any transport. */
export type Envelope<T> = { result: T } | { error: { message: string; code?: ErrorCode } };

/** What the renderer sees: one object, the same for Electron and the browser. */
export interface BurrowApi {
  invoke<K extends CallName>(name: K, ...args: CallArgs<K>): Promise<CallResults[K]>;
  on<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void;
  /** Electron only: the host path of a file or folder dropped onto the window. */
  pathForFile?(file: File): string;
}

/**
 * Flow control for terminals (after VS Code): the host pauses above HIGH unacknowledged characters and
 * resumes below LOW; the window acknowledges every ACK characters xterm has parsed. VS Code's 100k/5k
 * stalled a console flood on round trips (4.5 MiB/s to the window here); 1M/250k gives 12 MiB/s with
 * the longest frame at 17 ms (bench: "console flood to the window").
 */
export const FLOW_HIGH_WATERMARK = 1_000_000;
export const FLOW_LOW_WATERMARK = 250_000;
export const FLOW_ACK_CHARS = 50_000;

export function isCallName(name: unknown): name is CallName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(callSchemas, name);
}

/** Validates a call's arguments; returns a readable error instead of throwing. */
export function parseCall(name: unknown, args: unknown): { ok: true; name: CallName; args: unknown[] } | { ok: false; message: string } {
  if (!isCallName(name)) return { ok: false, message: `unknown call ${JSON.stringify(name)}` };
  const parsed = callSchemas[name].safeParse(args);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, message: `invalid arguments for ${name}: ${issue ? `${issue.path.join('.')} ${issue.message}` : 'rejected'}` };
  }
  return { ok: true, name, args: parsed.data as unknown[] };
}
