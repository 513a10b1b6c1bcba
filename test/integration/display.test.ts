// Graphical apps: a machine with the display switch gets this session's Wayland socket and X11 socket, and
// `burrow run` starts clients in it as your user there, which talk to the desktop: a headless Weston with its
// Xwayland, run here as the test user, stands in for it. Audio and the GPU are tested where the host has them,
// and skipped with the reason where it has not (this project's build machine has neither).
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guestUserName } from '../../electron/contract/share';
import { createSandbox, imageTar, ok, waitFor, type Sandbox } from './harness';
import { probeDisplay } from '../../electron/engine/display-plan';

const WESTON = ['/usr/bin/weston', '/usr/local/bin/weston'].find((p) => fs.existsSync(p));
const XWAYLAND = fs.existsSync('/usr/bin/Xwayland');
/** The X display Weston's Xwayland listens on (it says so in its log). */
let xDisplay: string | undefined;
let sb: Sandbox;
let weston: ChildProcess | undefined;
let desktop: NodeJS.ProcessEnv;
const me = guestUserName(os.userInfo().username);
const run = (script: string) => sb.burrow(['run', 'gui', '--', 'sh', '-c', script], { env: desktop });
// This session's audio and GPU, as Burrow finds them (the weston session adds neither).
const session = probeDisplay(process.env);

beforeAll(async () => {
  sb = createSandbox('display');
  if (!WESTON) return;
  // The desktop: its own runtime folder (0700, as a session's is) with the compositor's socket in it.
  const runtime = path.join(sb.root, 'desktop');
  fs.mkdirSync(runtime, { mode: 0o700 });
  const x11 = XWAYLAND ? ['--xwayland'] : [];
  weston = spawn(WESTON, ['--backend=headless-backend.so', '--socket=wayland-burrow-test', '--idle-time=0', '--width=640', '--height=480', ...x11], {
    env: { ...process.env, XDG_RUNTIME_DIR: runtime },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  weston.stderr!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
  const socket = path.join(runtime, 'wayland-burrow-test');
  const listening = () => (XWAYLAND ? /xserver listening on display (:\d+)/.exec(log)?.[1] : 'none');
  await waitFor(() => (fs.existsSync(socket) && !!listening()) || weston!.exitCode !== null, 15_000, `weston's sockets (${log})`);
  if (!fs.existsSync(socket)) throw new Error(`weston did not start: ${log}`);
  xDisplay = XWAYLAND ? listening() : undefined;
  desktop = { WAYLAND_DISPLAY: socket, XDG_SESSION_TYPE: 'wayland', ...(xDisplay ? { DISPLAY: xDisplay } : {}) };
  ok(sb.burrow(['image', 'import', 'wl', imageTar('debian12-display')]));
  ok(sb.burrow(['create', 'gui', '--image', 'wl', '--network', 'isolated', '--display'], { env: desktop }));
  ok(sb.burrow(['start', 'gui'], { env: desktop }));
});
afterAll(() => {
  weston?.kill('SIGTERM');
  sb.cleanup();
});

describe.skipIf(!WESTON)('the display', () => {
  it("a Wayland client in the machine connects to the desktop's compositor, as your user there", () => {
    const r = run('id -un; wayland-info');
    expect(r.code, r.stderr).toBe(0);
    const [user, ...info] = r.stdout.split('\n');
    expect(user).toBe(me);
    expect(info.join('\n')).toMatch(/interface: 'wl_compositor'/);
    // Weston's headless output, 640 pixels wide: the compositor started above, not some other one.
    expect(info.join('\n')).toMatch(/name: 'headless'[\s\S]*logical_width: 640, logical_height: 480/);
  });

  it('gives the app its environment and a runtime folder of its own', () => {
    const r = run('echo "$WAYLAND_DISPLAY|$DISPLAY|$XDG_RUNTIME_DIR|$HOME"; stat -c "%U %a" "$XDG_RUNTIME_DIR"');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`/run/burrow/display/wayland-0|${xDisplay ?? ''}|/run/user/1000|/home/${me}\n${me} 700\n`);
  });

  it.runIf(XWAYLAND)("an X11 client in the machine connects to the desktop's Xwayland, where X clients look for it", () => {
    const n = xDisplay!.slice(1);
    const r = run(`readlink /tmp/.X11-unix/X${n}; xrandr --current | head -1`);
    expect(r.code, r.stderr).toBe(0);
    // Weston's one headless output, 640 by 480: the Xwayland started above.
    expect(r.stdout).toMatch(new RegExp(`^/run/burrow/display/X${n}\nScreen 0: .*current 640 x 480`));
  });

  it('says at create what this session lacks, and in the plan what it passes', () => {
    const plan = JSON.parse(ok(sb.burrow(['command', 'gui', '--json'], { env: desktop })));
    expect(plan.display.passed).toEqual([
      'Wayland',
      ...(xDisplay ? [`X11 (display ${xDisplay})`] : []),
      ...(session.pipewire || session.pulse ? [expect.any(String)] : []),
      ...(session.dri ? ['GPU (/dev/dri)'] : []),
    ]);
    expect(plan.display.missing.some((m: string) => m.startsWith('audio:'))).toBe(!session.pipewire && !session.pulse);
    // Without a desktop (a plain terminal), the machine starts all the same, and says so.
    const bare = JSON.parse(ok(sb.burrow(['command', 'gui', '--json'])));
    expect(bare.display.passed).toEqual([]);
    expect(bare.warnings.join('\n')).toMatch(/display: nothing to pass for Wayland: WAYLAND_DISPLAY is not set/);
  });

  it.skipIf(!session.pipewire && !session.pulse)("audio: the machine has this session's PipeWire or PulseAudio socket (skipped: this host has neither)", () => {
    // The sandbox moved XDG_RUNTIME_DIR for Burrow's own state: the session's sockets are named instead.
    const audio = { ...(session.pipewire ? { PIPEWIRE_REMOTE: session.pipewire } : {}), ...(session.pulse ? { PULSE_SERVER: `unix:${session.pulse}` } : {}) };
    ok(sb.burrow(['stop', 'gui']));
    ok(sb.burrow(['start', 'gui'], { env: { ...desktop, ...audio } }));
    const r = run('echo "$PULSE_SERVER|$PIPEWIRE_RUNTIME_DIR"; ls /run/burrow/display');
    expect(r.stdout).toMatch(/pulse-native|pipewire-0/);
  });

  it.skipIf(!session.dri)('GPU: /dev/dri is in the machine, its render node open to your user there (skipped: this host has no /dev/dri)', () => {
    const r = run('ls /dev/dri; for n in /dev/dri/renderD*; do test -r "$n" && test -w "$n" && echo usable; done');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/renderD\d+[\s\S]*usable/);
  });
});

it.runIf(!WESTON || !XWAYLAND)('the display test needs weston and xwayland (Debian: apt install weston xwayland); .ci/run installs them', () => {
  expect.fail('weston or Xwayland is not installed, so nothing can stand in for the desktop');
});
