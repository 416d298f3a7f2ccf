/**
 * dns-01 in the app: while an order by an ACME issuer waits, the engine hands
 * main each TXT record to publish (IssueOptions.onDnsRecord). Main tells the
 * renderer (a `dnsChallenge` event with an id) and waits for its answer:
 * `certificates:dnsReady` lets the order go on, `certificates:dnsCancel`
 * aborts it through the order's AbortController (IssueOptions.signal). With
 * no answer within `timeoutMs` the record fails, and so does the order.
 *
 * The waiting records belong to the open vault: a lock (or another vault
 * opened) aborts every order waiting here and forgets the ids, so an answer
 * from before the lock finds nothing. A record no longer waited for (its order
 * ended, failed or timed out) is told as `dnsChallengeEnded` so its dialog
 * closes. Records are public data (the CA reads them from public DNS).
 */
import { randomUUID } from 'node:crypto';
import type { AppEvent } from '../../../shared/contract.js';
import { CofferError, type IssueOptions } from '../../vault/index.js';
import { realTimers, type TimersLike } from './clipboard.js';

/** How long a record waits for the user: DNS changes can take a while to reach every server. */
export const DNS_CHALLENGE_TIMEOUT_MS = 30 * 60 * 1000;
/** What an ACME order may take besides the wait for its records (acme.ts's default limit). */
const ORDER_MS = 5 * 60 * 1000;

interface Waiting {
  order: Order;
  resolve: () => void;
  reject: (e: Error) => void;
  timer: unknown;
}

interface Order {
  controller: AbortController;
  ids: Set<string>;
}

export interface DnsChallengesOptions {
  notify?: (event: AppEvent) => void;
  timers?: TimersLike;
  timeoutMs?: number;
}

export class DnsChallenges {
  private readonly waiting = new Map<string, Waiting>();
  private readonly orders = new Set<Order>();
  private readonly timers: TimersLike;
  private readonly timeoutMs: number;

  constructor(private readonly options: DnsChallengesOptions = {}) {
    this.timers = options.timers ?? realTimers;
    this.timeoutMs = options.timeoutMs ?? DNS_CHALLENGE_TIMEOUT_MS;
  }

  /** How many records wait for an answer (tests). */
  get size(): number {
    return this.waiting.size;
  }

  /**
   * Runs one issuance (create or renew of `certificate`) with the options that
   * route its dns-01 records to the renderer; whatever happens, nothing of it
   * is left waiting afterwards.
   */
  async run<T>(certificate: string, issue: (options: IssueOptions) => Promise<T>): Promise<T> {
    const order: Order = { controller: new AbortController(), ids: new Set() };
    this.orders.add(order);
    try {
      // The order's own time limit leaves the user the whole wait for each record, and the CA its usual 5 minutes.
      return await issue({ onDnsRecord: (record) => this.publish(order, certificate, record), signal: order.controller.signal, timeoutMs: this.timeoutMs + ORDER_MS });
    } finally {
      this.orders.delete(order);
      for (const id of order.ids) this.end(id, new CofferError('IoError', 'The order no longer waits for this DNS record.'));
    }
  }

  private publish(order: Order, certificate: string, record: { certificate?: string; name: string; value: string }): Promise<void> {
    if (order.controller.signal.aborted) return Promise.reject(new CofferError('IoError', 'The order was cancelled.'));
    const id = randomUUID();
    return new Promise<void>((resolve, reject) => {
      const timer = this.timers.setTimeout(() => {
        // Rejected without aborting: the engine then says which record failed, and why.
        this.end(id, new CofferError('IoError', `nobody confirmed it was published within ${Math.round(this.timeoutMs / 60_000)} minutes`));
      }, this.timeoutMs);
      this.waiting.set(id, { order, resolve, reject, timer });
      order.ids.add(id);
      this.options.notify?.({ type: 'dnsChallenge', id, certificate: record.certificate ?? certificate, name: record.name, value: record.value });
    });
  }

  private take(id: string): Waiting {
    const w = this.waiting.get(id);
    if (!w) throw new CofferError('NotFound', 'No DNS record with this id is waiting: its order ended, or the vault was locked.');
    this.waiting.delete(id);
    w.order.ids.delete(id);
    this.timers.clearTimeout(w.timer);
    return w;
  }

  /** A record given up on by main (its order ended, a timeout, a lock): rejected, and its dialog told to close. */
  private end(id: string, reason: Error): void {
    if (!this.waiting.has(id)) return;
    this.take(id).reject(reason);
    this.options.notify?.({ type: 'dnsChallengeEnded', id });
  }

  /** The user published the record: the order goes on. */
  ready(id: string): void {
    this.take(id).resolve();
  }

  /** The user cancelled: the whole order stops. */
  cancel(id: string): void {
    const w = this.take(id);
    w.order.controller.abort();
    w.reject(new CofferError('IoError', 'The order was cancelled.'));
  }

  /** The vault locked or was replaced: every order waiting here stops, and every id is forgotten. */
  clear(): void {
    for (const order of this.orders) order.controller.abort();
    for (const id of [...this.waiting.keys()]) this.end(id, new CofferError('VaultLocked', 'The vault was locked during the order.'));
  }
}
