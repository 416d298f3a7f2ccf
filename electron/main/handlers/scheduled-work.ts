/**
 * Work that Key Vault does on its own while a vault is open: rotating keys
 * whose rotation policy's Rotate action is due
 * (learn.microsoft.com/azure/key-vault/keys/how-to-configure-key-rotation)
 * and running certificates' lifetime actions, AutoRenew and EmailContacts
 * (learn.microsoft.com/azure/key-vault/certificates/overview-renew-certificate).
 * Coffer has no service running, so main asks the engine for each (KeysApi
 * .rotateDue, CertificatesApi.renewDue) soon after each unlock and then every
 * hour until the vault locks.
 *
 * Each writes one commit per object: a rotation or renewal that fails leaves
 * that object's versions as they were (the current one stays current) and is
 * tried again at the next run. What happened is told to the renderer as one
 * event per run, names and the engine's messages only (they never hold key
 * material). Nothing is said when nothing happened, nor when this member may
 * not do the work (a Reader: Forbidden) or this copy of the vault may not be
 * written (it lacks commits that change members, roles or keys:
 * VaultInfo.lacking.writable): the user did not ask for it.
 *
 * The next run is scheduled only once the last one is done, so runs for one
 * open vault never overlap; no exception leaves a timer callback.
 */
import type { AppEvent } from '../../../shared/contract.js';
import { isCofferError, type Vault } from '../../vault/index.js';
import { realTimers, type TimersLike } from './clipboard.js';
import type { VaultSessionManager } from './session.js';
import type { DnsChallenges } from './dns-challenges.js';

/** After an unlock: soon, but after the renderer's first reads, so the user's own requests go first. */
export const FIRST_RUN_DELAY_MS = 5_000;
/** Then hourly: rotation policies and lifetime actions count in days (D-rot: at least 7), so an hour late is on time. */
export const RUN_INTERVAL_MS = 60 * 60 * 1000;

/** The bounds of the event's schema (shared/contract.ts appEventSchema): a longer payload would be dropped by the preload. */
const MAX_NAMES = 10_000;
const MAX_MESSAGE = 1000;

/** One kind of scheduled work: a run, and the event it tells (undefined: nothing to tell). */
export interface ScheduledTask {
  /** Named in warnings: "Scheduled key rotation". */
  what: string;
  run(vault: Vault): Promise<AppEvent | undefined>;
}

export interface ScheduledWorkOptions {
  session: Pick<VaultSessionManager, 'onUnlock' | 'onLock' | 'isOpen'>;
  notify?: (event: AppEvent) => void;
  timers?: TimersLike;
  firstDelayMs?: number;
  intervalMs?: number;
  /** Told when a run could not start for another reason than the two above (names the engine's error, never inputs). */
  onWarning?: (message: string) => void;
}

export class ScheduledWork {
  private readonly timers: TimersLike;
  /** The vault the schedule is for; undefined while locked. */
  private vault: Vault | undefined;
  private handle: unknown;
  private running: Promise<void> | undefined;

  constructor(
    private readonly task: ScheduledTask,
    private readonly options: ScheduledWorkOptions,
  ) {
    this.timers = options.timers ?? realTimers;
    options.session.onUnlock((vault) => this.start(vault));
    options.session.onLock(() => this.stop());
  }

  /** Whether a run is scheduled. */
  get scheduled(): boolean {
    return this.handle !== undefined;
  }

  /** Resolves when the run in progress, if any, is done (quitting waits for it; tests too). */
  async whenIdle(): Promise<void> {
    await this.running;
  }

  private start(vault: Vault): void {
    this.stop();
    this.vault = vault;
    this.schedule(vault, this.options.firstDelayMs ?? FIRST_RUN_DELAY_MS);
  }

  private stop(): void {
    if (this.handle !== undefined) this.timers.clearTimeout(this.handle);
    this.handle = undefined;
    this.vault = undefined;
  }

  private schedule(vault: Vault, ms: number): void {
    this.handle = this.timers.setTimeout(() => {
      this.handle = undefined;
      const run = this.run(vault).finally(() => {
        if (this.running === run) this.running = undefined;
      });
      this.running = run;
    }, ms);
  }

