// Graphical apps: which of the desktop's sockets and devices a machine with the display switch gets, and
// where. Everything lands under /run/burrow/display inside (a tmpfs of the machine's own, not the share
// user's /run/user/UID, which logind may mount over at a login), and `burrow run` points apps at it.
//
// probeDisplay reads this session (its environment and sockets); planDisplay is pure, so the plan can be
// shown and tested without a desktop. Sockets are bound as files: a desktop restarted after the machine
// started has new ones, which the machine sees at its next start.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DISPLAY_PART_INFO, type DisplayChoice } from '../contract/display';
import { publicDir } from './guest-setup';
import type { PlannedMount } from './launch-plan-types';

export const GUEST_DISPLAY_DIR = '/run/burrow/display';

export interface DisplayFacts {
  /** The Wayland socket of this session. */
  wayland?: string;
  x11?: { socket: string; display: number; xauthority?: string };
  pipewire?: string;
  pulse?: string;
  /** /dev/dri where the host has a GPU. */
  dri?: string;
  /** Why a part has nothing to pass, by part. */
  absent: Partial<Record<'wayland' | 'x11' | 'pipewire' | 'pulse' | 'gpu', string>>;
}

const isSocket = (p: string): boolean => {
  try {
    return fs.statSync(p).isSocket();
  } catch {
    return false;
  }
};

const isFile = (p: string): boolean => {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
};

/** This session's display, audio and GPU, from its environment (WAYLAND_DISPLAY, DISPLAY, XDG_RUNTIME_DIR…). */
export function probeDisplay(env: NodeJS.ProcessEnv = process.env): DisplayFacts {
  const facts: DisplayFacts = { absent: {} };
  const runtime = env.XDG_RUNTIME_DIR;
  const inRuntime = (name: string) => (path.isAbsolute(name) ? name : runtime ? path.join(runtime, name) : undefined);

  const wayland = env.WAYLAND_DISPLAY ? inRuntime(env.WAYLAND_DISPLAY) : undefined;
  if (wayland && isSocket(wayland)) facts.wayland = wayland;
  else
    facts.absent.wayland = env.WAYLAND_DISPLAY ? `no Wayland socket at ${wayland ?? env.WAYLAND_DISPLAY}` : 'WAYLAND_DISPLAY is not set (no Wayland session)';

  const x = /^(?:unix)?:(\d+)(?:\.\d+)?$/.exec(env.DISPLAY ?? '');
  const xsocket = x ? `/tmp/.X11-unix/X${x[1]}` : undefined;
  if (xsocket && isSocket(xsocket)) {
    const cookie = env.XAUTHORITY ?? path.join(env.HOME ?? os.homedir(), '.Xauthority');
    facts.x11 = { socket: xsocket, display: Number(x![1]), ...(isFile(cookie) ? { xauthority: cookie } : {}) };
  } else if (!env.DISPLAY) facts.absent.x11 = 'DISPLAY is not set (no X server or Xwayland)';
  else facts.absent.x11 = x ? `no X11 socket at ${xsocket}` : `DISPLAY=${env.DISPLAY} is not a local display`;

  const pipewire = inRuntime(env.PIPEWIRE_REMOTE ?? 'pipewire-0');
  if (pipewire && isSocket(pipewire)) facts.pipewire = pipewire;
  else facts.absent.pipewire = 'no PipeWire socket in this session';
  const pulseEnv = env.PULSE_SERVER?.startsWith('unix:') ? env.PULSE_SERVER.slice(5) : undefined;
  const pulse = pulseEnv ?? inRuntime('pulse/native');
  if (pulse && isSocket(pulse)) facts.pulse = pulse;
  else facts.absent.pulse = 'no PulseAudio socket in this session';

  try {
    if (fs.statSync('/dev/dri').isDirectory()) facts.dri = '/dev/dri';
  } catch {
    facts.absent.gpu = 'this computer has no /dev/dri (no GPU the kernel drives)';
  }
  return facts;
}

