// The application menu. Items that open a screen or add files send an app
// event to the UI (AppEvent in common/api/api-types.ts); standard roles do
// the rest. On macOS the first menu is the app menu, as the platform expects.
import { Menu, type MenuItemConstructorOptions } from 'electron';
import type { AppEvent } from '../common/api/api-types.ts';

export interface MenuActions {
  send(event: AppEvent): void;
  addFiles(): void;
  openDataFolder(): void;
  openDocs(): void;
}

export function buildAppMenu(actions: MenuActions, isMac: boolean): Menu {
  const navigate = (screen: Extract<AppEvent, { type: 'navigate' }>['screen']) => () => actions.send({ type: 'navigate', screen });
  const template: MenuItemConstructorOptions[] = [
    ...(isMac ? [{ role: 'appMenu' as const }] : []),
    {
      label: '&File',
      submenu: [
        { label: 'New Job', accelerator: 'CmdOrCtrl+N', click: navigate('new-job') },
        { label: 'Add Files…', accelerator: 'CmdOrCtrl+O', click: () => actions.addFiles() },
        { type: 'separator' },
        { label: 'Open Data Folder', click: () => actions.openDataFolder() },
        { type: 'separator' },
        isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: '&View',
      submenu: [
        { label: 'Queue', accelerator: 'CmdOrCtrl+1', click: navigate('queue') },
        { label: 'New Job', accelerator: 'CmdOrCtrl+2', click: navigate('new-job') },
        { label: 'Preview', accelerator: 'CmdOrCtrl+3', click: navigate('preview') },
        { label: 'Presets', accelerator: 'CmdOrCtrl+4', click: navigate('presets') },
        { label: 'Models', accelerator: 'CmdOrCtrl+5', click: navigate('models') },
        { label: 'Settings', accelerator: 'CmdOrCtrl+,', click: navigate('settings') },
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
        { role: 'toggleDevTools' },
      ],
    },
    { role: 'windowMenu' },
    { role: 'help', submenu: [{ label: 'Framesmith on the Web', click: () => actions.openDocs() }] },
  ];
  return Menu.buildFromTemplate(template);
}
