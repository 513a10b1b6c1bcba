// The CLI's commands: each parses its own options and calls the engine.
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  APPROXIMATE_USAGE,
  describeBootTime,
  describeLimits,
  describeLimitsState,
  describePort,
  describeStatus,
  portUrl,
  stateLabel,
  usageParts,
} from '../contract/describe';
import { isEnterable, isUp, type MachineStatus } from '../contract/machine-state';
import { userNetworkOf } from '../contract/network-name';
import { runDoctor, doctorVerdict } from '../engine/doctor';
import { BurrowError } from '../engine/errors';
import { execInteractive } from '../engine/exec';
import { probeHost } from '../engine/host-probe';
import {
  consoleTail,
  createMachine,
  editMachine,
  resetMachine,
  listMachines,
  machineUsage,
  planMachine,
  removeMachine,
  startMachine,
  stopMachine,
} from '../engine/machines';
import type { LaunchPlan } from '../engine/launch-plan';
import type { Usage } from '../engine/resource-limits';
import type { MachineProfile } from '../contract/profile';
import { loadProfile } from '../engine/profiles';
import { shellFold } from '../engine/shell-quote';
import { ensureRuntimeRoot } from '../engine/runtime-root';
import { statusOf } from '../engine/runtime-state';
import { printJournalAtRest } from '../engine/journal-at-rest';
import { isLive } from '../contract/machine-state';
import { which } from '../engine/which';
import { attachConsole } from './console-attach';
import { consoleSafe, err, json, jsonOption, oneName, out, printTable } from './format';
import { IMAGE_COMMANDS } from './image-commands';
import { UNIT_COMMANDS } from './unit-commands';
import { LIFECYCLE_COMMANDS } from './lifecycle-commands';
import { SSH_COMMANDS } from './ssh-commands';
import type { ProfileOptions } from './profile-options';
import { RUN_COMMANDS } from './run-command';
import { SHARE_OPTION_SPECS } from './share-option-specs';

// Loaded by the commands that use them, not by every run of the CLI (a `start` or `stop` pays for what it
// loads): the web host (ws and https), the option parser, the image store (both load zod), exported settings.
const webHost = (): typeof import('../web/server') => require('../web/server');
const openPage = (): typeof import('../web/open-page') => require('../web/open-page');
const options = (): typeof import('./profile-options') => require('./profile-options');
const images = (): typeof import('../engine/image-store') => require('../engine/image-store');
const exportedSettings = (): typeof import('../engine/exported-settings') => require('../engine/exported-settings');

interface OptionSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
  help?: string;
}

export interface Command {
  name: string;
  usage: string;
  summary: string;
  details?: string;
  /** Left out of `burrow --help` (run by systemd, not by people). */
  hidden?: boolean;
  options?: Record<string, OptionSpec>;
  run(positionals: string[], values: Record<string, unknown>): Promise<number>;
}

const profileOptions: Record<string, OptionSpec> = {
  rootfs: { type: 'string', help: 'the rootfs folder (or use --image)' },
  image: { type: 'string', help: 'an image from the store (burrow image ls); its files stay pristine by default' },
  persistent: { type: 'boolean', help: 'changes go to an overlay kept per machine; the image is untouched (default with --image)' },
  ephemeral: { type: 'boolean', help: 'changes go to an overlay thrown away at stop' },
  direct: { type: 'boolean', help: 'the machine writes into its rootfs (default with --rootfs)' },
  hostname: { type: 'string', help: 'hostname inside (default: the name)' },
  'id-mapping': { type: 'string', help: 'auto (your subordinate ids, default) or single (one uid; User= services fail)' },
  cgroups: { type: 'string', help: 'auto (default), unified or hybrid' },
  caps: { type: 'string', help: 'preset: all-but-audit (default), all, systemd, none' },
  'cap-add': { type: 'string', multiple: true, help: 'add a capability (CAP_NET_ADMIN or net_admin)' },
  'cap-drop': { type: 'string', multiple: true, help: 'drop a capability' },
  network: { type: 'string', help: 'nat (default: own network, outbound access, port forwards), isolated (loopback only) or host' },
  'network-name': { type: 'string', help: 'the user network a nat machine joins, where machines reach each other by name (default: default; none: on none)' },
  publish: { type: 'string', multiple: true, short: 'p', help: '[ADDRESS:]HOST:GUEST[/udp] port forward in nat mode; 127.0.0.1 unless ADDRESS is 0.0.0.0' },
  'no-ports': { type: 'boolean', help: 'remove every port forward (then add with -p)' },
  memory: { type: 'string', help: 'memory limit, e.g. 512M or 2G (needs a delegated memory controller)' },
  pids: { type: 'string', help: 'most processes and threads at once, e.g. 512' },
  cpus: { type: 'string', help: 'CPU quota in CPUs, e.g. 1.5' },
  'no-limits': { type: 'boolean', help: 'remove every resource limit' },
  mount: { type: 'string', multiple: true, help: 'TYPE:ARGS, e.g. bind:/src:/dest, tmpfs:/var/log:64M:0755, remount-ro:/' },
  bind: { type: 'string', multiple: true, help: 'SOURCE:DEST read-write bind' },
  'ro-bind': { type: 'string', multiple: true, help: 'SOURCE:DEST read-only bind' },
  tmpfs: { type: 'string', multiple: true, help: 'DEST[:SIZE[:MODE]]' },
  env: { type: 'string', multiple: true, help: 'NAME=VALUE for PID 1' },
  init: { type: 'string', help: 'init inside (default /usr/lib/systemd/systemd, then /sbin/init)' },
  'stop-timeout': { type: 'string', help: 'seconds before a stop becomes a kill (default 30)' },
  ...SHARE_OPTION_SPECS,
};

