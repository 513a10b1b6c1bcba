// The schemas of shares, the share user and the display (profile.ts uses them), and the CLI's parsing of
// --share and --share-user by them, so the wizard and the CLI refuse the same things.
import * as z from 'zod';
import type { DisplayChoice } from './display';
import { guestPath, hostPath } from './paths';
import { GUEST_USER_RE, reservedBy, type Share, type ShareUser } from './share';

export const shareSchema = z.object({
  source: hostPath.refine((p) => !p.includes(':'), 'must not contain ":" (the separator of --share)'),
  dest: guestPath.superRefine((p, ctx) => {
    const r = reservedBy(p);
    if (r)
      ctx.addIssue({
        code: 'custom',
        message: `cannot be ${p}: ${r === '/' ? 'a share there would hide the whole machine' : `${r} belongs to the machine's own workings`}`,
      });
    if (p.includes(':')) ctx.addIssue({ code: 'custom', message: 'must not contain ":" (the separator of --share)' });
  }),
  readOnly: z.boolean(),
});

const guestId = z.number().int('must be a whole number').min(1, 'must be 1 or more (0 is root, who is never you)').max(65534, 'must be at most 65534');

export const shareUserSchema = z
  .object({
    name: z.string().regex(GUEST_USER_RE, 'a user name is lowercase letters, digits, "_" or "-", starting with a letter or "_"').optional(),
    uid: guestId.optional(),
    gid: guestId.optional(),
  })
  .refine((u) => u.name !== undefined || u.uid !== undefined, 'name the user or give its uid');

export const displaySchema = z.object({ wayland: z.boolean(), x11: z.boolean(), audio: z.boolean(), gpu: z.boolean() });

// The schemas describe the contract's types exactly (a compile error otherwise).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const exact: [Same<z.infer<typeof shareSchema>, Share>, Same<z.infer<typeof shareUserSchema>, ShareUser>, Same<z.infer<typeof displaySchema>, DisplayChoice>] =
  [true, true, true];
void exact;

export type Parsed<T> = { value: T } | { error: string; fix?: string };

/** `--share-user NAME|UID`. */
export function parseShareUser(text: string): Parsed<ShareUser> {
  const request = /^\d+$/.test(text) ? { uid: Number(text) } : { name: text };
  const parsed = shareUserSchema.safeParse(request);
  if (parsed.success) return { value: parsed.data };
  return { error: `--share-user "${text}": ${parsed.error.issues[0]!.message}`, fix: 'give a user name such as alice, or a uid such as 1000' };
}

/** `--share HOST_DIR:GUEST_DIR[:ro]` (`:rw` is the default and may be said). */
export function parseShareSpec(spec: string): Parsed<Share> {
  const fix = 'e.g. --share /home/you/project:/work, or --share /home/you/docs:/docs:ro';
  if (/[\0\n\r]/.test(spec)) return { error: 'a --share holds a newline or NUL: paths with those cannot be shared', fix };
  const parts = spec.split(':');
  const mode = parts.length === 3 ? parts[2] : undefined;
  if (parts.length < 2 || parts.length > 3 || (mode !== undefined && mode !== 'ro' && mode !== 'rw')) {
    const why = parts.length > 3 || mode !== undefined ? ': a path holding ":" cannot be shared (":" separates the parts)' : '';
    return { error: `--share "${spec}" is not HOST_DIR:GUEST_DIR[:ro]${why}`, fix };
  }
  const trim = (p: string) => (p.length > 1 ? p.replace(/\/+$/, '') : p);
  const [source, dest] = [trim(parts[0]!), trim(parts[1]!)];
  if (!source.startsWith('/')) return { error: `--share "${spec}": the host folder must be an absolute path, not "${source}"`, fix };
  if (!dest.startsWith('/')) return { error: `--share "${spec}": the folder inside must be an absolute path, not "${dest}"`, fix };
  const parsed = shareSchema.safeParse({ source, dest, readOnly: mode === 'ro' });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { error: `--share "${spec}": ${issue.path[0] === 'source' ? 'the host folder' : 'the folder inside'} ${issue.message}`, fix };
  }
  return { value: parsed.data };
}
