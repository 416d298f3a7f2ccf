/**
 * What the operations of every kind whose objects have versions share: Key
 * Vault's soft delete (AKV-REFERENCE.md §4: delete, the deleted views, recover,
 * purge) and the attribute PATCH of a version. A kind's operations
 * (secrets/operations.ts, keys/operations.ts) extend KindOperations with its
 * words, errors and JSON shapes.
 */
import type { Permission } from '../access/roles.js';
import { audited } from '../audit/operation.js';
import type { VaultCore } from '../core.js';
import { managedByCertificate, type CofferError } from '../errors.js';
import type { VaultRecord } from '../format/records.js';
import { nameKey } from '../secrets/rules.js';
import type { VaultSession } from '../session.js';

/** Now in Unix seconds, the unit of every time in records and bundles (DECISIONS.md "Identifiers and JSON"). */
export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** What the shared steps need of an object. */
export interface KindObject {
  name: string;
  key: string;
  deleted?: { date: number } | undefined;
  order: readonly string[];
}

export interface KindSpec<O> {
  /** The word of its records and permissions: `secret` (`secret.delete`), with `secrets/delete`. */
  record: 'secret' | 'key' | 'certificate';
  collection: 'secrets' | 'keys' | 'certificates';
  /** The start of its audit names: `Secret` (`SecretDelete`). */
  audit: string;
  /** The permission that lists and shows deleted objects. */
  readPermission: Permission;
  objects(core: VaultCore): ReadonlyMap<string, O>;
  validateName(name: string): void;
  notFound(name: string): CofferError;
  deletedNotFound(name: string): CofferError;
  /** Said after a purge: the file no longer holds the values, but copies may. */
  purgeWarning: string;
  /** A certificate's own key or secret: only the certificate's operations change it, and deleted it is listed with the certificate only. */
  isManaged?(o: O): boolean;
  /** Records written in the same commit as a delete, recover or purge of `o` (a certificate's key and secret). */
  alongside?(o: O, verb: 'delete' | 'recover' | 'purge', core: VaultCore): VaultRecord[];
}

export abstract class KindOperations<O extends KindObject, Bundle, DeletedBundle, DeletedItem> {
  constructor(
    protected readonly v: VaultSession,
    private readonly spec: KindSpec<O>,
  ) {}

  /** The deleted view of `o` in `core`'s state. */
  protected abstract deletedBundle(o: O, core: VaultCore): DeletedBundle;
  protected abstract deletedItem(o: O): DeletedItem;
  /** The live view of the newest version of `o` in `core`'s state (after a recover). */
  protected abstract liveBundle(o: O, core: VaultCore): Bundle;

  protected get core(): VaultCore {
    return this.v.core;
  }
  protected get vid(): string {
    return this.v.id;
  }

  protected logged<T>(op: string, name: string | undefined, fn: () => Promise<T> | T, version?: () => string | undefined): Promise<T> {
    return audited(this.v, op, name, fn, version);
  }

  private find(name: string, core: VaultCore): O | undefined {
    this.spec.validateName(name);
    return this.spec.objects(core).get(nameKey(name));
  }

  protected live(name: string, core = this.core): O {
    const o = this.find(name, core);
    if (!o || o.deleted) throw this.spec.notFound(name);
    return o;
  }

  /** Refuses `op` on a certificate's own key or secret (Forbidden). */
  protected notManaged(o: O | undefined, op: string): void {
    if (o && this.spec.isManaged?.(o)) throw managedByCertificate(this.spec.record as 'key' | 'secret', o.name, op);
  }

  protected deletedObject(name: string, core = this.core): O {
    const o = this.find(name, core);
    if (!o?.deleted) throw this.spec.deletedNotFound(name);
    return o;
  }

  delete(name: string): Promise<DeletedBundle> {
    const { record, collection, audit } = this.spec;
    return this.logged(`${audit}Delete`, name, () => {
      this.v.require(`${collection}/delete` as Permission);
      return this.v.write((core) => {
        const o = this.live(name, core);
        this.notManaged(o, 'delete');
        return {
          pending: { records: [{ t: `${record}.delete`, name: o.name } as VaultRecord, ...(this.spec.alongside?.(o, 'delete', core) ?? [])] },
          result: (c) => this.deletedBundle(this.spec.objects(c).get(o.key)!, c),
        };
      });
    });
  }

  /** By name key, as the lists of live objects. */
  listDeleted(): DeletedItem[] {
    this.v.require(this.spec.readPermission);
    const deleted = [...this.spec.objects(this.core).values()].filter((o) => o.deleted && !this.spec.isManaged?.(o));
    deleted.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    this.v.auditBehind(`${this.spec.audit}ListDeleted`, 'ok');
    return deleted.map((o) => this.deletedItem(o));
  }

  getDeleted(name: string): DeletedBundle {
    this.v.require(this.spec.readPermission);
    const b = this.deletedBundle(this.deletedObject(name), this.core);
    this.v.auditBehind(`${this.spec.audit}GetDeleted`, 'ok', { object: name });
    return b;
  }

  recover(name: string): Promise<Bundle> {
    const { record, collection, audit } = this.spec;
    return this.logged(`${audit}Recover`, name, () => {
      this.v.require(`${collection}/recover` as Permission);
      return this.v.write((core) => {
        const o = this.deletedObject(name, core);
        this.notManaged(o, 'recover');
        return {
          pending: { records: [{ t: `${record}.recover`, name: o.name } as VaultRecord, ...(this.spec.alongside?.(o, 'recover', core) ?? [])] },
          result: (c) => this.liveBundle(this.spec.objects(c).get(o.key)!, c),
        };
      });
    });
  }

  purge(name: string): Promise<void> {
    const { record, collection, audit } = this.spec;
    return this.logged(`${audit}Purge`, name, async () => {
      this.v.require(`${collection}/purge` as Permission);
      await this.v.write((core) => {
        const o = this.deletedObject(name, core);
        this.notManaged(o, 'purge');
        return {
          pending: { records: [{ t: `${record}.purge`, name: o.name, versions: [...o.order] } as VaultRecord, ...(this.spec.alongside?.(o, 'purge', core) ?? [])] },
          result: () => undefined,
        };
      });
      // C10: the purged values' lines leave the file (a rewrite), so the vault no longer holds them.
      await this.v.compactPurged();
      this.v.warn(this.spec.purgeWarning);
    });
  }
}

/** A version attribute PATCH as Key Vault takes it: a field given sets it, `null` clears it, one left out stays. */
export interface AttributePatch {
  enabled?: boolean;
  nbf?: number | null;
  exp?: number | null;
  tags?: Record<string, string>;
}

/**
 * The `set` and `clear` of an update record (`secret.update`, `key.update`) from `patch`:
 * `enabled` and `tags` are set when given; each of `clearable` (nbf, exp, and the kind's
 * own such as contentType) is set, or cleared by `null`. The caller checks the values.
 */
export function attributeUpdate<P extends AttributePatch, K extends keyof P & string>(patch: P, clearable: readonly K[]): { set: Record<string, unknown>; clear: K[] } {
  const set: Record<string, unknown> = {};
  const clear: K[] = [];
  if (patch.enabled !== undefined) set.enabled = patch.enabled;
  for (const k of clearable) {
    const val = patch[k];
    if (val === null) clear.push(k);
    else if (val !== undefined) set[k] = val;
  }
  if (patch.tags !== undefined) set.tags = { ...patch.tags };
  return { set, clear };
}
