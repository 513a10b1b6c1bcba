// Ubuntu 23.10+ (kernel.apparmor_restrict_unprivileged_userns=1): an unconfined program that creates a
// user namespace loses every capability in it, so unshare (which makes a machine's namespace) and bwrap
// (which makes one in the single-uid fallback) cannot set up a machine, and Chromium's sandbox cannot
// start. The narrowest fix that works is Ubuntu's own for Chrome and VS Code: a profile per binary that
// grants `userns` and nothing else changes (flags=(unconfined)). newuidmap/newgidmap need none: they
// write the id maps of a namespace unshare made, from outside it, as setuid root.
// What it costs, said to the user: bwrap and unshare are general tools, so any local user can then make
// user namespaces through them (as on Debian or Fedora, which do not restrict them); every other
// program stays restricted. The .deb installs these profiles (resources/apparmor/burrow-desktop); for an
// AppImage or a checkout, doctor writes them to a file and prints the one sudo command that installs them.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from './atomic-file';
import type { DoctorCheck } from './doctor';
import type { HostFacts } from './host-probe';
import { dataDir } from './paths';
import { shellQuote } from './shell-quote';

export interface UsernsTarget {
  /** The AppArmor profile's name (also its local override file, /etc/apparmor.d/local/NAME). */
  profile: string;
  /** The binary's path: an AppArmor path pattern, already escaped (see aaPath). */
  attach: string;
  why: string;
}

/** Where the .deb puts the Electron binary (electron-builder: /opt/${productName}/${executableName}). */
export const DEB_ELECTRON = '/opt/Burrow/burrow-desktop';
export const INSTALLED_PROFILE = '/etc/apparmor.d/burrow-userns';

/**
 * A literal path as an AppArmor pattern: glob characters escaped, quoted. A path AppArmor cannot hold
 * (a control character, a quote) gives undefined: no profile rather than one that attaches elsewhere.
 */
