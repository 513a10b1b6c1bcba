import { useEffect, useState } from 'react';
import { stateNotice } from '../../electron/contract/describe';
import { isLive, isUp } from '../../electron/contract/machine-state';
import { connectApi, transport } from '../api/client';
import { droppedPath } from '../api/drop';
import { refreshDoctor, refreshHost, refreshMachines } from '../state/actions';
import { followRoute, useStore } from '../state/store';
import { watchTasks } from '../state/tasks';
import { terminalTail } from '../terminals/registry';
import { followMachines, terminalCount } from '../terminals/sessions';
import { Wizard } from '../wizard/Wizard';
import { ActivityBar } from './ActivityBar';
import { Banners } from './Banners';
import { EmptyState } from './EmptyState';
import { ImageList } from './ImageList';
import { ImageView } from './ImageView';
import { MachineList } from './MachineList';
import { MachineView } from './MachineView';
import { SignedOut } from './SignedOut';

/** The sidebar's choice survives a reload (a narrow window starts with it folded). */
const SIDEBAR_KEY = 'burrow.sidebar';
function initialSidebar(): boolean {
  try {
    const saved = localStorage.getItem(SIDEBAR_KEY);
    if (saved) return saved === 'open';
  } catch {
    /* storage refused */
  }
  return window.innerWidth >= 900;
}

function Content() {
  const view = useStore((s) => s.view);
  if (view.kind === 'wizard') return <Wizard key={view.edit ? `edit:${view.edit}` : `new:${view.image ?? view.rootfs ?? ''}`} view={view} />;
  if (view.kind === 'machine') return <MachineView key={view.name} name={view.name} tab={view.tab} />;
  if (view.kind === 'image') return <ImageView key={view.name} name={view.name} />;
  return <EmptyState />;
}

export function App() {
  const connection = useStore((s) => s.connection);
  const running = useStore((s) => Object.values(s.machines).filter((m) => isUp(m.status)).length);
  const [sidebar, setSidebar] = useState(initialSidebar);

  useEffect(() => {
    const api = connectApi((c) => {
      useStore.getState().setConnection(c);
      if (c === 'open')
        void refreshMachines()
          .then(refreshHost)
          .then(refreshDoctor)
          .catch((e: Error) => useStore.getState().notify('error', e.message));
    });
    const unroute = followRoute();
    const untask = watchTasks();
    // Terminals follow their machines: a restart, a stop or a removal (by anyone) ends the last launch's.
    const unfollow = useStore.subscribe((s, before) => s.machines !== before.machines && followMachines(s.machines));
    // For the tests and benchmarks in a browser: how many xterms the window holds, and what they show.
    Object.assign(window, { __burrowTerminals: terminalCount, __burrowTerminalTail: terminalTail });
    // Notices follow the host's own record of transitions, whoever caused them (this window, the CLI).
    const seen = new Map<string, string>();
    const off = api.on('machines.changed', (status) => {
      const s = useStore.getState();
      const known = s.machines[status.name];
      // A machine this connection has not heard of yet is compared with what the list call said.
      const before = seen.get(status.name) ?? known?.status.state;
      seen.set(status.name, status.state);
      // A new machine, or a new launch (its settings as started are what the list says): ask for the list.
      if (!known || (isLive(status) && status.startedAt !== known.status.startedAt) || (!isLive(status) && known.applied)) void refreshMachines();
      s.applyStatus(status);
      const notice = before && before !== status.state ? stateNotice(status) : undefined;
      if (notice) s.notify(notice.level, notice.detail ? `${notice.title}: ${notice.detail}` : notice.title);
    });
    const offMenu = api.on('ui.command', ({ command }) => useStore.getState().show(command === 'new-machine' ? { kind: 'wizard' } : { kind: 'home' }));
    return () => {
      off();
      offMenu();
      unfollow();
      untask();
      unroute();
    };
  }, []);

  useEffect(() => {
    document.title = running ? `Burrow (${running} running)` : 'Burrow';
  }, [running]);

  const toggleSidebar = () => {
    setSidebar(!sidebar);
    try {
      localStorage.setItem(SIDEBAR_KEY, sidebar ? 'closed' : 'open');
    } catch {
      /* storage refused: the choice lasts until reload */
    }
  };

  // A browser never tells a page where a dropped file is on the host: only the desktop app takes drops.
  const drops = transport() === 'electron';
  const onDrop = (e: React.DragEvent) => {
    e.preventDefault();
    const file = e.dataTransfer.files[0];
    const path = file && droppedPath(file);
    if (path) useStore.getState().show({ kind: 'wizard', rootfs: path });
  };
  const onDragOver = (e: React.DragEvent) => {
    // Without this a dropped file would replace the page; the cursor says "no" where drops are not taken.
    e.preventDefault();
    if (!drops) e.dataTransfer.dropEffect = 'none';
  };

  if (connection === 'denied') return <SignedOut />;
  return (
    <div className="app" onDragOver={onDragOver} onDrop={drops ? onDrop : (e) => e.preventDefault()}>
      <header className="topbar">
        <button
          className="icon sidebar-toggle"
          aria-expanded={sidebar}
          aria-controls="sidebar"
          aria-label={sidebar ? 'Hide the sidebar' : 'Show the sidebar'}
          onClick={toggleSidebar}
        >
          ☰
        </button>
        <img src="./icon.svg" alt="" width={24} height={24} />
        <h1>Burrow</h1>
        <span className="subtitle">systemd machines in bubblewrap, no root</span>
        <button className="primary" onClick={() => useStore.getState().show({ kind: 'wizard' })}>
          New machine
        </button>
      </header>
      <Banners />
      <div className="body">
        {sidebar && (
          <div className="sidebar" id="sidebar">
            <nav aria-label="Machines">
              <h2 className="sidebar-head">Machines</h2>
              <MachineList />
            </nav>
            <nav aria-label="Images">
              <h2 className="sidebar-head">Images</h2>
              <ImageList />
            </nav>
          </div>
        )}
        <main className="content">
          <Content />
        </main>
      </div>
      <ActivityBar />
    </div>
  );
}
