// `burrow create`/`edit`: shared folders, who you are inside, and the display switch. Parsed by the
// contract's rules (share-schema.ts, display.ts), so the wizard and the CLI refuse the same things.
import { parseDisplaySpec } from '../contract/display';
import type { MachineProfile } from '../contract/profile';
import { parseShareSpec, parseShareUser } from '../contract/share-schema';
import { BurrowError } from '../engine/errors';

export interface ShareOptions {
  share?: string[];
  'no-shares'?: boolean;
  'share-user'?: string;
  display?: boolean;
  'display-parts'?: string;
  'no-display'?: boolean;
}

function invalid(message: string, fix?: string): never {
  throw new BurrowError('invalid-input', message, fix);
}

export function applyShareOptions(next: MachineProfile, o: ShareOptions): void {
  if (o['no-shares']) delete next.shares;
  for (const spec of o.share ?? []) {
    const parsed = parseShareSpec(spec);
    if ('error' in parsed) invalid(parsed.error, parsed.fix);
    const shares = (next.shares ?? []).filter((s) => s.dest !== parsed.value.dest);
    next.shares = [...shares, parsed.value];
  }
  if (o['share-user'] !== undefined) {
    const parsed = parseShareUser(o['share-user']);
    if ('error' in parsed) invalid(parsed.error, parsed.fix);
    next.shareUser = parsed.value;
  }
  const displays = [o.display && '--display', o['display-parts'] !== undefined && '--display-parts', o['no-display'] && '--no-display'].filter(Boolean);
  if (o['no-display'] && displays.length > 1) invalid(`choose one of ${displays.join(', ')}`);
  if (o['no-display']) delete next.display;
  else if (o['display-parts'] !== undefined || o.display) {
    const parsed = parseDisplaySpec(o['display-parts'] ?? true);
    if ('error' in parsed) invalid(parsed.error, 'e.g. --display, or --display-parts wayland,audio');
    next.display = parsed.value;
  }
}
