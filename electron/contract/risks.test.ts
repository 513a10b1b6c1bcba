import { describe, expect, it } from 'vitest';
import { defaultProfile, type Mount, type MachineProfile } from './profile';
import { riskyChoices, type RiskHost } from './risks';

const host: RiskHost = { home: '/home/alice', uid: 1001 };
const profile = (mounts: Mount[], network: MachineProfile['network']['mode'] = 'nat'): MachineProfile => ({
  ...defaultProfile({ name: 'web', rootfs: '/images/web', machineId: 'a'.repeat(32) }),
  mounts,
  network: { mode: network, ports: [] },
});
const bind = (source: string, type: 'bind' | 'ro-bind' | 'dev-bind' = 'bind'): Mount => ({ type, source, dest: '/mnt/x' });
const risks = (mounts: Mount[], h: RiskHost = host) => riskyChoices(profile(mounts), h);
const one = (m: Mount, h: RiskHost = host) => {
  const found = risks([m], h);
  expect(found).toHaveLength(1);
  return found[0]!;
};

describe('risky choices', () => {
  it('the default profile has none', () => {
    expect(riskyChoices(defaultProfile({ name: 'web', rootfs: '/images/web', machineId: 'a'.repeat(32) }), host)).toEqual([]);
  });

  it.each([
    ['/home/alice', /your home folder \/home\/alice is writable in the machine: root in the machine can then act as you: read your keys/],
    ['/home', /your home folder \/home\/alice is writable/],
    ['/', /the host's \/ is writable in the machine: root in the machine can then act as you/],
    ['/home/alice/.ssh', /\/home\/alice\/.ssh is writable in the machine: root in the machine can then act as you: read your keys, add its own/],
    ['/home/alice/.ssh/authorized_keys', /\/home\/alice\/.ssh\/authorized_keys is writable/],
    ['/home/alice/.gnupg', /\.gnupg is writable/],
    ['/home/alice/.aws', /\.aws is writable/],
    ['/home/alice/.kube', /\.kube is writable/],
    ['/home/alice/.docker', /\.docker is writable/],
    ['/home/alice/.config', /\.config is writable/],
    ['/home/alice/.local/share/keyrings', /keyrings is writable/],
    ['/home/alice/.bashrc', /\.bashrc is writable.*change what runs at your next login/],
    ['/run/user/1001', /\/run\/user\/1001 is your session's runtime folder .*: anything in the machine can talk to those services as you/],
    ['/run/user/1001/bus', /your session's runtime folder/],
    ['/run/user/1001/podman/podman.sock', /root on the host/],
    ['/run', /where runtime sockets live/],
    ['/var/run', /where runtime sockets live/],
    ['/var/run/docker.sock', /docker or podman socket makes that root on the host/],
    ['/srv/stuff/docker.sock', /where runtime sockets live/],
    ['/tmp/.X11-unix', /where runtime sockets live/],
  ])('a writable bind of %s is dangerous, and says why', (source, message) => {
    const r = one(bind(source));
    expect(r.level).toBe('danger');
    expect(r.text).toMatch(message);
  });

  it.each([
    ['/home/u/../alice', 'your home folder /home/alice is writable'],
    ['/home/alice/', 'your home folder /home/alice is writable'],
    ['/home//alice/./', 'your home folder /home/alice is writable'],
    ['/home/alice/projects/../.ssh/', '/home/alice/.ssh is writable'],
    ['/home/alice/.ssh/../../alice/.aws', '/home/alice/.aws is writable'],
    ['/tmp/../../../', "the host's / is writable"],
    ['/run/user/1001/../1001/bus', "your session's runtime folder"],
  ])('%s is judged as the path it names', (source, text) => {
    expect(one(bind(source)).text).toContain(text);
  });

  it('a home written with a trailing slash or dots is the same home', () => {
    expect(one(bind('/home/alice/.ssh'), { home: '/home/alice/' }).text).toContain('/home/alice/.ssh is writable');
    expect(one(bind('/home/alice'), { home: '/home/x/../alice' }).text).toContain('your home folder /home/alice is writable');
  });

  it('links are resolved where the caller can look at the host: a link to ~/.ssh is ~/.ssh', () => {
    const realpath = (p: string) => ({ '/home/alice/keys': '/home/alice/.ssh', '/srv/link-to-home': '/home/alice' })[p] ?? p;
    expect(one(bind('/home/alice/keys'), { ...host, realpath }).text).toContain('/home/alice/.ssh is writable');
    expect(one(bind('/srv/link-to-home'), { ...host, realpath }).text).toContain('your home folder /home/alice is writable');
    // Without the host (the window), only the written path counts.
    expect(risks([bind('/home/alice/keys')])).toEqual([]);
    // A home that is itself a link: its real folder counts too.
    expect(one(bind('/data/homes/alice/.ssh'), { home: '/home/alice', realpath: (p) => (p === '/home/alice' ? '/data/homes/alice' : p) }).text).toContain(
      '.ssh is writable',
    );
  });

  it('a folder in your home that holds nothing sensitive is fine, writable or not', () => {
    expect(
      risks([bind('/home/alice/projects'), bind('/home/alice/src', 'ro-bind'), bind('/srv/data'), bind('/home/alicexyz'), bind('/home/alice/.sshfoo')]),
    ).toEqual([]);
  });

  it('read-only binds of home or credential folders get a milder note; of runtime sockets, the same danger', () => {
    expect(one(bind('/home/alice/.ssh', 'ro-bind'))).toEqual({
      level: 'note',
      text: '/home/alice/.ssh is readable in the machine: root in it can read the keys and tokens there and copy them out.',
    });
    expect(one(bind('/home/alice', 'ro-bind')).level).toBe('note');
    expect(one(bind('/', 'ro-bind')).level).toBe('danger'); // / holds /run: sockets are connected to read-only as well
    expect(one(bind('/run/user/1001', 'ro-bind')).level).toBe('danger');
    expect(risks([bind('/usr', 'ro-bind'), bind('/sys', 'ro-bind'), bind('/etc', 'ro-bind')])).toEqual([]);
  });

  it('any dev-bind is dangerous', () => {
    const r = one(bind('/dev/ttyUSB0', 'dev-bind'));
    expect(r).toMatchObject({ level: 'danger' });
    expect(r.text).toMatch(/^dev-bind \/dev\/ttyUSB0 gives the machine the host's device nodes there/);
  });

  it("host networking is dangerous: loopback services and abstract sockets such as X11's", () => {
    const [r] = riskyChoices(profile([], 'host'), host);
    expect(r!.level).toBe('danger');
    expect(r!.text).toMatch(/host networking: .*127\.0\.0\.1 .*abstract unix sockets such as X11's/);
    expect(riskyChoices(profile([], 'isolated'), host)).toEqual([]);
  });

  it("another user's runtime folder is named as such, and the dangerous choices come first", () => {
    expect(one(bind('/run/user/1002')).text).toMatch(/where runtime sockets live/);
    const found = risks([bind('/home/alice/.ssh', 'ro-bind'), bind('/home/alice')]);
    expect(found.map((r) => r.level)).toEqual(['danger', 'note']);
  });
});

describe('risky shares and the display', () => {
  const base = defaultProfile({ name: 'web', rootfs: '/images/web', machineId: 'a'.repeat(32) });

  it('judges a share as the bind it is: your home writable is a danger, read-only a note, a project folder nothing', () => {
    const shares = [
      { source: '/home/alice', dest: '/home/alice', readOnly: false },
      { source: '/home/alice/.ssh', dest: '/keys', readOnly: true },
      { source: '/home/alice/src/app', dest: '/work', readOnly: false },
    ];
    expect(riskyChoices({ ...base, shares }, host).map((r) => `${r.level}: ${r.text}`)).toEqual([
      expect.stringMatching(/^danger: your home folder \/home\/alice is writable in the machine/),
      expect.stringMatching(/^note: \/home\/alice\/.ssh is readable in the machine/),
    ]);
  });

  it('says what each part of the display hands over: X11 is a danger, the rest notes', () => {
    const found = riskyChoices({ ...base, display: { wayland: true, x11: true, audio: true, gpu: true } }, host);
    expect(found.map((r) => r.level)).toEqual(['danger', 'note', 'note', 'note']);
    expect(found[0]!.text).toMatch(/^X11: any X11 client can read the whole screen, log keys typed into other X11 windows.*type into your terminal/);
    expect(found.slice(1).map((r) => r.text.split(':')[0])).toEqual(['Wayland', 'audio', 'GPU']);
    expect(riskyChoices({ ...base, display: { wayland: true, x11: false, audio: false, gpu: false } }, host).map((r) => r.level)).toEqual(['note']);
  });
});
