/**
 * Decoded material of the key versions used in the last moments, so that a
 * burst of operations with one key (a service signing in a loop) decodes it
 * once: decrypting the value blob and building OpenSSL's key costs more than
 * an RSA-2048 signature (docs/BENCHMARKS.md section 12; OpenSSL also sets up
 * its Montgomery and blinding state on a key's first use). An entry is
 * disposed (its secret bytes zeroed, the OpenSSL key released to the
 * garbage collector) once it has not been used for IDLE_MS, and every entry
 * when the vault closes. Every operation still makes all of Key Vault's
 * checks before it gets the material (docs/KEYS.md §5, §8).
 */
import type { KeyMaterial } from './material.js';

/** How long material stays decoded after its last use. */
export const MATERIAL_IDLE_MS = 2000;

export class RecentMaterial {
  private readonly entries = new Map<string, { m: KeyMaterial; timer: ReturnType<typeof setTimeout> }>();
  private closed = false;

  constructor(private readonly idleMs = MATERIAL_IDLE_MS) {}

  /** Runs `run` on the material under `id`, decoding it with `load` unless it was used in the last idleMs. */
  use<T>(id: string, load: () => KeyMaterial, run: (m: KeyMaterial) => T): T {
    if (this.closed) {
      // After close nothing is kept: decode, use, dispose.
      const m = load();
      try {
        return run(m);
      } finally {
        m.dispose();
      }
    }
    let e = this.entries.get(id);
    if (e) clearTimeout(e.timer);
    else {
      e = { m: load(), timer: undefined as unknown as ReturnType<typeof setTimeout> };
      this.entries.set(id, e);
    }
    const timer = setTimeout(() => this.drop(id), this.idleMs);
    // A kept key never holds the process open.
    timer.unref?.();
    e.timer = timer;
    return run(e.m);
  }

  /** Disposes every entry (the vault closes, or a key's versions go). */
  clear(): void {
    for (const id of [...this.entries.keys()]) this.drop(id);
  }

  close(): void {
    this.closed = true;
    this.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private drop(id: string): void {
    const e = this.entries.get(id);
    if (!e) return;
    clearTimeout(e.timer);
    this.entries.delete(id);
    e.m.dispose();
  }
}
