import { describe, expect, it } from 'vitest';
import { CofferError } from '../../../../electron/vault/errors.js';
import {
  deletedSecretRecoveryId,
  renderValue,
  secretId,
  toDeletedSecretBundle,
  toDeletedSecretItem,
  toSecretBundle,
  toSecretItem,
} from '../../../../electron/vault/secrets/bundles.js';
import type { SecretVersionState } from '../../../../electron/vault/secrets/model.js';
import { SPEC, type SpecType, fromFile, loadSpecFile } from './spec.js';

const VAULT = '0123456789abcdef0123456789abcdef';
const VERSION = 'b3b6937782b840989d248ce90f71c709';

const minimal: SecretVersionState = {
  name: 'Db-Password',
  version: VERSION,
  enabled: true,
  created: 1_700_000_000,
  updated: 1_700_000_100,
  encoding: 'utf8',
};
const full: SecretVersionState = {
  ...minimal,
  contentType: 'text/plain',
  tags: { env: 'prod', 'env-name': 'DB_PASSWORD' },
  enabled: false,
  nbf: 1_600_000_000,
  exp: 1_800_000_000,
};

/** Asserts every key of `obj` is a property of the spec definition, with the spec's JSON type. */
function expectConforms(obj: object, props: Record<string, SpecType>): void {
  for (const [key, value] of Object.entries(obj)) {
    expect(props, `unexpected key ${key}`).toHaveProperty(key);
    const type = props[key];
    if (type === 'SecretAttributes') expectConforms(value as object, SPEC.SecretAttributes.properties);
    else if (type === 'DeletionRecoveryLevel') expect(SPEC.DeletionRecoveryLevel.enum).toContain(value);
    else if (type === 'integer') expect(Number.isSafeInteger(value)).toBe(true);
    else if (type === 'object') {
      expect(typeof value).toBe('object');
      for (const v of Object.values(value as object)) expect(typeof v).toBe('string'); // additionalProperties: string
    } else expect(typeof value).toBe(type);
  }
}

describe('spec copy', () => {
  const file = loadSpecFile();
  it.skipIf(file === null)('matches ../shared/specs/keyvault/secrets.json', () => {
    if (file === null) return;
    for (const name of [
      'SecretAttributes',
      'SecretBundle',
      'SecretItem',
      'DeletedSecretBundle',
      'DeletedSecretItem',
    ] as const) {
      expect(fromFile(file.definitions, name)).toEqual(SPEC[name].properties);
    }
    expect(file.definitions.DeletionRecoveryLevel?.enum).toEqual(SPEC.DeletionRecoveryLevel.enum);
  });
});

describe('ids', () => {
  it('secretId with and without version', () => {
    expect(secretId(VAULT, 'Db-Password', VERSION)).toBe(`coffer://${VAULT}/secrets/Db-Password/${VERSION}`);
    expect(secretId(VAULT, 'Db-Password')).toBe(`coffer://${VAULT}/secrets/Db-Password`);
  });

  it('recovery id', () => {
    expect(deletedSecretRecoveryId(VAULT, 'Db-Password')).toBe(`coffer://${VAULT}/deletedsecrets/Db-Password`);
  });

  it('refuses a vault id that is not 32 lowercase hex', () => {
    for (const bad of ['', VAULT.toUpperCase(), `${VAULT}0`, VAULT.slice(1)]) {
      const e = (() => {
        try {
          secretId(bad, 'a');
        } catch (err) {
          return err;
        }
        return null;
      })();
      expect(e).toBeInstanceOf(CofferError);
      expect((e as CofferError).code).toBe('Internal');
      expect(() => deletedSecretRecoveryId(bad, 'a')).toThrow(CofferError);
    }
  });
});

