// `burrow image …`: create, import, list, inspect and remove images in the store.
import { formatBytes } from '../contract/format-units';
import { BurrowError } from '../engine/errors';
import type { ImportProgress } from '../engine/image-import';
import type { ImageRecord } from '../engine/image-store';
import type { Command } from './commands';
import { json, jsonOption, out, printTable } from './format';

// The image tools load when an image command runs: every other command (a start, a stop) skips them.
const store = (): typeof import('../engine/image-store') => require('../engine/image-store');
const creator = (): typeof import('../engine/image-create') => require('../engine/image-create');
const inspector = (): typeof import('../engine/image-inspect') => require('../engine/image-inspect');
const exportImporter = (): typeof import('../engine/export-manifest') => require('../engine/export-manifest');

function names(positionals: string[], count: number, usage: string): string[] {
  if (positionals.length !== count)
    throw new BurrowError('invalid-input', `expected ${count === 1 ? 'an image name' : 'an image name and a source'} (usage: burrow ${usage})`);
  store().checkImageName(positionals[0]!);
  return positionals;
}

/** Progress on one rewritten line in a terminal, a line per phase otherwise; Ctrl+C cancels cleanly. */
export async function withProgress<T>(what: string, run: (signal: AbortSignal, onProgress: (p: ImportProgress) => void) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSigint = () => {
    process.stderr.write('\ncancelling…\n');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  const tty = process.stderr.isTTY;
  let lastPhase = '';
  const onProgress = (p: ImportProgress) => {
    const amount = p.totalBytes
      ? `${Math.min(100, Math.floor((p.bytes / p.totalBytes) * 100))}% of ${formatBytes(p.totalBytes)}`
      : p.bytes
        ? formatBytes(p.bytes)
        : '';
    const line = `${what}: ${p.phase}${amount ? `, ${amount}` : ''}${p.entries ? `, ${p.entries} files` : ''}`;
    if (tty) process.stderr.write(`\r\x1b[K${line}`);
    else if (p.phase !== lastPhase) process.stderr.write(line + '\n');
    lastPhase = p.phase;
  };
  try {
    return await run(controller.signal, onProgress);
  } finally {
    if (tty) process.stderr.write('\r\x1b[K');
    process.off('SIGINT', onSigint);
  }
}

function summary(img: ImageRecord): string {
  return `${img.distro ?? 'unknown distribution'}${img.systemdVersion ? `, systemd ${img.systemdVersion}` : ''}${img.entries ? `, ${img.entries} files` : ''}`;
}

export const IMAGE_COMMANDS: Command[] = [
  {
    name: 'image create',
    usage: 'image create NAME --debian SUITE [--packages a,b]',
    summary: 'build a bootable Debian image without root (mmdebstrap), with systemd, systemd-sysv and dbus',
    options: {
      debian: { type: 'string', help: 'suite or codename: bookworm, trixie, stable, sid…' },
      packages: { type: 'string', help: 'more packages, comma-separated (e.g. apache2,curl)' },
      mirror: { type: 'string', help: 'Debian mirror URL (default http://deb.debian.org/debian)' },
      ...jsonOption,
    },
    async run(p, v) {
      const [name] = names(p, 1, 'image create NAME --debian SUITE');
      if (typeof v.debian !== 'string') throw new BurrowError('invalid-input', 'missing --debian SUITE', 'e.g. burrow image create deb12 --debian bookworm');
      const suite = v.debian;
      const packages = typeof v.packages === 'string' ? v.packages.split(',').map((s) => s.trim()) : [];
      const mirror = v.mirror as string | undefined;
      const image = await withProgress(`building ${name}`, (signal, onProgress) =>
        creator().createDebianImage(name!, { suite, packages, mirror, signal, onProgress }),
      );
      if (v.json) json(image);
      else out(`created image ${name}: ${summary(image)}\n  make a machine from it: burrow create NAME --image ${name}`);
      return 0;
    },
  },
  {
    name: 'image import',
    usage: 'image import NAME SOURCE [--copy]',
    summary: 'import a tarball (plain, gz, xz, zstd), an OCI layout or archive, a docker save archive, or a rootfs folder',
    details: 'Files keep the owners the guest sees (unpacked inside your subordinate-id mapping). A rootfs folder is used where it is unless --copy.',
    options: { copy: { type: 'boolean', help: 'a rootfs folder: copy it into the store instead of using it in place' }, ...jsonOption },
    async run(p, v) {
      const [name, source] = names(p, 2, 'image import NAME SOURCE');
      const copy = !!v.copy;
      // An export of a machine (burrow export) carries its settings: imported like any tarball, offered back.
      const image = await withProgress(`importing ${name}`, (signal, onProgress) =>
        exportImporter().importImageOrExport(name!, source!, { copy, signal, onProgress }),
      );
      if (v.json) json(image);
      else if (image.exported) {
        out(`imported ${name}, an export of machine ${image.exported.machine}: ${summary(image)}`);
        out(`  make the machine again with its settings: burrow create ${image.exported.machine} --image ${name} --exported-settings`);
      } else {
        out(`imported ${name} from ${image.source.kind}${image.inPlace ? ' (used in place)' : ''}: ${summary(image)}`);
        out(`  make a machine from it: burrow create NAME --image ${name}`);
      }
      return 0;
    },
  },
  {
    name: 'image ls',
    usage: 'image ls [--json]',
    summary: 'list images',
    options: jsonOption,
    async run(_p, v) {
      const images = store()
        .listImages()
        .map((i) => ({ ...i, machines: store().machinesUsing(i) }));
      if (v.json) json(images);
      else if (!images.length)
        out('no images yet: build one with burrow image create NAME --debian bookworm, or import one with burrow image import NAME FILE');
      else
        printTable(
          ['NAME', 'DISTRIBUTION', 'SYSTEMD', 'SOURCE', 'MACHINES'],
          images.map((i) => [
            i.name,
            i.distro ?? '?',
            i.systemdVersion ? String(i.systemdVersion) : '-',
            i.source.kind + (i.inPlace ? ' (in place)' : ''),
            i.machines.join(',') || '-',
          ]),
        );
      return 0;
    },
  },
  {
    name: 'image inspect',
    usage: 'image inspect NAME [--json]',
    summary: 'check an image: distribution, init, systemd version and what it needs, ownership',
    options: jsonOption,
    async run(p, v) {
      const [name] = names(p, 1, 'image inspect NAME');
      const report = inspector().inspectImage(store().loadImage(name!));
      if (v.json) json(report);
      else {
        out(`${report.name}: ${report.verdict === 'ok' ? 'bootable' : 'NOT bootable'}`);
        for (const [k, val] of report.facts) out(`  ${k.padEnd(12)} ${val}`);
        for (const problem of report.problems) out(`  problem: ${problem}`);
        if (report.fix) out(`  fix: ${report.fix}`);
      }
      return report.verdict === 'ok' ? 0 : 6;
    },
  },
  {
    name: 'image rm',
    usage: 'image rm NAME',
    summary: 'remove an image (refused while a machine uses it); an image used in place keeps its folder',
    async run(p) {
      const [name] = names(p, 1, 'image rm NAME');
      const image = store().loadImage(name!);
      store().removeImage(name!);
      out(`removed image ${name}${image.inPlace ? ` (its folder ${image.rootfs} was kept)` : ''}`);
      return 0;
    },
  },
];