export function aaPath(literal: string): string | undefined {
  if (!path.isAbsolute(literal) || /[\x00-\x1f\x7f"]/.test(literal)) return undefined;
  return literal.replace(/[\\*?[\]{}^,]/g, (c) => `\\${c}`);
}

export function usernsProfiles(targets: readonly UsernsTarget[]): string {
  const lines = [
    '# Burrow: user namespaces for the programs that make them, on hosts where AppArmor restricts them',
    '# (kernel.apparmor_restrict_unprivileged_userns=1). Each profile changes nothing but that: unconfined, plus userns.',
    'abi <abi/4.0>,',
    'include <tunables/global>',
  ];
  for (const t of targets) {
    lines.push('', `# ${t.why}`, `profile ${t.profile} "${t.attach}" flags=(unconfined) {`, '  userns,', '', `  include if exists <local/${t.profile}>`, '}');
  }
  return lines.join('\n') + '\n';
}

/** The .deb's profiles: Electron's sandbox where the package puts it, bwrap and unshare where Debian and Ubuntu do. */
export const debTargets = (): UsernsTarget[] => [
  { profile: 'burrow-desktop', attach: DEB_ELECTRON, why: "Burrow's window: Chromium's sandbox makes a user namespace" },
  { profile: 'burrow-bwrap', attach: '/usr/bin/bwrap', why: 'bubblewrap: a machine without subordinate ids (bwrap --unshare-user)' },
  { profile: 'burrow-unshare', attach: '/usr/bin/unshare', why: "unshare: every machine's user namespace with your subordinate ids, and image imports" },
];

export interface DesktopRuntime {
  /** $APPDIR of a running AppImage (its mount, e.g. /tmp/.mount_BurrowAbc123). */
  appDir?: string;
  /** The Electron binary of a checkout (node_modules/electron/dist/electron), for `npm start`. */
  devElectron?: string;
}

/** This host's targets: the bwrap and unshare Burrow finds, and the Electron this install runs. */
export function hostTargets(h: HostFacts, rt: DesktopRuntime): UsernsTarget[] {
  const targets: UsernsTarget[] = [];
  const add = (profile: string, literal: string | undefined, why: string, glob = '') => {
    const attach = literal && aaPath(literal);
    if (attach) targets.push({ profile, attach: attach + glob, why });
  };
  // AppArmor attaches by the executable's real path (/bin/unshare is /usr/bin/unshare on merged-/usr hosts).
  const real = (p: string) => {
    try {
      return fs.realpathSync.native(p);
    } catch {
      return undefined;
    }
  };
  if (h.bwrap && !h.bwrap.setuidRoot) add('burrow-bwrap', real(h.bwrap.path), 'bubblewrap: a machine without subordinate ids (bwrap --unshare-user)');
  if (h.unshare) add('burrow-unshare', real(h.unshare.path), "unshare: every machine's user namespace with your subordinate ids, and image imports");
  if (rt.appDir) {
    // The AppImage runtime mounts at $TMPDIR/.mount_ + 6 characters of the file's name + 6 random ones:
    // a new path every launch, so the profile names the pattern, and any binary placed at such a path
    // gets user namespaces (no more than unshare's profile gives everyone).
    const mount = path.resolve(rt.appDir);
    add(
      'burrow-appimage',
      mount.slice(0, -6),
      "Burrow's AppImage: Chromium's sandbox (without it the AppImage's launcher adds --no-sandbox)",
      '*/burrow-desktop',
    );
  }
  if (rt.devElectron) add('burrow-electron-dev', rt.devElectron, "the checkout's Electron (npm start): Chromium's sandbox");
  return targets;
}

/** Whether `binary args` can make a user namespace here (the restriction shows as a failed uid map). */
function makesUserns(binary: string, args: string[]): boolean {
  return spawnSync(binary, args, { stdio: 'ignore', timeout: 5000 }).status === 0;
}

/** Names of the loaded AppArmor profiles, where the kernel lets us read them. */
function loadedProfiles(): Set<string> | undefined {
  try {
    const text = fs.readFileSync('/sys/kernel/security/apparmor/profiles', 'utf8');
    return new Set(
      text
        .split('\n')
        .map((l) => l.replace(/ \([a-z]+\)$/, ''))
        .filter(Boolean),
    );
  } catch {
    return undefined;
  }
}

export interface UsernsCheckDeps {
  runtime: DesktopRuntime;
  /** Where the profiles are written for the user to install. */
  file: string;
  works(binary: string, args: string[]): boolean;
  loaded(): Set<string> | undefined;
}

export const defaultUsernsDeps = (): UsernsCheckDeps => ({
  runtime: { appDir: process.env.APPIMAGE ? process.env.APPDIR : undefined, devElectron: devElectronBinary() },
  file: path.join(dataDir(), 'apparmor', 'burrow-userns'),
  works: makesUserns,
  loaded: loadedProfiles,
});

/**
 * The checkout's Electron binary, when the runtime is installed there (the electron package's path.txt
 * names it; the package is only read, never loaded: the engine does not import electron).
 */
function devElectronBinary(): string | undefined {
  try {
    const pkg = path.dirname(require.resolve('electron/package.json'));
    const bin = path.join(pkg, 'dist', fs.readFileSync(path.join(pkg, 'path.txt'), 'utf8').trim());
    return fs.existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
}

/** doctor's `userns` check where AppArmor restricts user namespaces. */
export function apparmorUsernsCheck(h: HostFacts, deps: UsernsCheckDeps = defaultUsernsDeps()): DoctorCheck {
  const title = 'user namespaces';
  const restricted = 'AppArmor restricts unprivileged user namespaces (kernel.apparmor_restrict_unprivileged_userns=1)';
  const unshareOk = !h.unshare || deps.works(h.unshare.path, ['--user', '--map-root-user', 'true']);
  const bwrapOk = !h.bwrap || deps.works(h.bwrap.path, ['--unshare-user', '--ro-bind', '/', '/', 'true']);
  // Once unshare may make user namespaces, the AppImage's launcher stops adding --no-sandbox (it tests
  // `unshare -Ur true`): then the AppImage starts only if its own profile is loaded too. A checkout's
  // Electron (npm start) needs its own. Where the kernel does not show the loaded profiles, we trust the test above.
  const loaded = deps.loaded();
  const electronOk = [deps.runtime.appDir && 'burrow-appimage', deps.runtime.devElectron && 'burrow-electron-dev'].every((p) => !p || !loaded || loaded.has(p));
  if (unshareOk && bwrapOk && electronOk) {
    return { id: 'userns', title, level: 'ok', detail: `${restricted}, and an AppArmor profile allows them for bwrap and unshare` };
  }
  const targets = hostTargets(h, deps.runtime);
  const profiles = usernsProfiles(targets);
  try {
    fs.mkdirSync(path.dirname(deps.file), { recursive: true, mode: 0o700 });
    writeFileAtomic(deps.file, profiles, 0o644);
  } catch (e) {
    const detail = `${restricted}: unshare and bwrap lose their capabilities inside; the profiles could not be written to ${deps.file}`;
    return {
      id: 'userns',
      title,
      level: 'error',
      detail: `${detail} (${(e as Error).message})`,
      fix: 'make that folder writable, then run burrow doctor again',
    };
  }
  const names = targets.map((t) => t.profile).join(', ');
  return {
    id: 'userns',
    title,
    level: 'error',
    detail:
      `${restricted}: unshare and bwrap lose their capabilities inside. ${deps.file} holds AppArmor profiles (${names}) that allow ` +
      'user namespaces for exactly those programs, and nothing else; any local user can then make them through bwrap and unshare, as on Debian or Fedora',
    fix: `sudo sh -c ${shellQuote(`install -m 0644 ${shellQuote(deps.file)} ${INSTALLED_PROFILE} && apparmor_parser -r ${INSTALLED_PROFILE}`)}`,
  };
}
