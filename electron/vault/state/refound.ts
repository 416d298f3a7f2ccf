/**
 * Re-founding (VAULT-MODEL C5): "a team that cannot reach its creator re-founds
 * the vault (one command copies every object into a new vault)". The objects go
 * from the open vault to a new one, in memory, through the engine's own backup
 * and restore of each kind (so every version keeps its id, attributes and
 * times, a key its rotation policy, a certificate its policy; a deleted object
 * is deleted again); the CAs, issuers and contacts, which have no backup, as
 * the records that hold them. The old file is only read. Then the members are
 * added again with their roles, junior to the new creator.
 */
import type { MemberInfo, RefoundResult } from '../api.js';
import { CofferError } from '../errors.js';
import type { ValueScope, VaultRecord } from '../format/records.js';
import { fromB64u, wipe } from '../crypto/index.js';
import { permits, type Permission } from '../access/roles.js';
import { casKind, certificatesKind } from '../certificates/kind.js';
import type { RevocationReason } from '../certificates/records.js';
import { keysKind } from '../keys/kind.js';
import { secretsKind } from '../secrets/kind.js';
import type { VaultSession } from '../session.js';
import { sealBackupEnvelope } from './backup-envelope.js';
import { newestAttrs, versionCount, type ObjectOf, type VersionedObjects, type VersionOf } from './versioned.js';

/** What re-founding reads: every object with its values, and the members (FORMAT.md §8.3: an Administrator holds them all). */
const NEEDED: readonly Permission[] = [
  'secrets/backup',
  'keys/backup',
  'keyrotationpolicies/read',
  'certificates/backup',
  'certificatecas/read',
  'certificatecontacts/read',
  'members/manage',
];

/** Forbidden, naming each permission the actor lacks, unless they may read and copy everything. */
export function checkMayRefound(source: VaultSession): void {
  const roles = source.core.myRoles();
  const missing = NEEDED.filter((p) => !permits(roles, p));
  if (missing.length > 0) {
    throw new CofferError(
      'Forbidden',
      `Re-founding copies every object and member, which only an Administrator can read: your roles do not allow ${missing.join(', ')}.`,
      { innerCode: 'ForbiddenByRbac' },
    );
  }
}

/** Live objects of a kind (the CAs: a deleted CA is purged), by name key (the order every list uses). */
function live<V>(state: VersionedObjects<V>): ObjectOf<V>[] {
  return [...state.objects.values()].filter((o) => !o.deleted).sort((a, b) => (a.key < b.key ? -1 : 1));
}

/**
 * Copies everything `source` holds into `target`, a new, empty vault whose creator is the
 * actor, and adds the members of `source` but those in `leaveOut` (signing keys, base64url).
 */