/** Risks first and loud (they hand the machine your identity), then the plan's warnings. */
function printPlanNotes(plan: LaunchPlan): void {
  for (const r of plan.risks) out(`  ${r.level === 'danger' ? 'RISK' : 'note'}: ${r.text}`);
  for (const w of plan.warnings) out(`  warning: ${w}`);
}

function printStart(name: string, s: MachineStatus): number {
  if (isUp(s)) {
    const failed = s.failedUnits?.length ? `, failed units: ${s.failedUnits.join(' ')}` : '';
    out(`${name} is ${s.state}: ${describeBootTime(s.bootMs ?? 0)}${failed}`);
    out(`  shell: burrow shell ${name}   console: burrow console ${name}   stop: burrow stop ${name}`);
    return 0;
  }
  if (s.state === 'starting') {
    out(`${name} is still booting (${s.statusText ?? 'no status yet'}); watch it with: burrow console ${name}`);
    return 1;
  }
  err(`burrow start: ${name} ${stateLabel(s)}${s.exitCode !== undefined ? ` with exit ${s.exitCode}` : ''}: ${s.message ?? ''}`);
  const tail = consoleTail(name);
  if (tail.trim()) err(`last console lines:\n${consoleSafe(tail)}`);
  return 1;
}

function printNetworkAndLimits(profile: MachineProfile, s: MachineStatus, usage: Usage | undefined): void {
  const { network, limits } = profile;
  out(`  network: ${network.mode}${network.ports.length ? `, ports ${network.ports.map(describePort).join(', ')}` : ''}`);
  const userNetwork = userNetworkOf(network);
  const address = s.userNetwork ? `, address ${s.userNetwork.address}` : '';
  if (userNetwork) out(`  user network: ${userNetwork}${address} (the machines on it reach this one as ${profile.name})`);
  for (const p of isEnterable(s) ? network.ports.filter((x) => x.protocol === 'tcp') : []) out(`    open: ${portUrl(p)}`);
  out(`  limits: ${describeLimitsState(limits, s)}`);
  if (!usage) return;
  out(`  usage: ${usageParts(usage).join(', ')}${usage.source === 'processes' ? ` (${APPROXIMATE_USAGE})` : ''}`);
}

