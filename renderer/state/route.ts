// Views as addresses (the web build's hash; Electron's too), so that a reload, a bookmark or Back lands on
// the same machine, tab or wizard step:
//   #/                              home
//   #/machine/NAME[/TAB]            a machine (console, shell, journal, units, mounts, snapshots)
//   #/machine/NAME/edit[/STEP]      its settings in the wizard
//   #/image/NAME                    an image
//   #/new[/STEP][?image=N|folder=P] the wizard for a new machine
// Anything else reads as home: the address is the user's to type, never trusted to name more than a view.
import { MACHINE_NAME_RE } from '../../electron/contract/plain';

export const MACHINE_TABS = ['console', 'shell', 'journal', 'units', 'mounts', 'snapshots'] as const;
export type MachineTab = (typeof MACHINE_TABS)[number];

export const WIZARD_STEPS = ['basics', 'storage', 'network', 'limits', 'mounts', 'capabilities', 'namespaces', 'cgroups', 'review'] as const;
export type WizardStep = (typeof WIZARD_STEPS)[number];

export type View =
  | { kind: 'home' }
  | { kind: 'machine'; name: string; tab?: MachineTab }
  | { kind: 'image'; name: string }
  /** `edit` names the machine whose settings are edited; `image` and `rootfs` start a new one on them. */
  | { kind: 'wizard'; step?: WizardStep; edit?: string; image?: string; rootfs?: string };

const isName = (v: string | undefined): v is string => v !== undefined && MACHINE_NAME_RE.test(v);
const oneOf = <T extends string>(list: readonly T[], v: string | undefined): T | undefined =>
  (list as readonly string[]).includes(v ?? '') ? (v as T) : undefined;

/** The view an address names; home for anything it does not recognise. */
export function parseRoute(hash: string): View {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean);
  const params = new URLSearchParams(query);
  const [kind, name, sub, step] = parts;
  if (kind === 'machine' && isName(name)) {
    if (sub === 'edit') return { kind: 'wizard', edit: name, step: oneOf(WIZARD_STEPS, step) };
    return { kind: 'machine', name, tab: oneOf(MACHINE_TABS, sub) };
  }
  if (kind === 'image' && isName(name)) return { kind: 'image', name };
  if (kind === 'new') {
    const image = params.get('image') ?? undefined;
    const folder = params.get('folder') ?? undefined;
    return {
      kind: 'wizard',
      step: oneOf(WIZARD_STEPS, name),
      ...(isName(image) ? { image } : {}),
      ...(folder?.startsWith('/') && folder.length < 4096 ? { rootfs: folder } : {}),
    };
  }
  return { kind: 'home' };
}

/** The address of a view. */
export function routeOf(view: View): string {
  switch (view.kind) {
    case 'machine':
      return `#/machine/${view.name}${view.tab && view.tab !== 'console' ? `/${view.tab}` : ''}`;
    case 'image':
      return `#/image/${view.name}`;
    case 'wizard': {
      const step = view.step && view.step !== 'basics' ? `/${view.step}` : '';
      if (view.edit) return `#/machine/${view.edit}/edit${step}`;
      const query = view.image ? `?image=${view.image}` : view.rootfs ? `?${new URLSearchParams({ folder: view.rootfs })}` : '';
      return `#/new${step}${query}`;
    }
    default:
      return '#/';
  }
}
