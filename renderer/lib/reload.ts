/**
 * Every store that shows something of the open vault registers how to ask for
 * it again; when another writer changed the vault's file while it is open
 * (main's `vaultChanged` event), reloadAllStores() runs them, as onReset()'s
 * functions run on a lock. A store shows again only what it was showing.
 */
const reloads = new Set<() => Promise<void>>();

export function onVaultChanged(fn: () => Promise<void>): void {
  reloads.add(fn);
}

export async function reloadAllStores(): Promise<void> {
  await Promise.all([...reloads].map((fn) => fn()));
}