  /** One run, then the next one scheduled unless the vault locked or was replaced meanwhile. Never rejects. */
  private async run(vault: Vault): Promise<void> {
    let again = true;
    try {
      again = await this.once(vault);
    } catch {
      // once() handles what it expects; anything else is tried again at the next run.
    }
    if (again && this.vault === vault && this.options.session.isOpen(vault) && this.handle === undefined) {
      this.schedule(vault, this.options.intervalMs ?? RUN_INTERVAL_MS);
    }
  }

  /** Does what is due and tells the renderer; false when this member may never do it (no next run). */
  private async once(vault: Vault): Promise<boolean> {
    const open = () => this.vault === vault && this.options.session.isOpen(vault);
    if (!open()) return false;
    // A copy lacking commits that change keys refuses writes (VaultRolledBack) until merged: try later.
    if (vault.info().lacking?.writable === false) return true;
    let event: AppEvent | undefined;
    try {
      event = await this.task.run(vault);
    } catch (e) {
      // Locked during the run: the engine's failure says nothing the user needs.
      if (!open()) return false;
      // A role without the permission: no run this session (roles are fixed while it is open).
      if (isCofferError(e) && e.code === 'Forbidden') return false;
      if (isCofferError(e) && e.code === 'VaultRolledBack') return true;
      this.options.onWarning?.(`${this.task.what} could not run: ${isCofferError(e) ? e.message : 'unexpected error'}`);
      return true;
    }
    if (!open()) return false;
    if (event) this.options.notify?.(event);
    return true;
  }
}

/** Keys whose rotation policies are due (KeysApi.rotateDue): a `keysRotated` event. */
export const keyRotationTask: ScheduledTask = {
  what: 'Scheduled key rotation',
  async run(vault) {
    const result = await vault.keys.rotateDue();
    if (result.rotated.length === 0 && result.failed.length === 0) return undefined;
    return {
      type: 'keysRotated',
      rotated: result.rotated.slice(0, MAX_NAMES).map((r) => r.name),
      failed: result.failed.slice(0, MAX_NAMES).map((f) => ({ name: f.name, message: f.message.slice(0, MAX_MESSAGE) })),
    };
  },
};

/**
 * Certificates' lifetime actions that are due (CertificatesApi.renewDue): a
 * `certificatesRenewed` event. An expiring version is told once per app run,
 * not every hour while it stays due.
 */
export function certificateRenewalTask(dns?: Pick<DnsChallenges, 'run'>): ScheduledTask {
  const told = new Set<string>();
  return {
    what: 'Scheduled certificate renewal',
    async run(vault) {
      // A dns-01 issuer's renewal shows its record to the user, as a create does.
      const result = dns ? await dns.run('', (options) => vault.certificates.renewDue(undefined, options)) : await vault.certificates.renewDue();
      const expiring = result.notified.filter((n) => !told.has(`${vault.id}/${n.name.toLowerCase()}/${n.version}`));
      for (const n of expiring) told.add(`${vault.id}/${n.name.toLowerCase()}/${n.version}`);
      if (result.renewed.length === 0 && result.failed.length === 0 && expiring.length === 0) return undefined;
      return {
        type: 'certificatesRenewed',
        renewed: result.renewed.slice(0, MAX_NAMES).map((r) => r.name),
        expiring: expiring.slice(0, MAX_NAMES).map((n) => ({ name: n.name, daysLeft: n.daysLeft })),
        contacts: expiring.length > 0 ? await contactsOf(vault) : [],
        failed: result.failed.slice(0, MAX_NAMES).map((f) => ({ name: f.name, message: f.message.slice(0, MAX_MESSAGE) })),
      };
    },
  };
}

/** The contacts' addresses, for an EmailContacts notice; none for a member whose role may not read them. */
async function contactsOf(vault: Vault): Promise<string[]> {
  try {
    return (await vault.certificates.getContacts()).contacts.map((c) => c.email).slice(0, 64);
  } catch (e) {
    if (isCofferError(e) && e.code === 'Forbidden') return [];
    throw e;
  }
}