export async function copyVault(source: VaultSession, target: VaultSession, leaveOut: ReadonlySet<string>): Promise<RefoundResult> {
  const src = source.core;
  const secrets = src.state.of(secretsKind);
  const keys = src.state.of(keysKind);
  const certs = src.state.of(certificatesKind);
  const cas = src.state.of(casKind);
  const result: RefoundResult = {
    path: target.path,
    id: target.id,
    copied: { secrets: 0, secretVersions: 0, keys: 0, keyVersions: 0, certificates: 0, certificateVersions: 0, cas: 0, issuers: 0, contacts: 0 },
    members: [],
    deletedAgain: [],
    notCopied: { pendingCertificates: [...certs.pending.values()].map((p) => p.name).sort() },
  };

  // The CAs first (a certificate's policy may name one as its issuer), each parent before its children.
  const parentOf = (name: string): string | undefined => {
    const o = cas.get(name);
    return o && o.order.length > 0 ? newestAttrs(o).parent : undefined;
  };
  const depth = (name: string): number => {
    let d = 0;
    for (let at = parentOf(name); at !== undefined && d < 17; at = parentOf(at)) d++;
    return d;
  };
  for (const o of live(cas).sort((a, b) => depth(a.name) - depth(b.name))) {
    const records: VaultRecord[] = [];
    const values: Uint8Array[] = [];
    try {
      for (const id of o.order) {
        const v = o.versions.get(id)!;
        const { cer, enabled, parent, pathLength } = v.attrs;
        values.push(src.readKindValue(casKind, o, v, 'CA'));
        records.push({ t: 'ca', name: o.name, version: id, blob: 0, cer, enabled, ...(parent !== undefined ? { parent } : {}), ...(pathLength !== undefined ? { pathLength } : {}) });
      }
      for (const [serial, s] of cas.issued.get(o.key) ?? []) records.push({ t: 'ca.issue', name: o.name, serial, notAfter: s.notAfter, subject: s.subject });
      for (const [serial, r] of cas.revoked.get(o.key) ?? []) records.push({ t: 'ca.revoke', name: o.name, serial, reason: r.reason as RevocationReason, time: r.time });
      const crl = cas.crlNumber.get(o.key);
      if (crl !== undefined) records.push({ t: 'ca.crl', name: o.name, number: crl, time: Math.floor(Date.now() / 1000) });
      await writeRecords(target, records, values);
    } finally {
      wipe(...values);
    }
    result.copied.cas++;
  }

  // Issuers with their credential (an ACME account key), and the contacts.
  for (const i of [...certs.issuers.values()].sort((a, b) => (a.issuer.name < b.issuer.name ? -1 : 1))) {
    const values = i.key ? [src.readKindValue(certificatesKind, { name: i.issuer.name } as ObjectOf<never>, { ...i.key } as VersionOf<never>, 'issuer')] : [];
    try {
      await writeRecords(target, [{ ...i.issuer, ...(i.key ? { blob: 0, version: i.key.version } : {}) }], values);
    } finally {
      wipe(...values);
    }
    result.copied.issuers++;
  }
  if (certs.contacts && certs.contacts.contacts.length > 0) {
    await target.certificates.setContacts(certs.contacts.contacts);
    result.copied.contacts = certs.contacts.contacts.length;
  }

  // Secrets and keys (a certificate's own key and secret go with the certificate), then certificates,
  // each as its backup holds it. A deleted one is restored, and deleted again once the members
  // hold their roles on it (below): its deletion and purge dates start over in the new vault.
  const deleteAgain: (() => Promise<unknown>)[] = [];
  const copy = async <V>(
    state: VersionedObjects<V>,
    collection: 'secrets' | 'keys' | 'certificates',
    scope: ValueScope,
    data: (o: ObjectOf<V>) => unknown,
    to: { restore(blob: Uint8Array): Promise<unknown>; delete(name: string): Promise<unknown> },
    count: (o: ObjectOf<V>) => void,
  ): Promise<void> => {
    for (const o of [...state.objects.values()].filter((x) => !state.isManaged(x)).sort((a, b) => (a.key < b.key ? -1 : 1))) {
      await to.restore(sealBackupEnvelope(target.core, scope, data(o)));
      if (o.deleted) {
        deleteAgain.push(() => to.delete(o.name));
        result.deletedAgain.push(`${collection}/${o.name}`);
      }
      count(o);
    }
  };
  const { copied } = result;
  await copy(secrets, 'secrets', 'secrets', (o) => source.secrets.backupData(o), target.secrets, (o) => {
    copied.secrets++;
    copied.secretVersions += versionCount(o);
  });
  await copy(keys, 'keys', 'keys', (o) => source.keys.backupData(o), target.keys, (o) => {
    copied.keys++;
    copied.keyVersions += versionCount(o);
  });
  // A certificate's backup is sealed under `keys`, as BackupCertificate's (it holds the private key).
  await copy(certs, 'certificates', 'keys', (o) => source.certificates.backupData(o), target.certificates, (o) => {
    copied.certificates++;
    copied.certificateVersions += versionCount(o);
  });

  // The members, each with their roles and their roles on single objects, in the order they are
  // listed; the actor is the new creator.
  const me = src.myKey;
  for (const m of source.members.list()) {
    if (m.signPub === me || leaveOut.has(m.signPub)) continue;
    const added = await target.members.add({ signPub: fromB64u(m.signPub), encPub: fromB64u(m.encPub), name: m.name }, m.roles, m.grants);
    result.members.push(shown(added));
  }
  for (const d of deleteAgain) await d();
  result.leftOut = source.members
    .list()
    .filter((m) => leaveOut.has(m.signPub))
    .map(shown);
  source.auditBehind('VaultRefound', 'ok');
  return result;
}

const shown = (m: MemberInfo): RefoundResult['members'][number] => ({
  id: m.id,
  name: m.name,
  roles: m.roles,
  ...(m.grants.length > 0 ? { grants: m.grants.map(({ object, role }) => ({ object, role })) } : {}),
});

/** Records that hold their own values (CAs, issuers), written as they are: the target's creator may write them all. */
function writeRecords(target: VaultSession, records: VaultRecord[], values: Uint8Array[]): Promise<void> {
  return target.write(() => ({ pending: { records, values: values.map((v) => v.slice()) }, result: () => undefined }));
}
