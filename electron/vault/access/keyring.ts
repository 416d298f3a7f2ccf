/**
 * Reaching keys (VAULT-MODEL C6, C7; FORMAT.md §6): the epochs of the graph,
 * the scope private keys this member can unwrap (directly, or by chaining from
 * a later epoch that wraps its predecessor), and the per-commit batch keys of
 * values. Every key is checked against what the signed commit published
 * (public key, key commitment) before it is used, and wiped on close.
 */
import { checkCommitment, equalBytes, fromB64u, wipe, x25519With, type X25519Agreement } from '../crypto/index.js';
import { CofferError, corrupted } from '../errors.js';
import type { CommitPayload, Stanza } from '../format/codec.js';
import { chainContext, commitKeyContext, memberWrapContext, SharedSecretCache, unwrapCommitKey, unwrapFirstStanza, unwrapStanza } from '../format/keys.js';
import type { ScopeKeysJson } from '../format/records.js';
import type { MemberIdentity } from './identity.js';
import type { Scope } from './roles.js';

export interface EpochInfo {
  id: string;
  commitId: string;
  prev: string[];
  metaPub: Uint8Array;
  metaWraps: Stanza[];
  metaChain: Stanza[];
  /** Transitive predecessors. */
  ancestors: Set<string>;
}

/** A scope key pair reached; `agree` is X25519 with it, its key object made once (commit keys unwrap through it). */
type KeyPair = { priv: Uint8Array; pub: Uint8Array; agree: X25519Agreement };

/**
 * Every index below `n` once: the hint first, then the one before it (a member removed in
 * the same commit, ahead in the order, shifts the rest by one), then all others in order.
 */
export function tryOrder(n: number, hint: number | undefined): number[] {
  if (hint === undefined || hint < 0 || hint >= n) return [...Array(n).keys()];
  const first = hint > 0 ? [hint, hint - 1] : [hint];
  return [...first, ...[...Array(n).keys()].filter((i) => !first.includes(i))];
}

export class Keyring {
  readonly epochs = new Map<string, EpochInfo>();
  /** Scope private keys this member reached, by `${epoch}/${scope}`. */
  private readonly scopeKeys = new Map<string, KeyPair | null>();
  private readonly batchKeys = new Map<string, Uint8Array>();
  /** X25519 with this member's own key, its key object made once per open (every epoch and scope tries it). */
  private agree: X25519Agreement | undefined;
  readonly shared = new SharedSecretCache();

  constructor(
    readonly vaultIdBytes: Uint8Array,
    readonly me: MemberIdentity,
    /** The `scopes` record of an epoch's commit (in its encrypted body), once readable. */
    private readonly scopeRecordOf: (info: EpochInfo, scope: Exclude<Scope, 'meta'>) => ScopeKeysJson | undefined,
    /**
     * Where this member's stanza most likely is among an epoch's wraps of a scope (the
     * writer wraps to the members in membership order, §6.5), if known: tried first, so a
     * vault of many members costs one X25519 per epoch and scope, not one per member.
     */
    private readonly wrapHint: (info: EpochInfo, scope: Scope) => number | undefined = () => undefined,
  ) {}

  registerEpoch(commitId: string, p: CommitPayload): void {
    if (!p.newEpoch) return;
    const ancestors = new Set<string>();
    for (const pr of p.newEpoch.prev) {
      ancestors.add(pr);
      for (const a of this.epochs.get(pr)?.ancestors ?? []) ancestors.add(a);
    }
    this.epochs.set(p.epoch, {
      id: p.epoch,
      commitId,
      prev: p.newEpoch.prev,
      metaPub: fromB64u(p.newEpoch.meta.pub),
      metaWraps: p.newEpoch.meta.wraps,
      metaChain: p.newEpoch.meta.chain,
      ancestors,
    });
  }

