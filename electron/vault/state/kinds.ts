/**
 * The table of object kinds. Each kind is one folder (records, state,
 * permissions, operations, bundles) and one line here; body validation
 * (format/records.ts), authorization (access/authorize.ts) and the fold
 * (state/fold.ts) find record types through this table only, and the history
 * (state/history.ts) each kind's describer.
 */
import { secretsKind } from '../secrets/kind.js';
import { keysKind } from '../keys/kind.js';
import { casKind, certificatesKind } from '../certificates/kind.js';
import type { ObjectKind, RecordType } from './object-kind.js';
import type { DescribeRecord } from './record-change.js';
import { describeSecretRecord } from '../secrets/records.js';
import { describeKeyRecord } from '../keys/records.js';
import { describeCaRecord, describeCertificateRecord } from '../certificates/records.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const OBJECT_KINDS: readonly ObjectKind<any>[] = [secretsKind, keysKind, certificatesKind, casKind];

/** Every kind's record types by `t`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const KIND_RECORDS: ReadonlyMap<string, { kind: ObjectKind<any>; type: RecordType<any, any> }> = new Map(
  OBJECT_KINDS.flatMap((kind) => Object.entries(kind.records).map(([t, type]) => [t, { kind, type }] as const)),
);

/** How the history names each kind's records, by collection: one describer per kind, beside its record schemas. */
const DESCRIBERS: Readonly<Record<string, DescribeRecord>> = {
  secrets: describeSecretRecord,
  keys: describeKeyRecord,
  certificates: describeCertificateRecord,
  cas: describeCaRecord,
};

/** Every kind's record types by `t`, with the kind's describer. */
export const KIND_DESCRIBERS: ReadonlyMap<string, DescribeRecord> = new Map(
  [...KIND_RECORDS].flatMap(([t, { kind }]) => (Object.hasOwn(DESCRIBERS, kind.collection) ? [[t, DESCRIBERS[kind.collection]!] as const] : [])),
);
