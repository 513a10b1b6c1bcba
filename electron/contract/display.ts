// Graphical apps: the machine's "display" switch and what each of its parts passes in and exposes. One
// wording for the CLI (--display), the wizard and the risk rule (risks.ts). Without zod (share-schema.ts).

export const DISPLAY_PARTS = ['wayland', 'x11', 'audio', 'gpu'] as const;
export type DisplayPart = (typeof DISPLAY_PARTS)[number];

/** Absent from a profile: no display. */
export type DisplayChoice = Record<DisplayPart, boolean>;

export const ALL_DISPLAY: DisplayChoice = { wayland: true, x11: true, audio: true, gpu: true };

/** Each part: what it passes into the machine, and what an app inside can then do. */
export const DISPLAY_PART_INFO: Record<DisplayPart, { label: string; passes: string; exposes: string }> = {
  wayland: {
    label: 'Wayland',
    passes: "your desktop's Wayland socket",
    exposes: 'an app inside draws its own windows and sees only those: not the rest of the screen, nor keys typed elsewhere',
  },
  x11: {
    label: 'X11 (Xwayland)',
    passes: "the X server's socket and its cookie, where the desktop runs one",
    exposes: 'any X11 client can read the whole screen, log keys typed into other X11 windows and send them keys',
  },
  audio: {
    label: 'Audio',
    passes: 'the PipeWire and PulseAudio sockets',
    exposes: 'apps inside can play sound and record from your microphone',
  },
  gpu: {
    label: 'GPU',
    passes: '/dev/dri, the graphics devices',
    exposes: "apps inside reach your GPU's kernel driver directly (faster drawing, a wider door into the kernel)",
  },
};

/** `--display [PARTS]`: all parts, or a comma-separated list of them. */
export function parseDisplaySpec(spec: string | true): { value: DisplayChoice } | { error: string } {
  if (spec === true || spec === '' || spec === 'all') return { value: { ...ALL_DISPLAY } };
  const parts = spec.split(',').map((p) => p.trim().toLowerCase());
  const bad = parts.find((p) => !(DISPLAY_PARTS as readonly string[]).includes(p));
  if (bad !== undefined) return { error: `--display: unknown part "${bad}" (use ${DISPLAY_PARTS.join(', ')} or all)` };
  return { value: Object.fromEntries(DISPLAY_PARTS.map((p) => [p, parts.includes(p)])) as DisplayChoice };
}

export const displayParts = (d: DisplayChoice | undefined): DisplayPart[] => (d ? DISPLAY_PARTS.filter((p) => d[p]) : []);