describe('renderValue', () => {
  it('shows utf8 values as text, keeping a BOM', () => {
    expect(renderValue(new TextEncoder().encode('pässwörd 🔑'), 'utf8')).toBe('pässwörd 🔑');
    expect(renderValue(Uint8Array.from([0xef, 0xbb, 0xbf, 0x61]), 'utf8')).toBe('\ufeffa');
    expect(renderValue(new Uint8Array(0), 'utf8')).toBe('');
  });

  it('shows binary values as standard padded base64', () => {
    expect(renderValue(Uint8Array.from([0xfb, 0xff]), 'binary')).toBe('+/8=');
    expect(renderValue(Uint8Array.from([0xff]), 'binary')).toBe('/w==');
    expect(renderValue(new Uint8Array(0), 'binary')).toBe('');
  });

  it('reports a utf8 value that is not UTF-8 as an internal error', () => {
    let error: unknown;
    try {
      renderValue(Uint8Array.from([0xff]), 'utf8');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CofferError);
    expect((error as CofferError).code).toBe('Internal');
  });

  it('renders only the view of a larger buffer', () => {
    const big = Uint8Array.from([1, 2, 0xff, 0xfe, 3]);
    expect(renderValue(big.subarray(2, 4), 'binary')).toBe(Buffer.from([0xff, 0xfe]).toString('base64'));
    const text = new TextEncoder().encode('xxabcxx');
    expect(renderValue(text.subarray(2, 5), 'utf8')).toBe('abc');
  });
});

describe('toSecretBundle', () => {
  it('builds the full shape in Key Vault key order', () => {
    const b = toSecretBundle(VAULT, full, 90, 's3cret');
    expect(b).toEqual({
      value: 's3cret',
      contentType: 'text/plain',
      id: `coffer://${VAULT}/secrets/Db-Password/${VERSION}`,
      attributes: {
        enabled: false,
        nbf: 1_600_000_000,
        exp: 1_800_000_000,
        created: 1_700_000_000,
        updated: 1_700_000_100,
        recoveryLevel: 'Recoverable+Purgeable',
        recoverableDays: 90,
      },
      tags: { env: 'prod', 'env-name': 'DB_PASSWORD' },
    });
    expect(Object.keys(b)).toEqual(['value', 'contentType', 'id', 'attributes', 'tags']);
    expect(Object.keys(b.attributes)).toEqual([
      'enabled',
      'nbf',
      'exp',
      'created',
      'updated',
      'recoveryLevel',
      'recoverableDays',
    ]);
    expectConforms(b, SPEC.SecretBundle.properties);
  });

  it('omits unset optional fields and the value when not given', () => {
    const b = toSecretBundle(VAULT, minimal, 7);
    expect(JSON.stringify(b)).toBe(
      `{"id":"coffer://${VAULT}/secrets/Db-Password/${VERSION}","attributes":{"enabled":true,` +
        '"created":1700000000,"updated":1700000100,"recoveryLevel":"CustomizedRecoverable+Purgeable","recoverableDays":7}}',
    );
    expectConforms(b, SPEC.SecretBundle.properties);
  });

  it('keeps an empty value and empty tags', () => {
    const b = toSecretBundle(VAULT, { ...minimal, tags: {} }, 90, '');
    expect(b.value).toBe('');
    expect(b.tags).toEqual({});
    expect(Object.keys(b)).toEqual(['value', 'id', 'attributes', 'tags']);
  });

  it('does not share the tag object with the state', () => {
    const state: SecretVersionState = { ...full, tags: { a: '1' } };
    const b = toSecretBundle(VAULT, state, 90);
    (b.tags as Record<string, string>).a = 'changed';
    expect(state.tags).toEqual({ a: '1' });
  });

  it('refuses an invalid retention', () => {
    expect(() => toSecretBundle(VAULT, minimal, 6)).toThrow(CofferError);
  });
});

