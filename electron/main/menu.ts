// The application menu, with the usual keyboard shortcuts.
import { Menu, type MenuItemConstructorOptions } from 'electron';

export function menuTemplate(command: (c: 'new-machine' | 'show-doctor') => void): MenuItemConstructorOptions[] {
  return [
    {
      label: '&File',
      submenu: [
        { label: '&New Machine…', accelerator: 'CmdOrCtrl+N', click: () => command('new-machine') },
        { label: '&Host Check', accelerator: 'CmdOrCtrl+Shift+D', click: () => command('show-doctor') },
        { type: 'separator' },
        { role: 'quit', label: '&Quit (machines keep running)' },
      ],
    },
    { label: '&Edit', submenu: [{ role: 'undo' }, { role: 'redo' }, { type: 'separator' }, { role: 'cut' }, { role: 'copy' }, { role: 'paste' }, { role: 'selectAll' }] },
    { label: '&View', submenu: [{ role: 'reload' }, { role: 'togglefullscreen' }, { role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }] },
    { label: '&Help', submenu: [{ label: 'Burrow on the command line: burrow --help', enabled: false }] },
  ];
}

export const buildMenu = (command: (c: 'new-machine' | 'show-doctor') => void): Menu => Menu.buildFromTemplate(menuTemplate(command));
