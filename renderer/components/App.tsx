import { useEffect } from 'react';
import { stateNotice } from '../../electron/contract/describe';
import { isUp } from '../../electron/contract/machine-state';
import { connectApi } from '../api/client';
import { droppedPath } from '../api/drop';
import { refreshDoctor, refreshHost, refreshMachines } from '../state/actions';
import { useStore } from '../state/store';
import { terminalTail } from '../terminals/registry';
import { followMachines, terminalCount } from '../terminals/sessions';
import { Wizard } from '../wizard/Wizard';
import { Banners } from './Banners';
import { EmptyState } from './EmptyState';
import { ImageList } from './ImageList';
import { ImageView } from './ImageView';
import { MachineList } from './MachineList';
import { MachineView } from './MachineView';
import { Notices } from './Notices';

export function App() {
  const view = useStore((s) => s.view);
  const running = useStore((s) => Object.values(s.machines).filter((m) => isUp(m.status)).length);

  useEffect(() => {
    const api = connectApi((c) => {
      useStore.getState().setConnection(c);
      if (c === 'open') void refreshMachines().then(refreshHost).then(refreshDoctor).catch((e: Error) => useStore.getState().notify('error', e.message));
    });
    // Terminals follow their machines: a restart, a stop or a removal (by anyone) ends the last launch's.
    const unfollow = useStore.subscribe((s, before) => s.machines !== before.machines && followMachines(s.machines));
    // For the tests and benchmarks in a browser: how many xterms the window holds, and what they show.
    Object.assign(window, { __burrowTerminals: terminalCount, __burrowTerminalTail: terminalTail });
    // Notices follow the host's own record of transitions, whoever caused them (this window, the CLI).
    const seen = new Map<string, string>();
    const off = api.on('machines.changed', (status) => {
      const s = useStore.getState();
      // A machine this connection has not heard of yet is compared with what the list call said.
      const before = seen.get(status.name) ?? s.machines[status.name]?.status.state;
      seen.set(status.name, status.state);
      if (!s.machines[status.name]) void refreshMachines();
      s.applyStatus(status);
      const notice = before && before !== status.state ? stateNotice(status) : undefined;
      if (notice) s.notify(notice.level, notice.detail ? `${notice.title}: ${notice.detail}` : notice.title);
    });
    return () => {
      off();
      unfollow();
    };
  }, []);

  useEffect(() => {
    document.title = running ? `Burrow (${running} running)` : 'Burrow';
  }, [running]);

  const onDrop = (e: React.DragEvent) => {
    e.preventDefault();
    const file = e.dataTransfer.files[0];
    if (!file) return;
    const path = droppedPath(file);
    useStore.getState().show({ kind: 'wizard', rootfs: path });
    if (!path) useStore.getState().notify('info', `The browser cannot tell where "${file.name}" is on the host: type its path in the Rootfs field.`);
  };

  return (
    <div className="app" onDragOver={(e) => e.preventDefault()} onDrop={onDrop}>
      <header className="topbar">
        <img src="./icon.svg" alt="" width={24} height={24} />
        <h1>Burrow</h1>
        <span className="subtitle">systemd machines in bubblewrap, no root</span>
        <button className="primary" onClick={() => useStore.getState().show({ kind: 'wizard' })}>
          New machine
        </button>
      </header>
      <Banners />
      <div className="body">
        <div className="sidebar">
          <nav aria-label="Machines">
            <MachineList />
          </nav>
          <nav aria-label="Images">
            <h2 className="sidebar-head">Images</h2>
            <ImageList />
          </nav>
        </div>
        <main className="content">{view.kind === 'wizard' ? <Wizard key={view.editing?.name ?? `new:${view.image ?? ''}`} editing={view.editing} initialRootfs={view.rootfs} initialImage={view.image} /> : view.kind === 'machine' ? <MachineView key={view.name} name={view.name} /> : view.kind === 'image' ? <ImageView key={view.name} name={view.name} /> : <EmptyState />}</main>
      </div>
      <Notices />
    </div>
  );
}