export interface DisplayPlan {
  mounts: PlannedMount[];
  /** Shell lines for the machine's setup unit (guest-setup.ts): the X11 socket where X clients look. */
  setup: string[];
  /** What is passed, in words. */
  passed: string[];
  /** Parts that were asked for and have nothing to pass here, with why. */
  missing: string[];
}

const bind = (source: string, name: string, note: string, type: PlannedMount['type'] = 'bind'): PlannedMount => ({
  type,
  source,
  dest: `${GUEST_DISPLAY_DIR}/${name}`,
  origin: 'display',
  note,
});

export function planDisplay(choice: DisplayChoice | undefined, facts: DisplayFacts): DisplayPlan {
  const plan: DisplayPlan = { mounts: [], setup: [], passed: [], missing: [] };
  if (!choice) return plan;
  // Your user there reaches the sockets through these (bwrap would make them 0700, root's).
  plan.mounts.push(publicDir('/run/burrow'), publicDir(GUEST_DISPLAY_DIR));
  const miss = (label: string, why: string | undefined) => plan.missing.push(`${label}: ${why ?? 'not found'}`);
  if (choice.wayland) {
    if (facts.wayland) {
      plan.mounts.push(bind(facts.wayland, 'wayland-0', DISPLAY_PART_INFO.wayland.passes));
      plan.passed.push('Wayland');
    } else miss('Wayland', facts.absent.wayland);
  }
  if (choice.x11) {
    if (facts.x11) {
      const n = facts.x11.display;
      plan.mounts.push(bind(facts.x11.socket, `X${n}`, DISPLAY_PART_INFO.x11.passes));
      if (facts.x11.xauthority) plan.mounts.push(bind(facts.x11.xauthority, 'Xauthority', 'the X server cookie', 'ro-bind'));
      plan.setup.push(`mkdir -p /tmp/.X11-unix && chmod 1777 /tmp/.X11-unix && ln -sfn ${GUEST_DISPLAY_DIR}/X${n} /tmp/.X11-unix/X${n}`);
      plan.passed.push(`X11 (display :${n})`);
    } else miss('X11', facts.absent.x11);
  }
  if (choice.audio) {
    if (facts.pipewire) plan.mounts.push(bind(facts.pipewire, 'pipewire-0', 'PipeWire'));
    if (facts.pulse) plan.mounts.push(bind(facts.pulse, 'pulse-native', 'PulseAudio'));
    if (facts.pipewire || facts.pulse) plan.passed.push([facts.pipewire && 'PipeWire', facts.pulse && 'PulseAudio'].filter(Boolean).join(' and '));
    else miss('audio', `${facts.absent.pipewire}, ${facts.absent.pulse}`);
  }
  if (choice.gpu) {
    if (facts.dri) {
      plan.mounts.push({ type: 'dev-bind', source: facts.dri, dest: facts.dri, origin: 'display', note: DISPLAY_PART_INFO.gpu.passes });
      plan.passed.push('GPU (/dev/dri)');
    } else miss('GPU', facts.absent.gpu);
  }
  return plan;
}

/**
 * The environment an app started by `burrow run` gets, decided inside the machine from what was passed
 * at its start (a /bin/sh step: the sockets are the machine's, read where the app will use them).
 */
export const DISPLAY_ENV_SCRIPT = [
  `d=${GUEST_DISPLAY_DIR}`,
  '[ -S "$d/wayland-0" ] && export WAYLAND_DISPLAY="$d/wayland-0" XDG_SESSION_TYPE=wayland',
  'for x in "$d"/X*; do [ -S "$x" ] && export DISPLAY=":${x#"$d/X"}"; done',
  '[ -f "$d/Xauthority" ] && export XAUTHORITY="$d/Xauthority"',
  '[ -S "$d/pulse-native" ] && export PULSE_SERVER="unix:$d/pulse-native"',
  '[ -S "$d/pipewire-0" ] && export PIPEWIRE_RUNTIME_DIR="$d"',
  ':',
].join('\n');