  /** The private key of `scope` in `epoch`, if this member can reach it. */
  scopeKey(epoch: string, scope: Scope, depth = 0): KeyPair | null {
    const k = `${epoch}/${scope}`;
    if (this.scopeKeys.has(k)) return this.scopeKeys.get(k)!;
    this.scopeKeys.set(k, null); // guards cycles
    const info = this.epochs.get(epoch);
    if (!info || depth > 10_000) return null;
    const pub = this.scopePub(epoch, scope);
    if (!pub) return null;
    const wraps = scope === 'meta' ? info.metaWraps : this.scopeRecordOf(info, scope)!.wraps;
    const ctx = memberWrapContext(this.vaultIdBytes, epoch, scope, this.me.encPub);
    this.agree ??= x25519With(this.me.encPriv);
    let priv = unwrapFirstStanza(this.agree, this.me.encPub, wraps, tryOrder(wraps.length, this.wrapHint(info, scope)), ctx);
    if (!priv) {
      // Chaining (C7): a later epoch that lists this one in `prev` wraps its key.
      for (const later of this.epochs.values()) {
        const i = later.prev.indexOf(epoch);
        if (i < 0) continue;
        const lk = this.scopeKey(later.id, scope, depth + 1);
        if (!lk) continue;
        const chain = scope === 'meta' ? later.metaChain : this.scopeRecordOf(later, scope)?.chain;
        const s = chain?.[i];
        if (!s) continue;
        priv = unwrapStanza(lk.priv, lk.pub, s, chainContext(this.vaultIdBytes, later.id, scope, epoch));
        if (priv) break;
      }
    }
    // An unwrapped private key must be the one the epoch published (a member could wrap another).
    const agree = priv ? x25519With(priv) : undefined;
    if (priv && !equalBytes(agree!.publicKey(), pub)) {
      wipe(priv);
      priv = null;
    }
    const result = priv ? { priv, pub, agree: agree! } : null;
    this.scopeKeys.set(k, result);
    return result;
  }

  scopePub(epoch: string, scope: Scope): Uint8Array | undefined {
    const info = this.epochs.get(epoch);
    if (!info) return undefined;
    if (scope === 'meta') return info.metaPub;
    const sk = this.scopeRecordOf(info, scope);
    return sk ? fromB64u(sk.pub) : undefined;
  }

  /**
   * The batch key that seals a commit's values in `scope` (C6), checked against
   * its commitment; cached for the open vault.
   */
  batchKey(commitId: string, p: CommitPayload, scope: Scope, batch: { key: Stanza; kc: string }): Uint8Array {
    const cacheKey = `${commitId}/${scope}`;
    const cached = this.batchKeys.get(cacheKey);
    if (cached) return cached;
    const sk = this.scopeKey(p.epoch, scope);
    if (!sk) throw new CofferError('Forbidden', `Your roles do not grant reading ${scope} values in this vault.`, { innerCode: 'ForbiddenByRbac' });
    const ctx = commitKeyContext(this.vaultIdBytes, p.epoch, scope, fromB64u(p.author), p.seq);
    const k = unwrapCommitKey(sk.priv, sk.pub, batch.key, ctx, this.shared, sk.agree);
    if (!k) throw corrupted(`commit ${commitId.slice(0, 12)}`, 'the value key does not unwrap');
    if (!checkCommitment(k, fromB64u(batch.kc))) {
      wipe(k);
      throw corrupted(`commit ${commitId.slice(0, 12)}`, 'the value key does not match its commitment');
    }
    this.batchKeys.set(cacheKey, k);
    return k;
  }

  /**
   * Takes over the scope keys `other` reached (the same vault and member: a core built again
   * after a reload, or after looking for a checkpoint); `other` keeps none. Keys are checked
   * against their published public keys when reached (step 5), so each stays valid for its epoch.
   */
  takeKeysFrom(other: Keyring): void {
    if (other === this || !equalBytes(other.vaultIdBytes, this.vaultIdBytes) || !equalBytes(other.me.encPub, this.me.encPub)) return;
    for (const [k, v] of other.scopeKeys) if (v && !this.scopeKeys.has(k)) this.scopeKeys.set(k, v);
    other.scopeKeys.clear();
  }

  wipe(): void {
    this.agree = undefined;
    for (const k of this.scopeKeys.values()) if (k) wipe(k.priv);
    this.scopeKeys.clear();
    for (const k of this.batchKeys.values()) wipe(k);
    this.batchKeys.clear();
    this.shared.wipe();
  }
}
