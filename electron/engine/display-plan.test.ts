import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ALL_DISPLAY, parseDisplaySpec } from '../contract/display';
import { DISPLAY_ENV_SCRIPT, planDisplay, probeDisplay, type DisplayFacts } from './display-plan';

const desktop: DisplayFacts = {
  wayland: '/run/user/1001/wayland-0',
  x11: { socket: '/tmp/.X11-unix/X1', display: 1, xauthority: '/run/user/1001/.mutter-Xwaylandauth.ABC' },
  pipewire: '/run/user/1001/pipewire-0',
  pulse: '/run/user/1001/pulse/native',
  dri: '/dev/dri',
  absent: {},
};

describe('the display plan', () => {
  it('passes each socket as a file under /run/burrow/display, the GPU as a device folder, and says what it passed', () => {
    const plan = planDisplay(ALL_DISPLAY, desktop);
    expect(plan.mounts.map((m) => [m.type, m.source ?? '', m.dest])).toEqual([
      ['dir', '', '/run/burrow'],
      ['dir', '', '/run/burrow/display'],
      ['bind', '/run/user/1001/wayland-0', '/run/burrow/display/wayland-0'],
      ['bind', '/tmp/.X11-unix/X1', '/run/burrow/display/X1'],
      ['ro-bind', '/run/user/1001/.mutter-Xwaylandauth.ABC', '/run/burrow/display/Xauthority'],
      ['bind', '/run/user/1001/pipewire-0', '/run/burrow/display/pipewire-0'],
      ['bind', '/run/user/1001/pulse/native', '/run/burrow/display/pulse-native'],
      ['dev-bind', '/dev/dri', '/dev/dri'],
    ]);
    // The folders are reachable by the share user: bwrap would make them 0700, root's.
    expect(plan.mounts[0]!.args).toEqual(['--perms', '0755', '--dir', '/run/burrow']);
    expect(plan.setup).toEqual(['mkdir -p /tmp/.X11-unix && chmod 1777 /tmp/.X11-unix && ln -sfn /run/burrow/display/X1 /tmp/.X11-unix/X1']);
    expect(plan.passed).toEqual(['Wayland', 'X11 (display :1)', 'PipeWire and PulseAudio', 'GPU (/dev/dri)']);
    expect(plan.missing).toEqual([]);
  });

  it('passes only the parts chosen: no X11 means no X socket, no cookie and no link', () => {
    const plan = planDisplay({ wayland: true, x11: false, audio: false, gpu: false }, desktop);
    expect(plan.mounts.filter((m) => m.origin === 'display' && m.type !== 'dir').map((m) => m.dest)).toEqual(['/run/burrow/display/wayland-0']);
    expect(plan.setup).toEqual([]);
  });

  it('says why a part has nothing to pass (a headless host: no sessions, no GPU)', () => {
    const plan = planDisplay(ALL_DISPLAY, {
      absent: { wayland: 'WAYLAND_DISPLAY is not set', x11: 'DISPLAY is not set', pipewire: 'no PipeWire', pulse: 'no PulseAudio', gpu: 'no /dev/dri' },
    });
    expect(plan.missing).toEqual(['Wayland: WAYLAND_DISPLAY is not set', 'X11: DISPLAY is not set', 'audio: no PipeWire, no PulseAudio', 'GPU: no /dev/dri']);
    expect(plan.mounts.filter((m) => m.type !== 'dir')).toEqual([]);
  });

  it('is nothing without the switch', () => {
    expect(planDisplay(undefined, desktop)).toEqual({ mounts: [], setup: [], passed: [], missing: [] });
  });

  it('reads --display and --display-parts', () => {
    expect(parseDisplaySpec(true)).toEqual({ value: ALL_DISPLAY });
    expect(parseDisplaySpec('wayland,audio')).toEqual({ value: { wayland: true, x11: false, audio: true, gpu: false } });
    expect(parseDisplaySpec('wayland,x12')).toEqual({ error: '--display: unknown part "x12" (use wayland, x11, audio, gpu or all)' });
  });
});

describe("this session's display", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'burrow-display-'));
  const servers: net.Server[] = [];
  afterAll(() => {
    servers.forEach((s) => s.close());
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const socket = async (p: string) => {
    fs.mkdirSync(path.dirname(p), { recursive: true });
    const s = net.createServer();
    servers.push(s);
    await new Promise<void>((r) => s.listen(p, r));
  };

  it('finds the Wayland and audio sockets in XDG_RUNTIME_DIR, and takes only sockets', async () => {
    await socket(path.join(dir, 'wayland-7'));
    await socket(path.join(dir, 'pulse/native'));
    fs.writeFileSync(path.join(dir, 'pipewire-0'), 'a plain file is not a socket');
    const facts = probeDisplay({ XDG_RUNTIME_DIR: dir, WAYLAND_DISPLAY: 'wayland-7', HOME: dir });
    expect(facts.wayland).toBe(path.join(dir, 'wayland-7'));
    expect(facts.pulse).toBe(path.join(dir, 'pulse/native'));
    expect(facts.pipewire).toBeUndefined();
    expect(facts.absent.x11).toBe('DISPLAY is not set (no X server or Xwayland)');
  });

  it('takes an absolute WAYLAND_DISPLAY, and refuses a DISPLAY that is not a local one', async () => {
    await socket(path.join(dir, 'elsewhere/wl'));
    expect(probeDisplay({ WAYLAND_DISPLAY: path.join(dir, 'elsewhere/wl') }).wayland).toBe(path.join(dir, 'elsewhere/wl'));
    expect(probeDisplay({ DISPLAY: 'evil.example:0' }).absent.x11).toBe('DISPLAY=evil.example:0 is not a local display');
    expect(probeDisplay({ WAYLAND_DISPLAY: 'wayland-0' }).absent.wayland).toMatch(/no Wayland socket at wayland-0/);
  });

  it("sets an app's environment from what the machine was given (a /bin/sh step)", () => {
    const d = path.join(dir, 'guest');
    fs.mkdirSync(d);
    const script = DISPLAY_ENV_SCRIPT.replace('d=/run/burrow/display', `d=${d}`);
    const env = (s: string) => execFileSync('/bin/sh', ['-c', `${s}\nenv`], { encoding: 'utf8', env: { PATH: process.env.PATH } });
    expect(env(script)).not.toMatch(/WAYLAND_DISPLAY|DISPLAY=|PULSE_SERVER/);
    execFileSync('python3', [
      '-c',
      `import socket,sys\nfor n in ['wayland-0','X3','pulse-native']:\n  s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]+'/'+n)`,
      d,
    ]);
    const out = env(script);
    expect(out).toContain(`WAYLAND_DISPLAY=${d}/wayland-0`);
    expect(out).toContain('DISPLAY=:3');
    expect(out).toContain(`PULSE_SERVER=unix:${d}/pulse-native`);
    expect(out).not.toContain('XAUTHORITY');
  });
});
