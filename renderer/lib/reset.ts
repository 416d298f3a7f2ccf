/**
 * Every store registers how to go back to its initial state; locking calls
 * resetAllStores() so nothing from the unlocked vault (names, revealed
 * values, errors) survives in memory or on screen.
 */
const resets = new Set<() => void>();

export function onReset(fn: () => void): void {
  resets.add(fn);
}

export function resetAllStores(): void {
  for (const fn of resets) fn();
}
