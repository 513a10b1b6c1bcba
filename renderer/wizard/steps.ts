// The wizard's steps: the two-field Basics, the advanced steps a newcomer never needs to open (each with
// what it changes in plain words and its current choice in a few), and Review. Which step shows which
// setting decides where a problem is marked.
import { presetOf, CAPABILITY_PRESETS } from '../../electron/contract/capabilities';
import { describeLimits } from '../../electron/contract/describe';
import { DEFAULT_MOUNTS, defaultProfile, type MachineProfile } from '../../electron/contract/profile';
import { limitsGap, networkLabel, storageLabel, type HostLimitGaps } from '../../electron/contract/profile-summary';
import type { WizardStep } from '../state/route';

export interface StepInfo {
  id: WizardStep;
  label: string;
  /** What choosing here changes, in plain words (advanced steps). */
  what?: string;
}

export const BASICS: StepInfo = { id: 'basics', label: 'Basics' };
export const REVIEW: StepInfo = { id: 'review', label: 'Review' };

export const ADVANCED: StepInfo[] = [
  {
    id: 'storage',
    label: 'Storage',
    what: 'Where the machine’s changes go: a layer of its own over the image (which stays as it is), a layer thrown away at each stop, or the image itself.',
  },
  {
    id: 'network',
    label: 'Network',
    what: 'Whether the machine reaches the internet, and which of its ports you can open from this computer (a web server’s port 80, say).',
  },
  {
    id: 'limits',
    label: 'Limits',
    what: 'How much memory, how many processes and how much CPU the machine may use at most. Empty fields mean no limit.',
  },
  {
    id: 'mounts',
    label: 'Mounts',
    what: 'Which folders of this computer the machine sees, and the file systems it gets at start. The standard ones are what systemd needs.',
  },
  {
    id: 'capabilities',
    label: 'Capabilities',
    what: 'What root inside the machine may do to the machine itself (mount, change owners, set up its network). None of it reaches this computer.',
  },
  {
    id: 'namespaces',
    label: 'Namespaces',
    what: 'What the machine has of its own, apart from this computer: its processes, hostname and message queues. systemd needs its own processes.',
  },
  {
    id: 'cgroups',
    label: 'cgroups',
    what: 'How the machine’s systemd sees the kernel’s process groups, which it uses to track services and apply limits. Automatic suits the image.',
  },
];

export const ALL_STEPS: StepInfo[] = [BASICS, ...ADVANCED, REVIEW];

/** The step that shows a setting (`network.ports.0.host` → network); a problem is marked there. */
export function stepOfSetting(setting: string): WizardStep {
  const top = setting.split('.')[0]!;
  if (['name', 'image', 'rootfs', 'hostname'].includes(top)) return 'basics';
  // Shared folders, the share user and the display are edited in the mounts step.
  if (['shares', 'shareUser', 'display'].includes(top)) return 'mounts';
  const advanced = ADVANCED.find((s) => s.id === top);
  return advanced?.id ?? 'review';
}

const namespacesDefault = JSON.stringify(defaultProfile({ name: 'x', rootfs: '/', machineId: '0'.repeat(32) }).namespaces);

/** The current choice of an advanced step in a few words (Basics lists them under "Advanced settings"). */
export function stepSummary(id: WizardStep, draft: MachineProfile, gaps: HostLimitGaps = {}): string {
  switch (id) {
    case 'storage':
      return storageLabel(draft);
    case 'network':
      return networkLabel(draft.network);
    case 'limits': {
      const limits = describeLimits(draft.limits);
      return limitsGap(draft.limits, gaps) ? `${limits} (not applied on this host)` : limits === 'none' ? 'no limits' : limits;
    }
    case 'mounts': {
      const standard = JSON.stringify(draft.mounts) === JSON.stringify(DEFAULT_MOUNTS);
      const binds = draft.mounts.filter((m) => m.type.endsWith('bind')).length - (draft.mounts.some((m) => m.dest === '/sys') ? 1 : 0);
      return standard ? 'the standard ones' : `${draft.mounts.length} mounts${binds > 0 ? `, ${binds} of your folders` : ''}`;
    }
    case 'capabilities': {
      const preset = presetOf(draft.capabilities);
      return preset ? CAPABILITY_PRESETS[preset].label : 'chosen one by one';
    }
    case 'namespaces':
      return JSON.stringify(draft.namespaces) === namespacesDefault ? 'systemd’s defaults' : 'changed';
    case 'cgroups':
      return draft.cgroups === 'auto' ? 'automatic' : draft.cgroups;
    default:
      return '';
  }
}