export const COMMANDS: Command[] = [
  {
    name: 'doctor',
    usage: 'doctor [--json]',
    summary: 'check that this host can boot machines, with the fix for each problem',
    options: jsonOption,
    async run(_p, v) {
      const checks = runDoctor(probeHost());
      if (v.json) json({ verdict: doctorVerdict(checks), checks });
      else {
        for (const c of checks) {
          out(`${{ ok: 'ok  ', warning: 'warn', error: 'FAIL' }[c.level]}  ${c.title}: ${c.detail}`);
          if (c.fix) out(`      fix: ${c.fix}`);
        }
      }
      return doctorVerdict(checks) === 'error' ? 5 : 0;
    },
  },
  {
    name: 'create',
    usage: 'create NAME --image IMG|--rootfs DIR [options]',
    summary: 'define a machine from an image or a rootfs folder (checked before anything is saved)',
    options: {
      ...profileOptions,
      'exported-settings': { type: 'boolean', help: "an image made by burrow export: take the machine's settings from it" },
      ...jsonOption,
    },
    async run(p, v) {
      const name = oneName(p, 'create NAME --image IMG');
      if (typeof v.rootfs === 'string' && typeof v.image === 'string') throw new BurrowError('invalid-input', 'give --image or --rootfs, not both');
      const image = typeof v.image === 'string' ? images().loadImage(v.image) : undefined;
      const rootfs = image?.rootfs ?? v.rootfs;
      if (typeof rootfs !== 'string') {
        const hasImages = images().listImages().length > 0;
        const fix = hasImages ? 'see your images with: burrow image ls' : 'build an image first: burrow image create deb12 --debian bookworm';
        throw new BurrowError('invalid-input', 'missing --image IMG or --rootfs DIR', fix);
      }
      if (v['exported-settings'] && !image)
        throw new BurrowError('invalid-input', '--exported-settings takes the settings from an image made by burrow export', 'add --image IMG');
      const notes: string[] = [];
      const fromImage = (prof: MachineProfile): MachineProfile => {
        const base: MachineProfile = image ? { ...prof, image: image.name, storage: 'persistent' } : prof;
        if (!image || !v['exported-settings']) return base;
        const exported = exportedSettings().applyExportedSettings(image, base);
        notes.push(...exported.notes);
        return exported.profile;
      };
      const { profile, plan } = createMachine(name, rootfs, (prof) => options().applyProfileOptions(fromImage(prof), v as ProfileOptions));
      if (v.json) json(profile);
      else {
        for (const n of notes) out(n);
        const facts = [
          plan.distro ?? 'unknown distribution',
          `systemd ${plan.systemdVersion ?? '?'}`,
          `${plan.cgroup.presentation} cgroups`,
          `id mapping ${plan.idMapping.mode}`,
          `storage ${profile.storage}`,
          `network ${profile.network.mode}`,
        ];
        out(`created ${name}: ${facts.join(', ')}`);
        printPlanNotes(plan);
        out(`  start it with: burrow start ${name}`);
      }
      return 0;
    },
  },
  {
    name: 'edit',
    usage: 'edit NAME [options]',
    summary: "change a machine's settings (the same options as create); a running machine sees them at its next start",
    options: { ...Object.fromEntries(Object.entries(profileOptions).filter(([k]) => k !== 'rootfs' && k !== 'image')), ...jsonOption },
    async run(p, v) {
      const name = oneName(p, 'edit NAME [options]');
      const { profile, plan, changed, restartNeeded } = await editMachine(name, (prof) => options().applyProfileOptions(prof, v as ProfileOptions));
      if (v.json) json(profile);
      else {
        const ports = profile.network.ports.length ? ` (${profile.network.ports.map(describePort).join(', ')})` : '';
        out(`saved ${name}: network ${profile.network.mode}${ports}, limits ${describeLimits(profile.limits)}`);
        if (!changed.length) out('  nothing changed');
        printPlanNotes(plan);
        if (restartNeeded) out(`  ${name} is running: restart it to apply (burrow stop ${name} && burrow start ${name})`);
      }
      return 0;
    },
  },
  {
    name: 'reset',
    usage: 'reset NAME',
    summary: 'throw away what a persistent machine changed on top of its image (it must be stopped)',
    async run(p) {
      const name = oneName(p, 'reset NAME');
      const { discarded } = resetMachine(name);
      out(discarded ? `${name} is back to its image: its changes were discarded` : `${name} had no changes to discard`);
      return 0;
    },
  },
  {
    name: 'ls',
    usage: 'ls [--json]',
    summary: 'list machines and their states',
    options: jsonOption,
    async run(_p, v) {
      const { machines, broken } = listMachines();
      if (v.json) {
        json({ machines: machines.map((m) => ({ ...m.status, rootfs: m.profile.rootfs })), broken });
        return 0;
      }
      if (!machines.length && !broken.length) out('no machines yet: create one with burrow create NAME --rootfs DIR');
      else
        printTable(
          ['NAME', 'STATE', 'PID 1', 'SINCE', 'ROOTFS'],
          machines.map((m) => [
            m.profile.name,
            describeStatus(m.status),
            m.status.pid1 ? String(m.status.pid1) : '-',
            m.status.readyAt ?? m.status.startedAt ?? '-',
            m.profile.rootfs,
          ]),
        );
      for (const b of broken) err(`warning: ${b.error}`);
      return 0;
    },
  },
  {
    name: 'status',
    usage: 'status NAME [--json]',
    summary: 'show one machine: state, PID 1, boot time, failed units',
    options: jsonOption,
    async run(p, v) {
      const name = oneName(p, 'status NAME');
      const profile = loadProfile(name);
      const s = statusOf(name);
      if (v.json) json({ ...s, network: profile.network, limitsRequested: profile.limits, usage: machineUsage(name) });
      else {
        out(`${name}: ${describeStatus(s)}`);
        if (s.statusText) out(`  systemd: ${s.statusText}`);
        if (s.pid1) out(`  PID 1: ${s.pid1} (host pid)`);
        if (s.unit && s.pid1) out(`  unit: ${s.unit} (systemctl --user status ${s.unit}, journalctl --user -u ${s.unit})`);
        if (s.bootMs !== undefined) out(`  ${describeBootTime(s.bootMs)}`);
        if (isUp(s) && s.failedUnits?.length) out(`  failed units: ${s.failedUnits.join(' ')}`);
        if (s.message) out(`  ${s.message}`);
        printNetworkAndLimits(profile, s, machineUsage(name));
      }
      return 0;
    },
  },
  {
    name: 'start',
    usage: 'start NAME [--attach] [--timeout SEC]',
    summary: 'boot a machine; returns once it is ready (or failed), the machine keeps running',
    options: {
      attach: { type: 'boolean', help: 'attach to its console once ready' },
      timeout: { type: 'string', help: 'seconds to wait for ready (default 120)' },
    },
    async run(p, v) {
      const name = oneName(p, 'start NAME');
      const timeout = v.timeout === undefined ? 120 : Number(v.timeout);
      if (!Number.isFinite(timeout) || timeout <= 0) throw new BurrowError('invalid-input', `--timeout must be a number of seconds, not "${v.timeout}"`);
      const s = await startMachine(name, { timeoutMs: timeout * 1000, cols: process.stdout.columns, rows: process.stdout.rows });
      const code = printStart(name, s);
      return code === 0 && v.attach ? attachConsole(name) : code;
    },
  },
  {
    name: 'stop',
    usage: 'stop NAME',
    summary: 'shut a machine down cleanly (SIGRTMIN+3 to its systemd; killed after its stop timeout)',
    async run(p) {
      const name = oneName(p, 'stop NAME');
      const s = await stopMachine(name, 'stop');
      out(`${name} ${describeStatus(s)}`);
      return 0;
    },
  },
  {
    name: 'kill',
    usage: 'kill NAME',
    summary: 'end a machine at once (SIGKILL to everything in it)',
    async run(p) {
      const name = oneName(p, 'kill NAME');
      const s = await stopMachine(name, 'kill');
      out(`${name} ${describeStatus(s)}`);
      return 0;
    },
  },
  {
    name: 'console',
    usage: 'console NAME',
    summary: "attach to PID 1's console (history replayed); Ctrl+] detaches. Stopped: what its last boot printed",
    async run(p) {
      return attachConsole(oneName(p, 'console NAME'));
    },
  },
  {
    name: 'shell',
    usage: 'shell NAME [-- CMD...]',
    summary: 'a login shell (or CMD) inside the machine; its exit status is passed through',
    async run(p) {
      const [name, ...cmd] = p;
      oneName(name ? [name] : [], 'shell NAME [-- CMD...]');
      return execInteractive(loadProfile(name!), cmd);
    },
  },
  {
    name: 'logs',
    usage: 'logs NAME [-f] [-u UNIT] [-n N]',
    summary: "the machine's journal (journalctl inside; once it stopped, its persistent journal as it left it)",
    options: {
      follow: { type: 'boolean', short: 'f', help: 'keep printing new entries' },
      unit: { type: 'string', short: 'u', help: 'only this unit' },
      lines: { type: 'string', short: 'n', help: 'the last N entries' },
    },
    async run(p, v) {
      const name = oneName(p, 'logs NAME');
      const profile = loadProfile(name);
      const args = ['--no-pager'];
      if (typeof v.unit === 'string') args.push('--unit', v.unit);
      if (v.lines !== undefined) {
        if (!/^\d+$/.test(String(v.lines))) throw new BurrowError('invalid-input', `-n must be a number, not "${v.lines}"`);
        args.push('--lines', String(v.lines));
      }
      if (isLive(statusOf(name))) return execInteractive(profile, ['journalctl', ...(v.follow ? ['--follow'] : []), ...args]);
      // Stopped or crashed: its persistent journal, read from its tree.
      if (v.follow)
        throw new BurrowError(
          'not-running',
          `machine "${name}" is not running: there is nothing to follow`,
          `leave out -f to read what it logged, or start it: burrow start ${name}`,
        );
      return printJournalAtRest(profile, args);
    },
  },
  {
    name: 'command',
    usage: 'command NAME [--supervised]',
    summary: 'print the exact command line that boots the machine (paste it into a terminal)',
    options: {
      supervised: { type: 'boolean', help: "the supervisor's variant (bwrap's info written to the runtime folder)" },
      json: { type: 'boolean', help: 'the whole launch plan as JSON' },
    },
    async run(p, v) {
      const name = oneName(p, 'command NAME');
      const { plan } = planMachine(loadProfile(name), { supervised: !!v.supervised });
      if (v.json) json(plan);
      else {
        out(shellFold(plan.argv));
        // The helper needs PID 1's pid, known only once it runs: say so rather than print a line that lies.
        if (plan.network.helper)
          out(`# nat network: once PID 1 runs, Burrow configures it with (PID = PID 1's host pid):\n# ${plan.network.helper.argv.join(' ')}`);
      }
      return 0;
    },
  },
  {
    name: 'serve',
    usage: 'serve [--port N] [--no-open]',
    summary: 'the Burrow window in a browser: a web host on 127.0.0.1 with a private token',
    details:
      'The URL it prints carries a random token, which the page trades for a cookie at once (the browser is given a private page\n' +
      'that forwards to it, never the token). Only this machine can connect (use an ssh tunnel from elsewhere, with the same port).',
    options: {
      port: { type: 'string', help: 'port on 127.0.0.1 (default: 7780, or any free one; 0 picks one)' },
      'no-open': { type: 'boolean', help: 'do not open a browser' },
    },
    async run(_p, v) {
      const requested = v.port === undefined ? undefined : Number(v.port);
      if (requested !== undefined && (!Number.isInteger(requested) || requested < 0 || requested > 65535))
        throw new BurrowError('invalid-input', `--port must be a port number, not "${v.port}"`);
      const staticDir = path.join(__dirname, 'renderer');
      if (!fs.existsSync(path.join(staticDir, 'index.html'))) throw new BurrowError('internal', 'the window is not built', 'run: npm run build');
      let host;
      try {
        host = await webHost().startWebHost({ port: requested ?? 7780, staticDir });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE' || requested !== undefined)
          throw new BurrowError('invalid-input', `cannot listen on 127.0.0.1:${requested}: ${(e as Error).message}`, 'choose another --port');
        host = await webHost().startWebHost({ port: 0, staticDir });
      }
      out(`Burrow is serving its window at:\n\n  ${host.url}\n\n`);
      out(`Only this machine can connect (from elsewhere: ssh -L ${host.port}:127.0.0.1:${host.port} THIS-HOST). Ctrl+C stops it; machines keep running.`);
      const browser = which('xdg-open');
      // The browser gets a private page's path, never the tokened URL: arguments are public (/proc/PID/cmdline).
      const display = process.env.DISPLAY || process.env.WAYLAND_DISPLAY;
      const page = !v['no-open'] && browser && display ? openPage().writeOpenPage(ensureRuntimeRoot(), host.port, host.url) : undefined;
      if (page) openPage().openInBrowser(browser!, page.file);
      await new Promise<void>((resolve) => {
        const stop = () =>
          void host
            .close()
            .then(() => page?.dispose())
            .then(resolve);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      return 0;
    },
  },
  {
    name: 'rm',
    usage: 'rm NAME',
    summary: 'delete a stopped machine (its profile; the image folder is left alone)',
    async run(p) {
      const name = oneName(p, 'rm NAME');
      await removeMachine(name);
      out(`removed ${name}`);
      return 0;
    },
  },
  ...UNIT_COMMANDS,
  ...RUN_COMMANDS,
  ...LIFECYCLE_COMMANDS,
  ...SSH_COMMANDS,
  ...IMAGE_COMMANDS,
];
