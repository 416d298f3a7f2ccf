/**
 * keys/recent-material.ts: material decoded once for a burst of operations,
 * disposed after MATERIAL_IDLE_MS without use and when the vault closes.
 */
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { importJwk, keyParts, type KeyMaterial } from '../../../../electron/vault/keys/material.js';
import { MATERIAL_IDLE_MS, RecentMaterial } from '../../../../electron/vault/keys/recent-material.js';
import { createTestVault, removeTempDirs } from '../../../helpers/vault.js';

afterAll(removeTempDirs);
afterEach(() => {
  vi.useRealTimers();
});

/** True while the material's secret parts are still there (dispose drops them). */
function live(m: KeyMaterial): boolean {
  try {
    keyParts(m);
    return true;
  } catch {
    return false;
  }
}

describe('RecentMaterial', () => {
  it('decodes once for uses within the idle time, and disposes after it', async () => {
    vi.useFakeTimers();
    const recent = new RecentMaterial();
    let loads = 0;
    let material: KeyMaterial | undefined;
    const load = () => {
      loads++;
      return (material = importJwk({ kty: 'oct', k: Buffer.alloc(32, 7).toString('base64url') }));
    };
    for (let i = 0; i < 5; i++) {
      recent.use('a', load, (m) => expect(live(m)).toBe(true));
      vi.advanceTimersByTime(MATERIAL_IDLE_MS - 1);
    }
    expect(loads).toBe(1);
    vi.advanceTimersByTime(1);
    expect(recent.size).toBe(0);
    expect(live(material!)).toBe(false);
    recent.use('a', load, () => undefined);
    expect(loads).toBe(2);
    recent.close();
    expect(live(material!)).toBe(false);
    // After close nothing is kept: each use decodes and disposes.
    recent.use('a', load, (m) => expect(live(m)).toBe(true));
    expect(recent.size).toBe(0);
    expect(live(material!)).toBe(false);
    expect(loads).toBe(3);
  });

  it('a vault keeps a used key decoded until it closes; its checks still apply on every call', async () => {
    const t = await createTestVault();
    await t.vault.keys.create({ name: 'k', kty: 'oct', size: 256 });
    const digest = new Uint8Array(32);
    await t.vault.keys.sign('k', undefined, { algorithm: 'HS256', digest });
    const recent = (t.vault.keys as unknown as { recent: RecentMaterial }).recent;
    expect(recent.size).toBe(1);
    await t.vault.keys.update('k', undefined, { enabled: false });
    await expect(t.vault.keys.sign('k', undefined, { algorithm: 'HS256', digest })).rejects.toMatchObject({ innerCode: 'KeyDisabled' });
    t.vault.close();
    expect(recent.size).toBe(0);
    await t.vault.settled();
  });
});
