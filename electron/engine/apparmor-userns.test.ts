// The AppArmor profiles for hosts that restrict user namespaces (Ubuntu 23.10+): exactly the binaries
// that make them, hostile paths refused, the parser's own verdict where a new enough parser exists, and
// doctor's answer: a file and one sudo command, never "turn the protection off".
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aaPath, apparmorUsernsCheck, debTargets, hostTargets, INSTALLED_PROFILE, usernsProfiles, type UsernsCheckDeps } from './apparmor-userns';
import { hybridHost } from './test-host-facts';

const ROOT = path.resolve(__dirname, '../..');
let dir: string;
beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'burrow-apparmor-'))));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A host whose bwrap and unshare live in `dir` (realpath'd by hostTargets). */
function host() {
  for (const b of ['bwrap', 'unshare']) fs.writeFileSync(path.join(dir, b), '');
  return hybridHost({
    bwrap: { path: path.join(dir, 'bwrap'), setuidRoot: false },
    unshare: { path: path.join(dir, 'unshare'), setuidRoot: false, mapAuto: true },
    userns: { apparmorRestrict: 1 },
  });
}

/** apparmor_parser 4.0+ (the userns rule and abi 4.0); Debian 12 has 3.0, Debian 13 and Ubuntu 24.04 have 4. */
function parser(): { path: string } | { skip: string } {
  const r = spawnSync('apparmor_parser', ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return { skip: 'apparmor_parser is not installed (apt-get install apparmor)' };
  const version = /version (\d+)\.(\d+)/.exec(r.stdout);
  if (!version || Number(version[1]) < 4)
    return { skip: `apparmor_parser ${version?.[0] ?? '?'} predates the userns rule (AppArmor 4.0: Debian 13, Ubuntu 24.04)` };
  return { path: 'apparmor_parser' };
}

describe('the profiles', () => {
  it('grant userns, and change nothing else, to exactly the binaries that make user namespaces', () => {
    const text = usernsProfiles(hostTargets(host(), {}));
    expect(text).toMatch(/^abi <abi\/4\.0>,$/m);
    const profiles = [...text.matchAll(/^profile (\S+) "([^"]+)" flags=\(unconfined\) \{\n {2}userns,\n\n {2}include if exists <local\/\1>\n\}$/gm)].map(
      (m) => [m[1], m[2]],
    );
    expect(profiles).toEqual([
      ['burrow-bwrap', path.join(fs.realpathSync(dir), 'bwrap')],
      ['burrow-unshare', path.join(fs.realpathSync(dir), 'unshare')],
    ]);
    expect(text.match(/^profile /gm)).toHaveLength(2);
    // newuidmap/newgidmap map a namespace from outside it, as setuid root: no profile for them.
    expect(text).not.toMatch(/newuidmap|newgidmap/);
  });

  it('cover Electron: the .deb binary, an AppImage mount at any launch, a checkout', () => {
    expect(debTargets().map((t) => [t.profile, t.attach])).toEqual([
      ['burrow-desktop', '/opt/Burrow/burrow-desktop'],
      ['burrow-bwrap', '/usr/bin/bwrap'],
      ['burrow-unshare', '/usr/bin/unshare'],
    ]);
    const targets = hostTargets(host(), { appDir: '/tmp/.mount_BurrowAb12Cd', devElectron: '/home/zoë/src/burrow/node_modules/electron/dist/electron' });
    expect(targets.find((t) => t.profile === 'burrow-appimage')?.attach).toBe('/tmp/.mount_Burrow*/burrow-desktop');
    expect(targets.find((t) => t.profile === 'burrow-electron-dev')?.attach).toBe('/home/zoë/src/burrow/node_modules/electron/dist/electron');
  });

  it('escape what AppArmor reads as a pattern, and leave out a path it cannot hold', () => {
    expect(aaPath('/home/u/my {projects}, [old]/a*b?/electron')).toBe('/home/u/my \\{projects\\}\\, \\[old\\]/a\\*b\\?/electron');
    expect(aaPath('/home/u/a"b/electron')).toBeUndefined();
    expect(aaPath('/home/u/a\nprofile evil /** {/electron')).toBeUndefined();
    expect(aaPath('relative/electron')).toBeUndefined();
    const targets = hostTargets(host(), { devElectron: '/home/u/x"\n}/electron', appDir: '/tmp/.mount_Bu{r}row12AbCd' });
    expect(targets.map((t) => t.profile)).toEqual(['burrow-bwrap', 'burrow-unshare', 'burrow-appimage']);
    expect(targets[2]!.attach).toBe('/tmp/.mount_Bu\\{r\\}row*/burrow-desktop');
  });

  it('ship in the .deb as resources/apparmor/burrow-desktop, the same text as the generator gives', () => {
    expect(fs.readFileSync(path.join(ROOT, 'resources', 'apparmor', 'burrow-desktop'), 'utf8')).toBe(usernsProfiles(debTargets()));
  });

  const aa = parser();
  it.skipIf('skip' in aa)(`pass apparmor_parser -Q (${'skip' in aa ? aa.skip : 'AppArmor 4'})`, () => {
    const files = {
      host: usernsProfiles(hostTargets(host(), { appDir: '/tmp/.mount_BurrowAb12Cd', devElectron: '/home/u/my {x}/electron' })),
      deb: usernsProfiles(debTargets()),
    };
    for (const [name, text] of Object.entries(files)) {
      const file = path.join(dir, `profile-${name}`);
      fs.writeFileSync(file, text);
      const r = spawnSync((aa as { path: string }).path, ['-Q', '-K', file], { encoding: 'utf8' });
      expect(r.status, `${name}: ${r.stderr}`).toBe(0);
    }
  });
});

describe("doctor's userns check under the restriction", () => {
  const deps = (over: Partial<UsernsCheckDeps> = {}): UsernsCheckDeps => ({
    runtime: {},
    file: path.join(dir, 'out', 'burrow-userns'),
    works: () => false,
    loaded: () => undefined,
    ...over,
  });

  it('writes the profiles to a file and gives one sudo command that installs them, not the sysctl', () => {
    const d = deps();
    const check = apparmorUsernsCheck(host(), d);
    expect(check).toMatchObject({ id: 'userns', level: 'error' });
    expect(check.fix).toBe(`sudo sh -c 'install -m 0644 ${d.file} ${INSTALLED_PROFILE} && apparmor_parser -r ${INSTALLED_PROFILE}'`);
    expect(check.fix).not.toMatch(/sysctl/);
    expect(check.detail).toMatch(/any local user can then make them through bwrap and unshare/);
    expect(fs.readFileSync(d.file, 'utf8')).toBe(usernsProfiles(hostTargets(host(), {})));
  });

  it('quotes a data folder with spaces or quotes into the command', () => {
    const file = path.join(dir, "it's mine", 'burrow-userns');
    const check = apparmorUsernsCheck(host(), deps({ file }));
    const r = spawnSync('sh', ['-c', `set -- ${check.fix!.replace(/^sudo /, '')}; printf '%s\\n' "$3"`], { encoding: 'utf8' });
    expect(r.stdout.trim()).toBe(`install -m 0644 '${dir}/it'\\''s mine/burrow-userns' ${INSTALLED_PROFILE} && apparmor_parser -r ${INSTALLED_PROFILE}`);
  });

  it('is satisfied once bwrap and unshare can make user namespaces (profiles loaded)', () => {
    expect(apparmorUsernsCheck(host(), deps({ works: () => true })).level).toBe('ok');
  });

  it('from an AppImage, also wants the AppImage profile: AppRun stops adding --no-sandbox once unshare works', () => {
    const appImage = deps({ works: () => true, runtime: { appDir: '/tmp/.mount_BurrowAb12Cd' } });
    expect(apparmorUsernsCheck(host(), { ...appImage, loaded: () => new Set(['burrow-bwrap', 'burrow-unshare']) }).level).toBe('error');
    expect(apparmorUsernsCheck(host(), { ...appImage, loaded: () => new Set(['burrow-bwrap', 'burrow-unshare', 'burrow-appimage']) }).level).toBe('ok');
  });
});
