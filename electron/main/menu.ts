// The application menu, with the usual keyboard shortcuts.
import { Menu, type MenuItemConstructorOptions } from 'electron';

export type MenuCommand = 'new-machine' | 'show-doctor';

export interface MenuOptions {
  /** Only an AppImage offers it: the .deb installs /usr/bin/burrow, a checkout has npm link. */
  installCommand?: () => void;
}

export function menuTemplate(command: (c: MenuCommand) => void, options: MenuOptions = {}): MenuItemConstructorOptions[] {
  const help: MenuItemConstructorOptions[] = options.installCommand
    ? [{ label: 'Install the &burrow Command…', click: options.installCommand }]
    : [{ label: 'Burrow on the command line: burrow --help', enabled: false }];
  return [
    {
      label: '&File',
      submenu: [
        { label: '&New Machine…', accelerator: 'CmdOrCtrl+N', click: () => command('new-machine') },
        { label: '&Host Check', accelerator: 'CmdOrCtrl+Shift+D', click: () => command('show-doctor') },
        { type: 'separator' },
        // The role calls app.quit(); quit.ts makes it say what the window's close button says.
        { role: 'quit', label: '&Quit (machines keep running)', accelerator: 'CmdOrCtrl+Q' },
      ],
    },
    {
      label: '&Edit',
      submenu: [{ role: 'undo' }, { role: 'redo' }, { type: 'separator' }, { role: 'cut' }, { role: 'copy' }, { role: 'paste' }, { role: 'selectAll' }],
    },
    { label: '&View', submenu: [{ role: 'reload' }, { role: 'togglefullscreen' }, { role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }] },
    { label: '&Help', submenu: help },
  ];
}

export const buildMenu = (command: (c: MenuCommand) => void, options?: MenuOptions): Menu => Menu.buildFromTemplate(menuTemplate(command, options));
