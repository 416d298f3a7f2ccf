/**
 * The shape every object kind (secrets, keys, certificates) registers in the
 * table of state/kinds.ts: its record types (schema, the permission their
 * author needs, how they fold into state), its permissions per role and its
 * state. The fold, the authorization code and the body validation look record
 * types up in that table, so adding a kind edits no switch elsewhere.
 */
import type { RoleName } from '../../../shared/keyvault.js';
import type { Hlc } from '../format/records.js';
import type { Fields } from '../format/schema.js';

/** Where a record stands when it is folded. */
export interface FoldAt {
  commitId: string;
  /** The epoch the commit was written under (its values are sealed under it). */
  epoch: string;
  /** The commit's clear list of value-blob hashes (records refer to them by index). */
  blobs: readonly string[];
  hlc: Hlc;
  /** The commit's time, Unix seconds. */
  time: number;
}

export interface RecordType<S, R = never> {
  /** Checks the record's fields (throws via format/schema.ts bad()); `blobCount` bounds value indexes. */
  validate(v: Fields, what: string, ctx: { blobCount: number }): void;
  /** The permission its author must hold at that point of the history (C5). */
  permission(r: R): string;
  /** The first format version whose commits may hold it (default 1). */
  since?: number;
  /** The record always writes one value blob (its `blob` index); such commits carry a batch key (C6). */
  writesValue?: boolean;
  /** For a record whose value blob is optional: its index, if it has one. */
  blobOf?(r: R): number | undefined;
  /** Folds it into the kind's state, in causal order. */
  apply(state: S, r: R, at: FoldAt): void;
}

export interface ObjectKind<S, P extends string = string> {
  /** Collection name in ids and the API (`coffer://<vault>/<collection>/<name>`). */
  collection: string;
  /** The scope whose key seals this kind's values (C6). */
  valueScope: 'secrets' | 'keys' | 'certificates' | 'ca';
  /** Every permission of the kind (Key Vault's data actions). */
  permissions: readonly P[];
  rolePermissions: Partial<Record<RoleName, readonly P[]>>;
  /** Record types by their `t`, each prefixed with the kind's own word (`secret.update`...). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  records: Record<string, RecordType<S, any>>;
  createState(): S;
  /**
   * A compact form of the state for the warm snapshot (cache/snapshot.ts), and back.
   * Without them the snapshot keeps the state's fields as they are (Maps and Sets included).
   */
  save?(state: S, refs: SnapshotRefs): unknown;
  restore?(saved: unknown, refs: SnapshotRefs): S;
  /**
   * For a kind whose objects have versions with value lines (secrets, keys): the word that
   * names one in messages, and the record that purges versions (repair purges the versions
   * whose value lines were lost).
   */
  versions?: {
    word: string;
    /** `managed`: the object is a certificate's key or secret (its state's isManaged), so the purge says so (secrets/records.ts managedFlag). */
    purge(name: string, versions: string[], managed?: boolean): { t: string; name: string; versions: string[] };
  };
  /** After a fold or an own write: end-of-retention and similar time rules. */
  settle?(state: S, vault: { retentionDays: number }, nowSeconds: number): void;
  /**
   * Roles Coffer grants on one object of this kind (Key Vault's object scope,
   * access/grants.ts): the reading roles, whose rights a wrapped data key carries,
   * and the collection whose values such a grant opens (a certificate's: its secret).
   */
  objectScope?: { roles: readonly RoleName[]; valueCollection: string };
}

/** A kind's record schemas, each folded by the kind's one reducer. */
export function withReducer<S, R>(schemas: Record<string, Omit<RecordType<S, R>, 'apply'>>, apply: (s: S, r: R, at: FoldAt) => void): Record<string, RecordType<S, R>> {
  return Object.fromEntries(Object.entries(schemas).map(([t, schema]) => [t, { ...schema, apply }]));
}

/** The index of the value blob a record writes, if any. */
export function recordBlob<R>(type: Pick<RecordType<unknown, R>, 'writesValue' | 'blobOf'>, r: R): number | undefined {
  if (type.blobOf) return type.blobOf(r);
  return type.writesValue ? (r as { blob: number }).blob : undefined;
}

/**
 * How a kind's compact form is stored: strings stored once (commit ids, epochs,
 * blob hashes) referred to by number, and parts deferred (kept apart and parsed
 * only when read: a warm snapshot's, and a checkpoint's since its content version 3;
 * a version-2 checkpoint keeps them inline).
 */
export interface SnapshotRefs {
  ref(s: string): number;
  str(n: number): string;
  /** Stores `value` (plain JSON) apart; returns what the compact form holds in its place. */
  defer(value: unknown): unknown;
  /** What defer() returned, as a function that reads the value back. */
  deferred<T>(saved: unknown): () => T;
  /** Deferred parts are kept inline (a version-2 checkpoint's). */
  readonly inline: boolean;
  /**
   * The parts come from a checkpoint, which nothing else checks: each kind checks their
   * shapes when it restores them, and deferred parts when it reads them.
   */
  readonly untrusted: boolean;
}
