/**
 * Certificates folded from the accepted commits: versions (the X.509 and its
 * attributes), one policy and at most one pending operation per certificate,
 * the vault's issuers and contacts; and the CAs kept in the vault.
 */
import type { FoldAt } from '../state/object-kind.js';
import { VersionedObjects } from '../state/versioned.js';
import { nameKey } from '../secrets/rules.js';
import type { CertificatePolicy, CertificateRecord, CertificateVersionRecord } from './records.js';

export type CertificateAttributes = Omit<CertificateVersionRecord, 't' | 'name' | 'version' | 'created' | 'updated'> & { created: number; updated: number };
type Pending = Extract<CertificateRecord, { t: 'certificate.pending' }>;
type Issuer = Extract<CertificateRecord, { t: 'certificate.issuer' }>;
type Contacts = Extract<CertificateRecord, { t: 'certificate.contacts' }>['contacts'];

export class CertificatesState extends VersionedObjects<CertificateAttributes> {
  readonly policies = new Map<string, { policy: CertificatePolicy; updated: number }>();
  /** The pending operation by name key; `key` locates its CSR's private key (readKindValue) while it waits. */
  readonly pending = new Map<string, Pending & { created: number; key?: { version: string; commitId: string; epoch: string; blob: string } }>();
  /** Issuers by lowercased name; `key` locates the credential (readKindValue). */
  readonly issuers = new Map<string, { issuer: Issuer; key?: { version: string; commitId: string; epoch: string; blob: string }; created: number; updated: number }>();
  contacts: { contacts: Contacts; updated: number } | undefined;
  /** Revoked versions by name key, then version: the first revocation recorded stands. */
  readonly revoked = new Map<string, Map<string, { reason: string; time: number }>>();

  apply(r: CertificateRecord, at: FoldAt): void {
    switch (r.t) {
      case 'certificate': {
        const { t: _t, name, version, created, updated, ...attrs } = r;
        this.addVersion(name, version, { ...attrs, created: created ?? at.time, updated: updated ?? at.time }, at);
        return;
      }
      case 'certificate.update': {
        const v = this.update(r.name, r.version, r.set, [], at);
        if (v) v.attrs.updated = at.time;
        return;
      }
      case 'certificate.delete':
        return this.delete(r.name, at);
      case 'certificate.recover':
        return this.recover(r.name);
      case 'certificate.purge': {
        this.purge(r.name, r.versions);
        const revoked = this.revoked.get(nameKey(r.name));
        for (const v of r.versions) revoked?.delete(v);
        if (revoked?.size === 0) this.revoked.delete(nameKey(r.name));
        return;
      }
      case 'certificate.revoke': {
        const m = this.revoked.get(nameKey(r.name)) ?? new Map<string, { reason: string; time: number }>();
        if (!m.has(r.version)) m.set(r.version, { reason: r.reason, time: r.time });
        this.revoked.set(nameKey(r.name), m);
        return;
      }
      case 'certificate.policy':
        this.policies.set(nameKey(r.name), { policy: r.policy, updated: at.time });
        return;
      case 'certificate.pending': {
        const before = this.pending.get(nameKey(r.name));
        // A request's key is dropped with it (a compaction removes its line).
        if (before?.key && before.request_id !== r.request_id) this.purgedBlobs.add(before.key.blob);
        const key = r.blob !== undefined ? { version: r.version, commitId: at.commitId, epoch: at.epoch, blob: at.blobs[r.blob]! } : before?.request_id === r.request_id && r.status === 'inProgress' ? before.key : undefined;
        if (before?.key && !key) this.purgedBlobs.add(before.key.blob);
        this.pending.set(nameKey(r.name), { ...r, created: before?.request_id === r.request_id ? before.created : at.time, ...(key ? { key } : {}) });
        return;
      }
      case 'certificate.pending.delete': {
        const before = this.pending.get(nameKey(r.name));
        if (before?.key) this.purgedBlobs.add(before.key.blob);
        this.pending.delete(nameKey(r.name));
        return;
      }
      case 'certificate.issuer': {
        const before = this.issuers.get(r.name.toLowerCase());
        const key = r.blob !== undefined ? { version: r.version!, commitId: at.commitId, epoch: at.epoch, blob: at.blobs[r.blob]! } : undefined;
        if (before?.key && key) this.purgedBlobs.add(before.key.blob);
        this.issuers.set(r.name.toLowerCase(), { issuer: r, ...(key ? { key } : before?.key ? { key: before.key } : {}), created: before?.created ?? at.time, updated: at.time });
        return;
      }
      case 'certificate.issuer.delete': {
        const before = this.issuers.get(r.name.toLowerCase());
        if (before?.key) this.purgedBlobs.add(before.key.blob);
        this.issuers.delete(r.name.toLowerCase());
        return;
      }
      case 'certificate.contacts':
        this.contacts = { contacts: r.contacts, updated: at.time };
        return;
    }
  }
}

type CaRecord = Extract<CertificateRecord, { t: 'ca' | 'ca.issue' | 'ca.revoke' | 'ca.crl' | 'ca.delete' }>;
export interface CaAttributes {
  cer: string;
  enabled: boolean;
  parent?: string;
  pathLength?: number;
  created: number;
}

/** CAs kept in the vault: versions of each CA's certificate and key, serials issued, revocations, CRL numbers. */
export class CasState extends VersionedObjects<CaAttributes> {
  readonly issued = new Map<string, Map<string, { notAfter: number; subject: string; time: number }>>();
  readonly revoked = new Map<string, Map<string, { reason: string; time: number }>>();
  readonly crlNumber = new Map<string, number>();

  apply(r: CaRecord, at: FoldAt): void {
    const k = nameKey(r.name);
    switch (r.t) {
      case 'ca': {
        const { t: _t, name, version, blob, ...attrs } = r;
        this.addVersion(name, version, { ...attrs, created: at.time }, at, at.blobs[blob]);
        return;
      }
      case 'ca.issue': {
        const m = this.issued.get(k) ?? new Map();
        // A serial is issued once: a second record of it (a conflict of two copies) keeps the first.
        if (!m.has(r.serial)) m.set(r.serial, { notAfter: r.notAfter, subject: r.subject, time: at.time });
        this.issued.set(k, m);
        return;
      }
      case 'ca.revoke': {
        const m = this.revoked.get(k) ?? new Map();
        if (!m.has(r.serial)) m.set(r.serial, { reason: r.reason, time: r.time });
        this.revoked.set(k, m);
        return;
      }
      case 'ca.crl':
        this.crlNumber.set(k, Math.max(this.crlNumber.get(k) ?? 0, r.number));
        return;
      case 'ca.delete':
        this.purge(r.name, [...(this.get(r.name)?.order ?? [])]);
        return;
    }
  }
}
