/**
 * Rotation (keys/operations.ts rotate, rotateDue; keys/rules.ts): RotateKey's
 * new version, rotation policies with Key Vault's rules and shape, and which
 * keys are due at a given time.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { RotationPolicyInput } from '../../../../electron/vault/api.js';
import { CofferError } from '../../../../electron/vault/errors.js';
import { addDuration, parseDuration, rotationDueAt, validateRotationPolicy } from '../../../../electron/vault/keys/rules.js';
import { createTestVault, removeTempDirs } from '../../../helpers/vault.js';
import { failure } from './helpers.js';

afterAll(removeTempDirs);

const DAY = 86_400;

const rotate = (trigger: Record<string, string>, expiryTime?: string): RotationPolicyInput => ({
  lifetimeActions: [{ trigger, action: { type: 'Rotate' } }],
  ...(expiryTime !== undefined ? { attributes: { expiryTime } } : {}),
});
const refusal = (input: RotationPolicyInput): string => {
  try {
    validateRotationPolicy(input);
    return 'accepted';
  } catch (e) {
    if (e instanceof CofferError && e.code === 'BadParameter') return e.message;
    throw e;
  }
};

describe('rotation policy rules (S-key KeyRotationPolicy, D-rot)', () => {
  it('accepts what Key Vault accepts, adding the default Notify 30 days before expiry', () => {
    // As the service answered a PUT of only a Rotate action (recorded Azure SDK test).
    expect(validateRotationPolicy(rotate({ timeAfterCreate: 'P2M' }))).toEqual({
      lifetimeActions: [
        { trigger: { timeAfterCreate: 'P2M' }, action: { type: 'Rotate' } },
        { trigger: { timeBeforeExpiry: 'P30D' }, action: { type: 'Notify' } },
      ],
    });
    expect(validateRotationPolicy({ lifetimeActions: [{ trigger: { timeBeforeExpiry: 'P30D' }, action: { type: 'rotate' } }], attributes: { expiryTime: 'P90D' } }).lifetimeActions[0]).toEqual({
      trigger: { timeBeforeExpiry: 'P30D' },
      action: { type: 'Rotate' },
    });
    expect(validateRotationPolicy({ lifetimeActions: [{ trigger: { timeBeforeExpiry: 'P10D' }, action: { type: 'NOTIFY' } }] })).toEqual({
      lifetimeActions: [{ trigger: { timeBeforeExpiry: 'P10D' }, action: { type: 'Notify' } }],
    });
    expect(validateRotationPolicy({ attributes: { expiryTime: 'P28D' } }).expiryTime).toBe('P28D');
    expect(refusal(rotate({ timeAfterCreate: 'P7D' }))).toBe('accepted');
    expect(refusal(rotate({ timeAfterCreate: 'P21D' }, 'P28D'))).toBe('accepted');
  });

  it('refuses the rest with a BadParameter naming the rule', () => {
    expect(refusal({ attributes: { expiryTime: 'P27D' } })).toContain('at least 28 days');
    expect(refusal({ attributes: { expiryTime: 'PT671H' } })).toContain('at least 28 days');
    expect(refusal({ attributes: { expiryTime: '90 days' } })).toContain('ISO 8601 duration');
    expect(refusal(rotate({ timeAfterCreate: 'P6D' }))).toContain('at least 7 days');
    expect(refusal(rotate({ timeAfterCreate: 'P22D' }, 'P28D'))).toContain('leave at least 7 days');
    expect(refusal(rotate({ timeBeforeExpiry: 'P30D' }))).toContain('needs the policy\'s expiryTime');
    expect(refusal(rotate({ timeBeforeExpiry: 'P6D' }, 'P90D'))).toContain('at least 7 days');
    expect(refusal({ lifetimeActions: [{ trigger: { timeAfterCreate: 'P30D' }, action: { type: 'Notify' } }] })).toContain('Notify action takes timeBeforeExpiry');
    expect(refusal({ lifetimeActions: [{ trigger: { timeAfterCreate: 'P30D', timeBeforeExpiry: 'P30D' }, action: { type: 'Rotate' } }] })).toContain('exactly one');
    expect(refusal({ lifetimeActions: [{ trigger: {}, action: { type: 'Rotate' } }] })).toContain('exactly one');
    expect(refusal({ lifetimeActions: [{ trigger: { timeAfterCreate: 'P30D' }, action: { type: 'Delete' } }] })).toContain('Rotate or Notify');
    expect(refusal({ lifetimeActions: [rotate({ timeAfterCreate: 'P30D' }).lifetimeActions![0]!, rotate({ timeAfterCreate: 'P40D' }).lifetimeActions![0]!] })).toContain('at most one Rotate');
    const three = Array.from({ length: 3 }, () => ({ trigger: { timeBeforeExpiry: 'P30D' }, action: { type: 'Notify' } }));
    expect(refusal({ lifetimeActions: three })).toContain('at most two');
  });

  it('durations add in calendar terms; a rotation is due after creation or before expiry', () => {
    const jan31 = Date.UTC(2027, 0, 31) / 1000;
    expect(addDuration(jan31, parseDuration('P1M', 'x'))).toBe(Date.UTC(2027, 2, 3) / 1000); // as Date rolls over a short month
    expect(addDuration(jan31, parseDuration('P1Y2DT3H', 'x'))).toBe(Date.UTC(2028, 1, 2, 3) / 1000);
    expect(addDuration(jan31, parseDuration('P1W', 'x'), -1)).toBe(Date.UTC(2027, 0, 24) / 1000);
    const policy = validateRotationPolicy(rotate({ timeBeforeExpiry: 'P10D' }, 'P90D'));
    expect(rotationDueAt(policy, 0, 100 * DAY)).toBe(90 * DAY);
    expect(rotationDueAt(policy, 0, undefined)).toBeUndefined();
    expect(rotationDueAt(validateRotationPolicy({}), 0, 100 * DAY)).toBeUndefined(); // Notify only
    expect(rotationDueAt(undefined, 0, 100 * DAY)).toBeUndefined();
  });
});

describe('rotation through the vault', () => {
  it("a key without a policy shows Key Vault's default; a policy set is stored with its times and id", async () => {
    const t = await createTestVault();
    await t.vault.keys.create({ name: 'p', kty: 'EC' });
    const id = (await t.vault.keys.get('p')).key.kid.replace(/\/[0-9a-f]{32}$/, '/rotationpolicy');
    expect(await t.vault.keys.getRotationPolicy('p')).toEqual({ id, lifetimeActions: [{ trigger: { timeBeforeExpiry: 'P30D' }, action: { type: 'Notify' } }], attributes: {} });
    const set = await t.vault.keys.updateRotationPolicy('p', rotate({ timeAfterCreate: 'P60D' }, 'P1Y'));
    expect(set).toMatchObject({ id, attributes: { expiryTime: 'P1Y', created: expect.any(Number), updated: expect.any(Number) } });
    expect(Object.keys(set)).toEqual(['id', 'lifetimeActions', 'attributes']);
    expect(await t.vault.keys.getRotationPolicy('p')).toEqual(set);
    const again = await t.vault.keys.updateRotationPolicy('p', {});
    expect(again.attributes.created).toBe(set.attributes.created);
    expect(again.attributes.expiryTime).toBeUndefined();
    const e = await failure(t.vault.keys.updateRotationPolicy('p', { attributes: { expiryTime: 'P1D' } }));
    expect(e.code).toBe('BadParameter');
    expect((await failure(t.vault.keys.updateRotationPolicy('nope', {}))).code).toBe('KeyNotFound');
    t.vault.close();
  });

  it('rotate makes a new version of the same type and size with new material, key_ops, tags, and exp from expiryTime', async () => {
    const t = await createTestVault();
    const first = await t.vault.keys.create({ name: 'r', kty: 'RSA', size: 3072, keyOps: ['sign', 'verify'], tags: { team: 'a' }, exportable: true });
    await t.vault.keys.updateRotationPolicy('r', { attributes: { expiryTime: 'P90D' } });
    const before = Math.floor(Date.now() / 1000);
    const second = await t.vault.keys.rotate('r');
    expect(second.key.kid).not.toBe(first.key.kid);
    expect(second.key.n).not.toBe(first.key.n);
    expect(Buffer.from(second.key.n!, 'base64url').length).toBe(384);
    expect(second.key.key_ops).toEqual(['sign', 'verify']);
    expect(second.tags).toEqual({ team: 'a' });
    expect(second.attributes.exportable).toBe(true);
    const expected = addDuration(before, parseDuration('P90D', 'x'));
    expect(second.attributes.exp! - expected).toBeGreaterThanOrEqual(0);
    expect(second.attributes.exp! - expected).toBeLessThan(5);
    // The old version stays, usable; the history has both.
    expect(t.vault.keys.listVersions('r').map((i) => i.kid)).toEqual([first.key.kid, second.key.kid]);
    const sig = await t.vault.keys.sign('r', first.key.kid.split('/').pop(), { algorithm: 'PS256', data: Buffer.from('x') });
    expect(sig.kid).toBe(first.key.kid);
    // EC and oct keep their curve and size.
    await t.vault.keys.create({ name: 'e', kty: 'EC', crv: 'P-521' });
    expect((await t.vault.keys.rotate('e')).key.crv).toBe('P-521');
    await t.vault.keys.create({ name: 'o', kty: 'oct', size: 192 });
    const o = await t.vault.keys.rotate('o');
    expect(o.attributes.exp).toBeUndefined();
    expect((await t.vault.keys.encrypt('o', undefined, { algorithm: 'A192GCM', value: Buffer.from('x') })).kid).toBe(o.key.kid);
    t.vault.close();
  });

  it('rotateDue rotates each live key whose Rotate action is due at `now`, reports failures and keeps the current version', async () => {
    const t = await createTestVault();
    const k = t.vault.keys;
    const a = await k.create({ name: 'after', kty: 'EC' });
    await k.updateRotationPolicy('after', rotate({ timeAfterCreate: 'P30D' }));
    const created = a.attributes.created;
    const b = await k.create({ name: 'before', kty: 'OKP', exp: created + 100 * DAY });
    await k.updateRotationPolicy('before', rotate({ timeBeforeExpiry: 'P10D' }, 'P60D'));
    await k.create({ name: 'none', kty: 'EC' });
    const gone = await k.create({ name: 'gone', kty: 'EC' });
    await k.updateRotationPolicy('gone', rotate({ timeAfterCreate: 'P7D' }));
    await k.delete('gone');

    expect(await k.rotateDue(created + 29 * DAY)).toEqual({ rotated: [], failed: [] });
    const at30 = await k.rotateDue(created + 30 * DAY + 1);
    expect(at30.rotated.map((r) => r.name)).toEqual(['after']);
    expect(at30.failed).toEqual([]);
    expect(at30.rotated[0]!.kid).toBe((await k.get('after')).key.kid);
    // The new version was created now: nothing is due now.
    expect(await k.rotateDue()).toEqual({ rotated: [], failed: [] });

    // 'before' is due 10 days before its exp; its new version gets exp = now + P60D.
    const late = created + 95 * DAY;
    const rotations = await k.rotateDue(late);
    expect(rotations.rotated.map((r) => r.name).sort()).toEqual(['after', 'before']);
    const newest = await k.get('before');
    expect(newest.key.kid).not.toBe(b.key.kid);
    expect(newest.attributes.exp! - newest.attributes.created).toBeGreaterThanOrEqual(59 * DAY);

    // A rotation that fails is reported; the others go on, and the failed key keeps its version.
    const keys = k as unknown as { rotate(name: string): Promise<unknown> };
    const real = keys.rotate.bind(k);
    const current = (await k.get('after')).key.kid;
    keys.rotate = async (name: string) => {
      if (name === 'after') throw new CofferError('Conflict', 'The vault file keeps changing underneath; try again.');
      return real(name);
    };
    const far = created + 400 * DAY;
    const withFailure = await k.rotateDue(far);
    expect(withFailure.failed).toEqual([{ name: 'after', code: 'Conflict', message: 'The vault file keeps changing underneath; try again.' }]);
    expect(withFailure.rotated.map((r) => r.name)).toEqual(['before']);
    expect((await k.get('after')).key.kid).toBe(current);
    keys.rotate = real;
    expect((await k.rotateDue(far)).rotated.map((r) => r.name)).toEqual(['after', 'before']);
    // The deleted key was never rotated.
    expect(k.getDeleted('gone').key.kid).toBe(gone.key.kid);
    t.vault.close();
  });
});
