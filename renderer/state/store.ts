// Application state: metadata only. Terminal bytes never pass through here (see terminals/registry).
import { create } from 'zustand';
import type { CallResults, DoctorCheckView, ImageListItem, MachineListItem } from '../../electron/contract/api';
import type { MachineStatus } from '../../electron/contract/machine-state';
import type { ConnectionState } from '../api/client';
import { parseRoute, routeOf, type View } from './route';

export type { View } from './route';

export interface Notice {
  id: number;
  level: 'info' | 'error';
  text: string;
  /** When it came (ms since the epoch), for the history. */
  at: number;
}

/** How many notices the history keeps. */
const HISTORY = 100;

interface State {
  connection: ConnectionState;
  /** The first machine list has arrived: until then "no machines" would be a guess. */
  loaded: boolean;
  machines: Record<string, MachineListItem>;
  broken: { name: string; error: string }[];
  images: ImageListItem[];
  doctor?: { verdict: 'ok' | 'warning' | 'error'; checks: DoctorCheckView[] };
  /** Who and where the host's user is (the home folder decides which binds are risky), and host facts the wizard checks against. */
  host?: CallResults['host.info'];
  view: View;
  /** Every notice of this session, oldest first (the history); `showing` are those still in the status bar. */
  notices: Notice[];
  showing: number[];
  /** Notices that came while the history was closed. */
  unread: number;
  busy: Record<string, string | undefined>;
  setConnection(c: ConnectionState): void;
  setMachines(items: MachineListItem[], broken: { name: string; error: string }[]): void;
  setImages(images: ImageListItem[]): void;
  applyStatus(s: MachineStatus): void;
  setDoctor(d: State['doctor']): void;
  setHost(h: State['host']): void;
  /** Shows a view and gives it its address; `replace` for moves within a view (a tab, a step), kept out of Back. */
  show(v: View, opts?: { replace?: boolean }): void;
  notify(level: Notice['level'], text: string): void;
  /** Takes a notice out of the status bar (it stays in the history). */
  dismiss(id: number): void;
  markRead(): void;
  clearHistory(): void;
  setBusy(name: string, what?: string): void;
}

let noticeId = 1;

/** Writes the address of a view, unless it is already there (a hashchange brought it). */
function writeRoute(view: View, replace: boolean): void {
  if (typeof location === 'undefined') return;
  const hash = routeOf(view);
  if (location.hash === hash || (hash === '#/' && !location.hash)) return;
  if (replace) history.replaceState(history.state, '', hash);
  else history.pushState(history.state, '', hash);
}

export const useStore = create<State>((set) => ({
  connection: 'connecting',
  loaded: false,
  machines: {},
  broken: [],
  images: [],
  view: typeof location === 'undefined' ? { kind: 'home' } : parseRoute(location.hash),
  notices: [],
  showing: [],
  unread: 0,
  busy: {},
  setConnection: (connection) => set({ connection }),
  setMachines: (items, broken) => set({ machines: Object.fromEntries(items.map((i) => [i.profile.name, i])), broken, loaded: true }),
  setImages: (images) => set({ images }),
  applyStatus: (status) =>
    set((s) => {
      const current = s.machines[status.name];
      if (!current) return {};
      return { machines: { ...s.machines, [status.name]: { ...current, status } } };
    }),
  setDoctor: (doctor) => set({ doctor }),
  setHost: (host) => set({ host }),
  show: (view, opts) => {
    writeRoute(view, !!opts?.replace);
    set({ view });
  },
  notify: (level, text) =>
    set((s) => {
      const notice = { id: noticeId++, level, text, at: Date.now() };
      return { notices: [...s.notices, notice].slice(-HISTORY), showing: [...s.showing, notice.id].slice(-3), unread: s.unread + 1 };
    }),
  dismiss: (id) => set((s) => ({ showing: s.showing.filter((n) => n !== id) })),
  markRead: () => set({ unread: 0 }),
  clearHistory: () => set({ notices: [], showing: [], unread: 0 }),
  setBusy: (name, what) => set((s) => ({ busy: { ...s.busy, [name]: what } })),
}));

/** Follows Back, Forward and typed addresses. Returns the release. */
export function followRoute(): () => void {
  const onHash = () => useStore.setState({ view: parseRoute(location.hash) });
  window.addEventListener('hashchange', onHash);
  window.addEventListener('popstate', onHash);
  return () => {
    window.removeEventListener('hashchange', onHash);
    window.removeEventListener('popstate', onHash);
  };
}
