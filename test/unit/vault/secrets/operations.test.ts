/**
 * secrets/operations.ts: the order of a list, and reads that need only a
 * secret's newest version (a warm open builds the others only when asked).
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTemp, create, freshProfile, open, openOnce, tempDir, text } from '../merge/helpers.js';

afterAll(cleanupTemp);

describe('secrets.list', () => {
  it('orders secrets as localeCompare orders their ids (mixed case, hyphens, digits)', async () => {
    const dir = await tempDir('coffer-ops-');
    const path = join(dir, 'v.coffer');
    const v = await create(path, join(dir, 'owner'));
    const names = ['a-b', 'a0', 'A1', 'ab', 'a', 'B', 'b-', '-x', 'x--y', 'x-y', 'xy', 'X0', 'Zz', 'z-', '9a', '0-', 'a--', 'Ab0'];
    await v.secrets.import(names.map((name) => ({ name, value: text(name) })));
    const ids = v.secrets.list().map((s) => s.id);
    expect(ids).toEqual([...ids].sort((a, b) => a.localeCompare(b)));
    expect(ids.length).toBe(names.length);
    v.close();
  });

  it('after a warm open, show and list give the newest version; list-versions gives every one, in order', async () => {
    const dir = await tempDir('coffer-ops-');
    const path = join(dir, 'v.coffer');
    const v = await create(path, join(dir, 'owner'));
    for (let i = 0; i < 4; i++) await v.secrets.set({ name: 's', value: text(`v${i}`) });
    const versions = v.secrets.listVersions('s').map((x) => x.id);
    v.close();
    const profile = freshProfile(dir);
    await openOnce(path, profile);
    const warm = await open(path, profile);
    expect((warm as unknown as { loadedWarm: boolean }).loadedWarm).toBe(true);
    expect(warm.secrets.list()[0]!.id).toBe(versions.at(-1)!.replace(/\/[0-9a-f]+$/, ''));
    expect((await warm.secrets.get('s')).id).toBe(versions.at(-1));
    expect(Buffer.from(await warm.secrets.getValue('s')).toString()).toBe('v3');
    expect(warm.secrets.listVersions('s').map((x) => x.id)).toEqual(versions);
    expect(warm.info().counts.secretVersions).toBe(4);
    warm.close();
  });
});
