// Application state: metadata only. Terminal bytes never pass through here (see terminals/registry).
import { create } from 'zustand';
import type { CallResults, DoctorCheckView, ImageListItem, MachineListItem } from '../../electron/contract/api';
import type { MachineStatus } from '../../electron/contract/machine-state';
import type { MachineProfile } from '../../electron/contract/profile';
import type { ConnectionState } from '../api/client';

export type View = { kind: 'machine'; name: string } | { kind: 'image'; name: string } | { kind: 'wizard'; editing?: MachineProfile; rootfs?: string; image?: string } | { kind: 'home' };

export interface Notice {
  id: number;
  level: 'info' | 'error';
  text: string;
}

interface State {
  connection: ConnectionState;
  machines: Record<string, MachineListItem>;
  broken: { name: string; error: string }[];
  images: ImageListItem[];
  doctor?: { verdict: 'ok' | 'warning' | 'error'; checks: DoctorCheckView[] };
  /** Who and where the host's user is (the home folder decides which binds are risky). */
  host?: CallResults['host.info'];
  view: View;
  notices: Notice[];
  busy: Record<string, string | undefined>;
  setConnection(c: ConnectionState): void;
  setMachines(items: MachineListItem[], broken: { name: string; error: string }[]): void;
  setImages(images: ImageListItem[]): void;
  applyStatus(s: MachineStatus): void;
  setDoctor(d: State['doctor']): void;
  setHost(h: State['host']): void;
  show(v: View): void;
  notify(level: Notice['level'], text: string): void;
  dismiss(id: number): void;
  setBusy(name: string, what?: string): void;
}

let noticeId = 1;

export const useStore = create<State>((set) => ({
  connection: 'connecting',
  machines: {},
  broken: [],
  images: [],
  view: { kind: 'home' },
  notices: [],
  busy: {},
  setConnection: (connection) => set({ connection }),
  setMachines: (items, broken) => set({ machines: Object.fromEntries(items.map((i) => [i.profile.name, i])), broken }),
  setImages: (images) => set({ images }),
  applyStatus: (status) =>
    set((s) => {
      const current = s.machines[status.name];
      if (!current) return {};
      return { machines: { ...s.machines, [status.name]: { ...current, status } } };
    }),
  setDoctor: (doctor) => set({ doctor }),
  setHost: (host) => set({ host }),
  show: (view) => set({ view }),
  notify: (level, text) => set((s) => ({ notices: [...s.notices.slice(-4), { id: noticeId++, level, text }] })),
  dismiss: (id) => set((s) => ({ notices: s.notices.filter((n) => n.id !== id) })),
  setBusy: (name, what) => set((s) => ({ busy: { ...s.busy, [name]: what } })),
}));
