// `burrow clone`, `snapshot`, `restore`, `export` and `df`: a machine's lifecycle beyond start and stop.
import { formatBytes } from '../contract/format-units';
import { describePort } from '../contract/describe';
import { BurrowError } from '../engine/errors';
import { checkName } from '../engine/profiles';
import { checkSnapshotId } from '../engine/snapshot-ref';
import type { Command } from './commands';
import { json, jsonOption, out, printTable } from './format';
import { withProgress } from './image-commands';
import type { ImportProgress } from '../engine/image-import';
import type { CopyProgress } from '../engine/tree-copy';

// Loaded when a lifecycle command runs: a start or a stop never pays for them (electron/cli/startup.test.ts).
const clones = (): typeof import('../engine/clone') => require('../engine/clone');
const usage = (): typeof import('../engine/disk-usage') => require('../engine/disk-usage');
const exports_ = (): typeof import('../engine/export') => require('../engine/export');
const snapshotStore = (): typeof import('../engine/snapshots') => require('../engine/snapshots');

const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const labelled = (label?: string) => (label ? ` "${label}"` : '');
const squashNote = (pairs: number) => (pairs ? `; ${plural(pairs, 'old layer pair')} squashed` : '');
const compressed = (c: string) => (c === 'none' ? '' : ` (${c})`);
const SHARED_COPIES = ' (this file system shares copies, which du counts in full: less is really used)';
const frozenNote = (machine: string, ms?: number) => (ms === undefined ? '' : `, ${machine} frozen for ${secs(ms)}`);
/** Copies report files, not bytes: shown on the same progress line as imports. */
const asImportProgress = (onProgress: (p: ImportProgress) => void) => (c: CopyProgress) => onProgress({ ...c, bytes: 0, totalBytes: 0 });

function expect(positionals: string[], count: number, usage: string): string[] {
  if (positionals.length !== count)
    throw new BurrowError('invalid-input', `expected ${count === 1 ? 'one argument' : `${count} arguments`} (usage: burrow ${usage})`);
  return positionals;
}

function machineArg(positionals: string[], usage: string): string {
  const [name] = expect(positionals, 1, usage);
  checkName(name!);
  return name!;
}

function snapshotArgs(positionals: string[], usage: string): [string, string] {
  const [name, id] = expect(positionals, 2, usage);
  checkName(name!);
  checkSnapshotId(id!);
  return [name!, id!];
}

const take: Command['run'] = async (p, v) => {
  const name = machineArg(p, 'snapshot NAME [--label TEXT]');
  const r = await withProgress(`snapshot of ${name}`, (signal, onProgress) =>
    snapshotStore().takeSnapshot(name, { label: typeof v.label === 'string' ? v.label : undefined, signal, onProgress: asImportProgress(onProgress) }),
  );
  if (v.json) {
    json(r);
    return 0;
  }
  const how =
    r.method === 'rename'
      ? 'its changes became a read-only layer, nothing was copied'
      : `copied${r.frozenMs !== undefined ? `, with ${name} frozen for ${secs(r.frozenMs)}` : ''}${r.copyOnWrite ? ' (copy-on-write)' : ''}`;
  out(`snapshot ${name}@${r.snapshot.id}${labelled(r.snapshot.label)} taken in ${secs(r.ms)} (${how})${squashNote(r.squashed)}`);
  out(`  go back to it: burrow restore ${name} ${r.snapshot.id}   branch it: burrow clone ${name}@${r.snapshot.id} NEW`);
  return 0;
};

