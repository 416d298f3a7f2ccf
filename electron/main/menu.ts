/**
 * The application menu as plain data (a subset of Electron's
 * MenuItemConstructorOptions), so its items and shortcuts are tested in Node;
 * the entry passes it to Menu.buildFromTemplate.
 *
 * The usual shortcuts of a desktop app (issue 3, "menus with the usual
 * shortcuts"), as KeePassXC and Bitwarden have them:
 *   Vault:  Lock CmdOrCtrl+L, New secret CmdOrCtrl+N, Find CmdOrCtrl+F,
 *           Close window CmdOrCtrl+W, Quit (Cmd+Q on macOS, Ctrl+Q elsewhere);
 *   Edit:   undo, redo, cut, copy, paste, select all — Electron's roles, which
 *           also make these keys work in text fields on macOS;
 *   View:   zoom in/out/reset, full screen; reload and devtools only in
 *           development (issue 3: devtools only in development);
 *   Window: minimise (and zoom/front on macOS);
 *   Help:   About Coffer.
 * On macOS the first menu is the app's own (About, Hide, Quit), as Apple's
 * guidelines expect.
 *
 * Lock is done by main itself (the renderer may be busy or compromised, main
 * must not wait on it); New secret and Find are renderer commands sent as
 * events (shared/contract.ts EVENT_CHANNEL).
 */
import type { AppCommand } from '../../shared/contract.js';

/** The roles used here (Electron docs "MenuItem", role). */
export type MenuRole =
  | 'about'
  | 'services'
  | 'hide'
  | 'hideOthers'
  | 'unhide'
  | 'quit'
  | 'close'
  | 'undo'
  | 'redo'
  | 'cut'
  | 'copy'
  | 'paste'
  | 'pasteAndMatchStyle'
  | 'delete'
  | 'selectAll'
  | 'reload'
  | 'forceReload'
  | 'toggleDevTools'
  | 'resetZoom'
  | 'zoomIn'
  | 'zoomOut'
  | 'togglefullscreen'
  | 'minimize'
  | 'zoom'
  | 'front'
  | 'appMenu'
  | 'windowMenu';

export interface MenuItemData {
  label?: string;
  role?: MenuRole;
  type?: 'separator' | 'submenu';
  accelerator?: string;
  click?: () => void;
  submenu?: MenuItemData[];
}

export interface MenuActions {
  lock(): void;
  command(command: AppCommand): void;
}

export interface MenuOptions {
  platform: NodeJS.Platform;
  isDev: boolean;
  actions: MenuActions;
}

const separator: MenuItemData = { type: 'separator' };

export function menuTemplate({ platform, isDev, actions }: MenuOptions): MenuItemData[] {
  const mac = platform === 'darwin';
  const vault: MenuItemData = {
    label: mac ? 'Vault' : '&Vault',
    submenu: [
      { label: 'New Secret', accelerator: 'CmdOrCtrl+N', click: () => actions.command('newSecret') },
      { label: 'Find', accelerator: 'CmdOrCtrl+F', click: () => actions.command('find') },
      separator,
      { label: 'Lock', accelerator: 'CmdOrCtrl+L', click: () => actions.lock() },
      separator,
      { role: 'close', accelerator: 'CmdOrCtrl+W' },
      // macOS quits from the app menu (Cmd+Q).
      ...(mac ? [] : [{ role: 'quit' as const, label: 'Quit', accelerator: 'Ctrl+Q' }]),
    ],
  };
  const edit: MenuItemData = {
    label: mac ? 'Edit' : '&Edit',
    submenu: [
      { role: 'undo' },
      { role: 'redo' },
      separator,
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      ...(mac ? [{ role: 'pasteAndMatchStyle' as const }] : []),
      { role: 'delete' },
      separator,
      { role: 'selectAll' },
    ],
  };
  const view: MenuItemData = {
    label: mac ? 'View' : '&View',
    submenu: [
      ...(isDev ? [{ role: 'reload' as const }, { role: 'forceReload' as const }, { role: 'toggleDevTools' as const }, separator] : []),
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      separator,
      { role: 'togglefullscreen' },
    ],
  };
  const window: MenuItemData = {
    label: mac ? 'Window' : '&Window',
    submenu: mac ? [{ role: 'minimize' }, { role: 'zoom' }, separator, { role: 'front' }] : [{ role: 'minimize' }],
  };
  const help: MenuItemData = {
    label: mac ? 'Help' : '&Help',
    // macOS has About in the app menu.
    submenu: mac ? [] : [{ role: 'about', label: 'About Coffer' }],
  };
  const appMenu: MenuItemData = {
    label: 'Coffer',
    submenu: [
      { role: 'about', label: 'About Coffer' },
      separator,
      { role: 'services' },
      separator,
      { role: 'hide' },
      { role: 'hideOthers' },
      { role: 'unhide' },
      separator,
      { role: 'quit', label: 'Quit Coffer' },
    ],
  };
  return [...(mac ? [appMenu] : []), vault, edit, view, window, ...(help.submenu?.length ? [help] : [])];
}

/** Every accelerator in the template, for the tests and for a check that no two items share one. */
export function accelerators(items: MenuItemData[]): string[] {
  return items.flatMap((i) => [...(i.accelerator ? [i.accelerator] : []), ...accelerators(i.submenu ?? [])]);
}
