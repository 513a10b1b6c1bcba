// `burrow image create NAME --debian SUITE`: a bootable Debian image built without root. mmdebstrap
// (--mode=unshare) writes a tarball to its stdout, which is unpacked into the store as it arrives, under
// the user's own mapping (mmdebstrap's own mapping differs: unpacking its output directly would leave root
// files owned by the first subordinate id).
import { spawn } from 'node:child_process';
import { BurrowError } from './errors';
import { buildImage, type ImportOptions } from './image-import';
import type { ImageRecord } from './image-store';
import { cancelled, extractInto } from './tar-extract';
import { which } from './which';

/** Always in: what a machine needs to boot and run services with their own users. */
export const BASE_PACKAGES = ['systemd', 'systemd-sysv', 'dbus'];
export const DEFAULT_MIRROR = 'http://deb.debian.org/debian';
const SUITE_RE = /^[a-z][a-z0-9.-]{1,31}$/;
const PACKAGE_RE = /^[a-z0-9][a-z0-9+.-]+$/;

export interface CreateImageOptions extends ImportOptions {
  suite: string;
  packages?: string[];
  mirror?: string;
}

export function mmdebstrapArgs(o: { suite: string; packages: string[]; mirror: string }): string[] {
  const unstable = /^(sid|unstable|testing|experimental)$/.test(o.suite);
  return [
    '--mode=unshare',
    '--variant=minbase',
    '--format=tar',
    `--include=${[...new Set([...BASE_PACKAGES, ...o.packages])].join(',')}`,
    // The mirror's Release files of moving suites can be older than their Valid-Until.
    ...(unstable ? ['--aptopt=Acquire::Check-Valid-Until "false"'] : []),
    o.suite,
    '-',
    o.mirror,
  ];
}

function checkInput(o: CreateImageOptions): string[] {
  if (!SUITE_RE.test(o.suite))
    throw new BurrowError('invalid-input', `"${o.suite}" is not a Debian suite name`, 'use a codename or suite like bookworm, trixie, stable or sid');
  const packages = (o.packages ?? []).filter(Boolean);
  const bad = packages.find((p) => !PACKAGE_RE.test(p));
  if (bad) throw new BurrowError('invalid-input', `"${bad}" is not a Debian package name`, 'list packages separated by commas: --packages apache2,curl');
  if (o.mirror && !/^https?:\/\/[^\s]+$/.test(o.mirror)) throw new BurrowError('invalid-input', `--mirror must be an http(s) URL, not "${o.mirror}"`);
  return packages;
}

/** Builds a Debian image with mmdebstrap and registers it; nothing remains if it fails or is cancelled. */
export async function createDebianImage(name: string, o: CreateImageOptions): Promise<ImageRecord> {
  const packages = checkInput(o);
  const mmdebstrap = which('mmdebstrap');
  if (!mmdebstrap)
    throw new BurrowError(
      'host-not-ready',
      'mmdebstrap is not installed: it builds Debian images without root',
      'sudo apt install mmdebstrap (or import an image: burrow image import NAME FILE)',
    );
  const mirror = o.mirror ?? DEFAULT_MIRROR;
  return buildImage(name, `Debian ${o.suite}`, o, async ({ staging, map, counters, setPhase, tick }) => {
    setPhase('resolving packages');
    const child = spawn(mmdebstrap, mmdebstrapArgs({ suite: o.suite, packages, mirror }), { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let log = '';
    child.stderr.on('data', (d: Buffer) => {
      log = (log + d.toString()).slice(-8192);
      // mmdebstrap's steps ("I: downloading packages with apt...") become the phase.
      const step = /I: ([^\n]+)\n[^\n]*$/.exec(log)?.[1];
      if (step) setPhase(step.replace(/\.\.\.$/, ''));
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const abort = () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    };
    o.signal?.addEventListener('abort', abort, { once: true });
    let unpackError: unknown;
    try {
      await extractInto(staging.rootfs, child.stdout, { compression: 'none', counters, signal: o.signal, onTick: tick, map });
    } catch (e) {
      unpackError = e;
      abort();
    } finally {
      o.signal?.removeEventListener('abort', abort);
    }
    const code = await exited;
    if (o.signal?.aborted) throw cancelled();
    // When mmdebstrap failed, its reason matters, not tar's complaint about the cut-off stream.
    if (unpackError && code === 0) throw unpackError;
    if (code !== 0 && !(unpackError && code === null)) {
      const reason =
        log
          .split('\n')
          .filter((l) => /^E: |error|Failed/i.test(l))
          .slice(-2)
          .join('; ') || log.trim().split('\n').slice(-2).join('; ');
      throw new BurrowError(
        'import-failed',
        `mmdebstrap could not build Debian ${o.suite}: ${reason}`,
        /Release|404|resolve|connect/i.test(reason)
          ? `check the suite name and that ${mirror} can be reached (--mirror URL)`
          : 'see the lines above; nothing was kept',
      );
    }
    if (unpackError) throw unpackError;
    return { kind: 'debian', suite: o.suite, packages: [...BASE_PACKAGES, ...packages], path: mirror };
  });
}