export const LIFECYCLE_COMMANDS: Command[] = [
  {
    name: 'clone',
    usage: 'clone SRC[@SNAPSHOT] NEW',
    summary: 'copy a machine (or one of its snapshots) into a new, independent machine; a running one is frozen for the copy',
    details: 'The new machine has its own id, overlay and cgroup. Port forwards are not copied (two machines cannot hold one port).',
    options: jsonOption,
    async run(p, v) {
      const [source, target] = expect(p, 2, 'clone SRC[@SNAPSHOT] NEW');
      const r = await withProgress(`cloning ${source}`, (signal, onProgress) =>
        clones().cloneMachine(source!, target!, { signal, onProgress: asImportProgress(onProgress) }),
      );
      if (v.json) {
        json(r);
        return 0;
      }
      const how = r.copiedBytes ? `${formatBytes(r.copiedBytes)} copied${r.copyOnWrite ? ' copy-on-write' : ''}` : 'nothing to copy';
      out(`cloned ${source} into ${target} in ${secs(r.ms)}: ${how}${frozenNote(r.from.machine, r.frozenMs)}`);
      for (const note of r.notes) out(`  ${note}`);
      if (r.droppedPorts.length)
        out(
          `  port forwards not copied (both machines would claim them): ${r.droppedPorts.map(describePort).join(', ')}; ` +
            `add others with: burrow edit ${target} -p HOST:GUEST`,
        );
      out(`  start it with: burrow start ${target}`);
      return 0;
    },
  },
  {
    name: 'snapshot',
    usage: 'snapshot NAME [--label TEXT]',
    summary: 'save the machine as it is now (running: frozen for a consistent copy); see snapshot ls, restore',
    options: { label: { type: 'string', help: 'a note to recognise it by, e.g. "before upgrade"' }, ...jsonOption },
    run: take,
  },
  {
    name: 'snapshot take',
    usage: 'snapshot take NAME [--label TEXT]',
    summary: 'the same as snapshot NAME (for a machine named like a subcommand: ls, rm, take)',
    options: { label: { type: 'string', help: 'a note to recognise it by' }, ...jsonOption },
    run: take,
  },
  {
    name: 'snapshot ls',
    usage: 'snapshot ls NAME [--json]',
    summary: "list a machine's snapshots with the bytes each one alone holds",
    options: jsonOption,
    async run(p, v) {
      const name = machineArg(p, 'snapshot ls NAME');
      const { snapshots, storage } = snapshotStore().listSnapshots(name, { sizes: true });
      if (v.json) {
        json({ machine: name, storage, snapshots });
        return 0;
      }
      if (!snapshots.length) out(`${name} has no snapshots yet: take one with burrow snapshot ${name} --label TEXT`);
      else
        printTable(
          ['SNAPSHOT', 'TAKEN', 'OWN SIZE', 'LABEL'],
          snapshots.map((s) => [
            `${name}@${s.id}${s.current ? ' *' : ''}`,
            s.createdAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
            formatBytes(s.ownBytes ?? 0),
            s.label ?? '',
          ]),
        );
      if (snapshots.some((s) => s.current)) out(`* ${name}'s current changes sit on this snapshot`);
      return 0;
    },
  },
  {
    name: 'snapshot rm',
    usage: 'snapshot rm NAME SNAPSHOT',
    summary: 'delete a snapshot (layers other snapshots or the machine need are kept)',
    async run(p) {
      const [name, id] = snapshotArgs(p, 'snapshot rm NAME SNAPSHOT');
      await snapshotStore().removeSnapshotOf(name, id);
      out(`removed snapshot ${name}@${id}`);
      return 0;
    },
  },
  {
    name: 'restore',
    usage: 'restore NAME SNAPSHOT [--stop]',
    summary: 'put a machine back as it was at a snapshot (refused while it runs, unless --stop)',
    details: 'What changed since is discarded; other snapshots stay. Take a snapshot first to keep the current state.',
    options: { stop: { type: 'boolean', help: 'stop the machine first if it runs' } },
    async run(p, v) {
      const [name, id] = snapshotArgs(p, 'restore NAME SNAPSHOT');
      const r = await withProgress(`restoring ${name}`, (signal, onProgress) =>
        snapshotStore().restoreSnapshot(name, id, { stop: !!v.stop, signal, onProgress: asImportProgress(onProgress) }),
      );
      out(`${name} is back at snapshot ${id} (in ${secs(r.ms)}${r.stopped ? `, after stopping it` : ''})`);
      out(`  start it with: burrow start ${name}`);
      return 0;
    },
  },
  {
    name: 'export',
    usage: 'export NAME[@SNAPSHOT] FILE [--oci]',
    summary: 'write the machine (or a snapshot) as one tarball with its settings: .tar, .tar.zst or .tar.xz by the name',
    details:
      'Owners are the ones the guest sees (numeric), with modes, xattrs and file capabilities; the profile is the first entry.\n' +
      'On another computer: burrow image import NAME FILE, then burrow create NAME --image NAME --exported-settings.\n' +
      'With --oci, FILE.tar is an OCI image (one layer, systemd as its command) for podman load, docker load or skopeo.',
    options: { oci: { type: 'boolean', help: 'write an OCI image podman and docker load' }, ...jsonOption },
    async run(p, v) {
      const [source, file] = expect(p, 2, 'export NAME[@SNAPSHOT] FILE [--oci]');
      const r = await withProgress(`exporting ${source}`, (signal, onProgress) =>
        exports_().exportMachine(source!, file!, { signal, onProgress: asImportProgress(onProgress), onExport: onProgress, oci: !!v.oci }),
      );
      if (v.json) {
        json(r);
        return 0;
      }
      const what = r.ociReference ? ` (OCI image ${r.ociReference})` : compressed(r.compression);
      out(`exported ${source} to ${r.file}: ${formatBytes(r.bytes)}${what} in ${secs(r.ms)}${frozenNote(r.from.machine, r.frozenMs)}`);
      if (r.ociReference) out(`  load it: podman load -i ${r.file}   (or docker load -i, skopeo copy oci-archive:${r.file} …)`);
      else out(`  elsewhere: burrow image import ${r.from.machine} FILE && burrow create ${r.from.machine} --image ${r.from.machine} --exported-settings`);
      return 0;
    },
  },
  {
    name: 'df',
    usage: 'df [--json]',
    summary: 'disk use of images, machines and snapshots, and what image rm, reset and snapshot rm would free',
    options: jsonOption,
    async run(_p, v) {
      const r = usage().diskUsageReport();
      if (v.json) {
        json(r);
        return 0;
      }
      const freed = (n: number | null, why: string) => (n === null ? why : formatBytes(n));
      if (r.images.length) {
        printTable(
          ['IMAGE', 'SIZE', 'USED BY', 'IMAGE RM FREES'],
          r.images.map((i) => [i.name, formatBytes(i.bytes), i.machines.join(', ') || '-', i.inPlace ? '0 (used in place)' : freed(i.rmFrees, 'in use')]),
        );
        out('');
      }
      if (r.machines.length) {
        printTable(
          ['MACHINE', 'STORAGE', 'OWN', 'SHARED', 'SNAPSHOTS', 'RESET FREES', 'RM FREES'],
          r.machines.map((m) => [
            m.name,
            m.storage,
            formatBytes(m.ownBytes),
            m.sharedBytes ? `${formatBytes(m.sharedBytes)}${m.image ? ` (${m.image})` : ''}` : '-',
            String(m.snapshots.length),
            freed(m.resetFrees, '-'),
            formatBytes(m.rmFrees),
          ]),
        );
        const snaps = r.machines.flatMap((m) =>
          m.snapshots.map((s) => [`${m.name}@${s.id}`, formatBytes(s.ownBytes), formatBytes(s.totalBytes), s.label ?? '']),
        );
        if (snaps.length) {
          out('');
          printTable(['SNAPSHOT', 'SNAPSHOT RM FREES', 'NEEDS', 'LABEL'], snaps);
        }
        out('');
      }
      out(`total: ${formatBytes(r.totalBytes)}, every file counted once${r.copyOnWrite ? SHARED_COPIES : ''}`);
      return 0;
    },
  },
];
