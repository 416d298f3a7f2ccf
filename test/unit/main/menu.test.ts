/** electron/main/menu.ts: the usual items and shortcuts, per platform, devtools in development only. */
import { describe, expect, it } from 'vitest';
import { accelerators, menuTemplate, type MenuItemData } from '../../../electron/main/menu.js';

const actions = () => {
  const done: string[] = [];
  return { done, actions: { lock: () => done.push('lock'), command: (c: string) => done.push(c) } };
};
const all = (items: MenuItemData[]): MenuItemData[] => items.flatMap((i) => [i, ...all(i.submenu ?? [])]);
const roles = (items: MenuItemData[]) => all(items).flatMap((i) => (i.role ? [i.role] : []));

describe('menuTemplate', () => {
  it.each(['linux', 'win32', 'darwin'] as const)('%s: Lock, New secret, Find with their shortcuts, and no shortcut twice', (platform) => {
    const { done, actions: a } = actions();
    const items = menuTemplate({ platform, isDev: false, actions: a });
    const byLabel = (l: string) => all(items).find((i) => i.label === l);
    expect(byLabel('Lock')?.accelerator).toBe('CmdOrCtrl+L');
    expect(byLabel('New Secret')?.accelerator).toBe('CmdOrCtrl+N');
    expect(byLabel('Find')?.accelerator).toBe('CmdOrCtrl+F');
    byLabel('Lock')?.click?.();
    byLabel('New Secret')?.click?.();
    byLabel('Find')?.click?.();
    expect(done).toEqual(['lock', 'newSecret', 'find']);
    const keys = accelerators(items);
    expect(new Set(keys).size).toBe(keys.length);
    // The Edit roles make copy/paste work in text fields (on macOS only through the menu).
    expect(roles(items)).toEqual(expect.arrayContaining(['undo', 'redo', 'cut', 'copy', 'paste', 'selectAll', 'quit', 'close', 'minimize']));
  });

  it('macOS has the app menu first (About, Hide, Quit); Linux and Windows have Help > About and Ctrl+Q', () => {
    const mac = menuTemplate({ platform: 'darwin', isDev: false, actions: actions().actions });
    expect(mac[0]?.label).toBe('Coffer');
    expect(roles([mac[0]!])).toEqual(['about', 'services', 'hide', 'hideOthers', 'unhide', 'quit']);
    const linux = menuTemplate({ platform: 'linux', isDev: false, actions: actions().actions });
    expect(linux.map((i) => i.label)).toEqual(['&Vault', '&Edit', '&View', '&Window', '&Help']);
    expect(all(linux).find((i) => i.role === 'quit')?.accelerator).toBe('Ctrl+Q');
  });

  it('reload and devtools only in development', () => {
    const dev = ['reload', 'forceReload', 'toggleDevTools'];
    for (const platform of ['linux', 'darwin'] as const) {
      expect(roles(menuTemplate({ platform, isDev: false, actions: actions().actions }))).not.toEqual(expect.arrayContaining([expect.stringMatching(/reload|DevTools/i)]));
      expect(roles(menuTemplate({ platform, isDev: true, actions: actions().actions }))).toEqual(expect.arrayContaining(dev));
    }
  });
});
