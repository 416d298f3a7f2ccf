/**
 * Sync folders' conflicted copies of the open vault (VAULT-MODEL V6; FORMAT.md
 * §10.1): found beside it by each service's naming (merge/conflicted-copies.ts,
 * as `coffer vault merge --conflicts` finds them) and merged into it when the
 * user asks.
 *
 * The vault is open in this process while its file is rewritten. That is safe
 * as any other writer's change is: the engine's in-place merge holds the
 * vault's file lock (store/lock.ts) for its read-merge-replace, the session's
 * writes take the same lock and re-read a file that changed underneath before
 * they append (session.ts writeLocked), and Vault.refresh then takes the merged
 * commits in under that lock, so the app shows them without a relock. The
 * merge needs no keys: a vault locked meanwhile finds them at its next unlock.
 */
import { basename } from 'node:path';
import type { Channel, ConflictedCopyOutcome, ConflictedCopyView } from '../../../shared/contract.js';
import { loadConflictedCopies, type ConflictedCopy, type ConflictedCopyResult } from '../../vault/index.js';
import type { Handlers } from '../ipc/register.js';
import type { VaultSessionManager } from './session.js';

export type ConflictedCopyChannel = Extract<Channel, 'vault:conflictedCopies' | 'vault:mergeConflictedCopies'>;

export interface ConflictedCopyHandlerDeps {
  session: Pick<VaultSessionManager, 'current' | 'isOpen'>;
  /** Where the in-place merge keeps the vault's previous file (the profile's backups). */
  profileDir: string;
}

function copyView(copy: ConflictedCopy): ConflictedCopyView {
  const { path, service } = copy;
  return { path, name: basename(path), service, mergeable: copy.vault === 'same', reason: copy.vault === 'same' ? null : copy.message };
}

function outcomeView(r: ConflictedCopyResult): ConflictedCopyOutcome {
  const { file: path, service } = r;
  const name = basename(path);
  return r.result === 'merged'
    ? { path, name, service, merged: true, added: r.added, movedTo: basename(r.movedTo) }
    : { path, name, service, merged: false, code: r.code, reason: r.message };
}

export function conflictedCopyHandlers({ session, profileDir }: ConflictedCopyHandlerDeps): Pick<Handlers, ConflictedCopyChannel> {
  return {
    'vault:conflictedCopies': async () => {
      const { path } = session.current();
      const { findConflictedCopies } = await loadConflictedCopies();
      return (await findConflictedCopies(path)).map(copyView);
    },
    'vault:mergeConflictedCopies': async () => {
      const vault = session.current();
      const { mergeConflictedCopies } = await loadConflictedCopies();
      const report = await mergeConflictedCopies(vault.path, { profileDir });
      if (report.summary.merged > 0 && session.isOpen(vault)) await vault.refresh();
      return report.copies.map(outcomeView);
    },
  };
}
