/**
 * V1 — confidentiality at rest. Without a member identity or the passphrase,
 * the file reveals only what C9 lists: format version, vault id, commit ids
 * and links, author keys, sequence numbers, epoch ids, signatures, value
 * hashes and Padmé-padded lengths. Names, tags, content types, values,
 * members, roles, wrap recipients and key material are not in the clear, in
 * any common encoding.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLE_NAMES } from '../../../../shared/keyvault.js';
import { FORMAT_VERSION } from '../../../../electron/vault/format/codec.js';
import { openSlot } from '../../../../electron/vault/access/identity.js';
import type { SlotJson } from '../../../../electron/vault/format/codec.js';
import { padmeLength } from '../../../../electron/vault/crypto/index.js';
import {
  addMembers,
  createTestVault,
  enc,
  findCanaries,
  newMember,
  openAsMember,
  parseVaultLines,
  removeTempDirs,
  type TestVault,
  type VaultLines,
} from '../../../helpers/vault.js';

const OVERHEAD = 24 + 16; // XChaCha20-Poly1305 nonce + tag

const CANARY = {
  names: ['v1CanaryNameOrchid73', 'v1CanaryNameBasalt41', 'v1CanaryNameImported58', 'v1CanaryNameDeleted29', 'v1CanaryNameOfficer64', 'v1CanaryPadA', 'v1CanaryPadB'],
  tagKeys: ['v1canaryTagKeyQuartz', 'v1canaryTagKeyUpdated'],
  tagValues: ['v1canary-tag-value-Fennel', 'v1canary-tag-value-Updated-Ibex'],
  contentTypes: ['application/x-v1canary-ctype-Walrus', 'text/x-v1canary-updated-Lynx'],
  values: [
    'v1canary-secret-value-Marmot-2718',
    'v1canary-secret-value-Ptarmigan-3141',
    'v1canary-secret-value-imported-Okapi-1618',
    'v1canary-secret-value-deleted-Quokka-1414',
    'v1canary-secret-value-officer-Axolotl-1732',
    'v1canary-secret-value-second-version-Narwhal-2236',
  ],
  members: ['v1canary-owner-Grendel', 'v1canary-member-Ophelia', 'v1canary-member-Tiberius', 'v1canary-member-Cassandra', 'v1canary-member-Removed-Yorick'],
  passphrase: 'v1canary-passphrase-Mistral-Zephyr',
};

afterAll(removeTempDirs);

describe('V1: confidentiality at rest', () => {
  let t: TestVault;
  let bytes: Buffer;
  let file: VaultLines;
  const ophelia = newMember(CANARY.members[1]!);
  const tiberius = newMember(CANARY.members[2]!);
  const cassandra = newMember(CANARY.members[3]!);
  const yorick = newMember(CANARY.members[4]!);
  const padValues = ['v1canary-pad-' + 'a'.repeat(1000 - 13), 'v1canary-pad-' + 'b'.repeat(1010 - 13)];

  beforeAll(async () => {
    t = await createTestVault({ passphrase: CANARY.passphrase, displayName: CANARY.members[0], retentionDays: 37 });
    const v = t.vault;
    const [n1, n2, n3, n4, n5, nPadA, nPadB] = CANARY.names as [string, string, string, string, string, string, string];
    await v.secrets.set({ name: n1, value: enc(CANARY.values[0]!), contentType: CANARY.contentTypes[0], tags: { [CANARY.tagKeys[0]!]: CANARY.tagValues[0]! } });
    await v.secrets.set({ name: n2, value: enc(CANARY.values[1]!) });
    await v.secrets.import([{ name: n3, value: enc(CANARY.values[2]!), tags: { [CANARY.tagKeys[0]!]: CANARY.tagValues[0]! } }]);
    await v.secrets.set({ name: n4, value: enc(CANARY.values[3]!) });
    await v.secrets.delete(n4);
    await v.secrets.update(n1, undefined, { contentType: CANARY.contentTypes[1], tags: { [CANARY.tagKeys[1]!]: CANARY.tagValues[1]! } });
    await v.secrets.set({ name: n2, value: enc(CANARY.values[5]!) });
    await v.secrets.set({ name: nPadA, value: enc(padValues[0]!) });
    await v.secrets.set({ name: nPadB, value: enc(padValues[1]!) });
    await addMembers(v, [
      [ophelia, ['Key Vault Secrets Officer']],
      [tiberius, ['Key Vault Reader', 'Key Vault Crypto User']],
      [cassandra, ['Key Vault Certificates Officer']],
      [yorick, ['Key Vault Secrets User']],
    ]);
    await v.members.setRoles(tiberius.identity.signPub, ['Key Vault Data Access Administrator', 'Key Vault Certificate User']);
    await v.members.remove(yorick.identity.signPub);
    // A second author.
    const asOphelia = await openAsMember(t.path, ophelia);
    await asOphelia.secrets.set({ name: n5, value: enc(CANARY.values[4]!), tags: { [CANARY.tagKeys[1]!]: CANARY.tagValues[1]! } });
    asOphelia.close();
    await v.changePassphrase(enc(CANARY.passphrase + '-2'));
    await v.secrets.recover(n4);
    bytes = await readFile(t.path);
    file = parseVaultLines(bytes);
  });

  it('names, tags, content types, values, member names and the passphrase are not in the file, in any encoding', () => {
    const canaries = [...CANARY.names, ...CANARY.tagKeys, ...CANARY.tagValues, ...CANARY.contentTypes, ...CANARY.values, ...CANARY.members, CANARY.passphrase, 'v1canary-pad-'];
    expect(findCanaries(bytes, canaries)).toEqual([]);
    // Controls: the search does see things that are there.
    expect(findCanaries(`x${Buffer.from(CANARY.values[0]!).toString('base64url')}`, [CANARY.values[0]!])).toHaveLength(1);
    expect(findCanaries(`xy${Buffer.from(`zz${CANARY.names[0]}`).toString('base64')}`, [CANARY.names[0]!])).toHaveLength(1);
    expect(findCanaries(Buffer.from(CANARY.members[0]!).toString('hex'), [CANARY.members[0]!])).toHaveLength(1);
  });

  it('roles and record kinds are not in the file', () => {
    expect(findCanaries(bytes, [...ROLE_NAMES, 'Administrator', 'Secrets Officer', 'Secrets User'])).toEqual([]);
    const text = bytes.toString('latin1');
    for (const word of ['"records"', '"roles"', '"name"', '"tags"', '"hlc"', '"retentionDays"', '"member"', '"remove"', '"scopes"', 'secret.delete', '"contentType"', '"enabled"']) {
      expect(text.includes(word), word).toBe(false);
    }
  });

  it('members are not listed: no encryption key of any member, and no signing key of a member who never wrote', () => {
    const everyone = [ophelia, tiberius, cassandra, yorick];
    expect(findCanaries(bytes, everyone.map((m) => m.identity.encPub))).toEqual([]);
    expect(findCanaries(bytes, [tiberius, cassandra, yorick].map((m) => m.identity.signPub))).toEqual([]);
    // The owner's own keys: the signing key is in the clear (author), the encryption key is not.
    const authors = new Set(file.commits.map((c) => String(c.payload.author)));
    expect(authors.size).toBe(2);
    expect(authors.has(Buffer.from(ophelia.identity.signPub).toString('base64url'))).toBe(true);
  });

  it('no private key material is in the clear (identities, in any encoding)', async () => {
    const slotCommit = [...file.commits].reverse().find((c) => Array.isArray(c.payload.slots))!;
    const slot = (slotCommit.payload.slots as SlotJson[])[0]!;
    const owner = await openSlot(slot, enc(CANARY.passphrase + '-2'), Buffer.from(file.vaultId, 'hex'));
    const secrets = [owner.signSeed, owner.encPriv, owner.encPub, ...[ophelia, tiberius, cassandra, yorick].flatMap((m) => [m.identity.signSeed, m.identity.encPriv])];
    expect(findCanaries(bytes, secrets)).toEqual([]);
  });

  it('what is in the clear is exactly C9: header, commit ids and parents, authors, sequence, epochs, stanzas, hashes, padded sizes', () => {
    expect(file.header).toBe(`coffer-vault/2 ${file.vaultId}`);
    const [genesis, ...commits] = file.commits;
    // Genesis: vault id = its hash (C4); fields: version, nonce, author, seq 0, no parents.
    expect(genesis!.id).toBe(file.vaultId);
    expect(Object.keys(genesis!.payload).sort()).toEqual(['author', 'genesis', 'parents', 'seq', 'v']);
    expect(genesis!.payload.seq).toBe(0);
    expect(genesis!.payload.parents).toEqual([]);

    const B64U = /^[A-Za-z0-9_-]+$/;
    const HEX32 = /^[0-9a-f]{32}$/;
    const HEX64 = /^[0-9a-f]{64}$/;
    const authors = new Set([String(genesis!.payload.author), Buffer.from(ophelia.identity.signPub).toString('base64url')]);
    const seen = new Set([genesis!.id]);
    const epochs = new Set<string>();
    const blobHashes = new Map(file.blobs.map((b) => [b.hash, b]));
    const stanza = (s: unknown): void => {
      expect(Object.keys(s as object).sort()).toEqual(['ct', 'epk']);
      const { epk, ct } = s as { epk: string; ct: string };
      expect(Buffer.from(epk, 'base64url')).toHaveLength(32);
      expect(ct).toMatch(B64U);
    };
    let pendingBlobs: string[] = [];
    for (const l of file.lines) {
      if (l.kind === 'blob') {
        pendingBlobs.push(l.hash);
        // A value's length is only its Padmé bucket.
        expect(padmeLength(l.bytes.length - OVERHEAD), `blob line ${l.lineNo}`).toBe(l.bytes.length - OVERHEAD);
        continue;
      }
      if (l === genesis) continue;
      const p = l.payload;
      const allowed = ['v', 'vault', 'author', 'seq', 'parents', 'epoch', 'newEpoch', 'slots', 'key', 'kc', 'body', 'blobs'];
      for (const k of Object.keys(p)) expect(allowed, `field ${k} of commit line ${l.lineNo}`).toContain(k);
      expect(p.v).toBe(FORMAT_VERSION);
      expect(p.vault).toBe(file.vaultId);
      expect(authors.has(String(p.author)), `author of line ${l.lineNo}`).toBe(true);
      expect(Number.isSafeInteger(p.seq) && (p.seq as number) >= 1).toBe(true);
      for (const parent of p.parents as string[]) expect(seen.has(parent), `parent of line ${l.lineNo}`).toBe(true);
      expect(p.epoch).toMatch(HEX32);
      if (p.newEpoch) {
        const ne = p.newEpoch as Record<string, unknown>;
        expect(Object.keys(ne).sort()).toEqual(['id', 'meta', 'prev']);
        expect(ne.id).toBe(p.epoch);
        for (const prev of ne.prev as string[]) expect(epochs.has(prev)).toBe(true);
        const meta = ne.meta as Record<string, unknown>;
        expect(Object.keys(meta).sort()).toEqual(['chain', 'pub', 'wraps']);
        expect(Buffer.from(String(meta.pub), 'base64url')).toHaveLength(32);
        (meta.wraps as unknown[]).forEach(stanza);
        (meta.chain as unknown[]).forEach(stanza);
        epochs.add(String(p.epoch));
      } else {
        expect(epochs.has(String(p.epoch)), `epoch of line ${l.lineNo}`).toBe(true);
      }
      for (const s of (p.slots as Record<string, unknown>[] | undefined) ?? []) {
        expect(Object.keys(s).sort()).toEqual(['ct', 'id', 'kdf', 'salt']);
        expect(Object.keys(s.kdf as object).sort()).toEqual(['m', 'p', 't']);
      }
      stanza(p.key);
      expect(Buffer.from(String(p.kc), 'base64url')).toHaveLength(32);
      const body = Buffer.from(String(p.body), 'base64url');
      expect(padmeLength(body.length - OVERHEAD), `body size of line ${l.lineNo}`).toBe(body.length - OVERHEAD);
      // Value hashes: each names a blob line written just before this commit.
      const blobs = (p.blobs as string[] | undefined) ?? [];
      for (const h of blobs) {
        expect(h).toMatch(HEX64);
        expect(blobHashes.has(h)).toBe(true);
      }
      expect([...pendingBlobs].sort()).toEqual([...blobs].sort());
      pendingBlobs = [];
      // Every clear string is an id, a hash or base64url; every number is a version, a sequence or a KDF parameter.
      const walk = (x: unknown, path: string): void => {
        if (typeof x === 'string') expect(HEX32.test(x) || HEX64.test(x) || B64U.test(x), `${path} of line ${l.lineNo}`).toBe(true);
        else if (typeof x === 'number') expect(/^(v|seq|slots\.\d+\.kdf\.[mtp])$/.test(path), `${path} of line ${l.lineNo}`).toBe(true);
        else if (Array.isArray(x)) x.forEach((y, i) => walk(y, `${path}.${i}`));
        else if (x && typeof x === 'object') for (const [k, y] of Object.entries(x)) walk(y, path ? `${path}.${k}` : k);
      };
      walk(p, '');
      seen.add(l.id);
    }
    // One epoch per membership change: creation, 4 adds, a role change, a removal.
    expect(epochs.size).toBe(7);
    expect(commits.length).toBeGreaterThan(10);
  });

  it('lengths are padded: two values of 1000 and 1010 bytes have blobs of the same size', () => {
    const sizes = file.blobs.map((b) => b.bytes.length);
    const sameBucket = sizes.filter((s) => s === padmeLength(1001) + OVERHEAD);
    expect(padmeLength(1001)).toBe(padmeLength(1011));
    expect(sameBucket.length).toBe(2);
  });
});
