import { randomUUID } from 'node:crypto';
import type { Delivery, ReceiveOptions } from '../../transport/transport.js';
import { BUSY_POLL_MS, BUSY_WINDOW_MS } from './notify-throttle.js';
import type { QueueStatements } from './statements.js';
import type { QueueWakeUps } from './wake-ups.js';
import { toDelivery } from './wire.js';

/** What a {@link PostgresReceiver} shares with its transport. */
export interface ReceiverHost extends QueueStatements {
  readonly wakeUps: QueueWakeUps;
  readonly pollIntervalMs: number;
  /** Whether the transport is closed (receives end with no deliveries). */
  closed(): boolean;
}

/**
 * The receiving half of a Postgres transport: leases due rows with one statement (`FOR UPDATE
 * SKIP LOCKED`, a fresh lease token per receive), and waits for more when there are none. The
 * options are checked by the transport.
 */
export class PostgresReceiver {
  readonly #host: ReceiverHost;
  #foundAt = -Infinity;

  constructor(host: ReceiverHost) {
    this.#host = host;
  }

  /**
   * Leases up to `max` due messages, waiting up to `waitMs` for the first one. While it waits it
   * looks again every `pollIntervalMs`, every {@link BUSY_POLL_MS} if it found messages in the
   * last {@link BUSY_WINDOW_MS}, at the next delayed message's due time, and on each wake-up.
   */
  async receive({ max, leaseMs, waitMs, signal }: ReceiveOptions): Promise<Delivery[]> {
    const host = this.#host;
    const deadline = Date.now() + waitMs;
    while (!host.closed() && signal?.aborted !== true) {
      const generation = host.wakeUps.generation;
      let deliveries: Delivery[];
      try {
        deliveries = await this.#fetch(max, leaseMs);
      } catch (error) {
        if (host.closed()) return [];
        throw error;
      }
      const now = Date.now();
      if (deliveries.length > 0) this.#foundAt = now;
      if (deliveries.length > 0 || now >= deadline) return deliveries;
      host.wakeUps.listen();
      // Busy: messages are flowing, and sends keep coming without a NOTIFY each (see NotifyThrottle).
      const busy = now - this.#foundAt < BUSY_WINDOW_MS;
      const pollMs = busy ? Math.min(BUSY_POLL_MS, host.pollIntervalMs) : host.pollIntervalMs;
      const due = busy ? Infinity : await this.#nextDue().catch(() => Infinity);
      const sleepMs = Math.min(deadline, due, Date.now() + pollMs) - Date.now();
      await host.wakeUps.wait(generation, Math.max(0, sleepMs), signal);
    }
    return [];
  }

  async #fetch(max: number, leaseMs: number): Promise<Delivery[]> {
    const { queue, queries, runner } = this.#host;
    const token = randomUUID();
    const { rows } = await runner.run('receive', runner.named('fetch', queries.fetch, [queue, max, leaseMs, token]));
    return rows.map((row) => toDelivery(row, token));
  }

  /** When the next delayed message of the queue is due, in epoch milliseconds; `Infinity` for none. */
  async #nextDue(): Promise<number> {
    const { queue, queries, runner } = this.#host;
    const { rows } = await runner.run('receive', runner.named('due', queries.nextDue, [queue]));
    const due = rows[0]?.['due'];
    return typeof due === 'number' ? due : Infinity;
  }
}