describe('toSecretItem', () => {
  it('uses the base id for list and the full id for list-versions', () => {
    const listed = toSecretItem(VAULT, full, 90, { versionless: true });
    expect(listed.id).toBe(`coffer://${VAULT}/secrets/Db-Password`);
    const version = toSecretItem(VAULT, full, 90, { versionless: false });
    expect(version.id).toBe(`coffer://${VAULT}/secrets/Db-Password/${VERSION}`);
  });

  it('has no value and follows Key Vault key order', () => {
    const item = toSecretItem(VAULT, full, 30, { versionless: true });
    expect(Object.keys(item)).toEqual(['contentType', 'id', 'attributes', 'tags']);
    expect(item).not.toHaveProperty('value');
    expect(item.attributes).toEqual({
      enabled: false,
      nbf: 1_600_000_000,
      exp: 1_800_000_000,
      created: 1_700_000_000,
      updated: 1_700_000_100,
      recoveryLevel: 'CustomizedRecoverable+Purgeable',
      recoverableDays: 30,
    });
    expectConforms(item, SPEC.SecretItem.properties);
    const bare = toSecretItem(VAULT, minimal, 90, { versionless: false });
    expect(Object.keys(bare)).toEqual(['id', 'attributes']);
    expectConforms(bare, SPEC.SecretItem.properties);
  });
});

describe('deleted secrets', () => {
  const deletedDate = 1_613_504_368;

  it('bundle: recoveryId, dates, the latest version id, no value', () => {
    const b = toDeletedSecretBundle(VAULT, full, 90, deletedDate);
    expect(Object.keys(b)).toEqual([
      'recoveryId',
      'deletedDate',
      'scheduledPurgeDate',
      'contentType',
      'id',
      'attributes',
      'tags',
    ]);
    expect(b.recoveryId).toBe(`coffer://${VAULT}/deletedsecrets/Db-Password`);
    expect(b.id).toBe(`coffer://${VAULT}/secrets/Db-Password/${VERSION}`);
    expect(b.deletedDate).toBe(deletedDate);
    expect(b.scheduledPurgeDate - b.deletedDate).toBe(7_776_000); // 90 days, as in Key Vault's example
    expect(b).not.toHaveProperty('value');
    expectConforms(b, SPEC.DeletedSecretBundle.properties);
  });

  it('item: base id; purge date after the vault retention', () => {
    const item = toDeletedSecretItem(VAULT, minimal, 7, deletedDate);
    // Shape of a recorded GET /deletedsecrets item of a 7-day vault.
    expect(JSON.stringify(item)).toBe(
      `{"recoveryId":"coffer://${VAULT}/deletedsecrets/Db-Password","deletedDate":1613504368,` +
        `"scheduledPurgeDate":1614109168,"id":"coffer://${VAULT}/secrets/Db-Password",` +
        '"attributes":{"enabled":true,"created":1700000000,"updated":1700000100,' +
        '"recoveryLevel":"CustomizedRecoverable+Purgeable","recoverableDays":7}}',
    );
    expectConforms(item, SPEC.DeletedSecretItem.properties);
    const withTags = toDeletedSecretItem(VAULT, full, 45, deletedDate);
    expect(withTags.scheduledPurgeDate).toBe(deletedDate + 45 * 86_400);
    expectConforms(withTags, SPEC.DeletedSecretItem.properties);
  });

  it('every shape only uses keys of its spec definition', () => {
    const shapes: [object, Record<string, SpecType>][] = [];
    for (const v of [minimal, full]) {
      for (const days of [7, 90]) {
        shapes.push([toSecretBundle(VAULT, v, days, 'x'), SPEC.SecretBundle.properties]);
        shapes.push([toSecretItem(VAULT, v, days, { versionless: true }), SPEC.SecretItem.properties]);
        shapes.push([toSecretItem(VAULT, v, days, { versionless: false }), SPEC.SecretItem.properties]);
        shapes.push([toDeletedSecretBundle(VAULT, v, days, 1), SPEC.DeletedSecretBundle.properties]);
        shapes.push([toDeletedSecretItem(VAULT, v, days, 1), SPEC.DeletedSecretItem.properties]);
      }
    }
    for (const [shape, props] of shapes) expectConforms(shape, props);
  });
});
