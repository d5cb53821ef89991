import type { PostgresConnection } from './connection.js';
import { NotifyListener } from './notify-listener.js';
import { NotifyThrottle } from './notify-throttle.js';
import type { PostgresTables } from './options.js';

/**
 * Wakes waiting receives. Every wake-up (a send in this process, a NOTIFY, a reconnected
 * listener, close) bumps a generation number; a receive notes the generation before it looks
 * at the table and waits only while it is unchanged, so a wake-up that lands between its look
 * and its wait is never missed.
 */
export class WakeUps {
  #generation = 0;
  #closed = false;
  readonly #waiters = new Set<() => void>();

  /** The number of wake-ups so far. */
  get generation(): number {
    return this.#generation;
  }

  /** Whether anyone waits now. */
  get waiting(): boolean {
    return this.#waiters.size > 0;
  }

  /** Wakes every waiter. */
  wake(): void {
    this.#generation++;
    for (const waiter of [...this.#waiters]) waiter();
  }

  /** Waits up to `ms` for a wake-up after generation `since`; resolves at once when one happened or on abort. */
  wait(since: number, ms: number, signal: AbortSignal | undefined): Promise<void> {
    if (this.#closed || this.#generation !== since || signal?.aborted === true) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.#waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
      this.#waiters.add(done);
    });
  }

  /** Wakes every waiter and makes later waits resolve at once. */
  close(): void {
    this.#closed = true;
    this.wake();
  }
}

/** How a {@link QueueWakeUps} reaches other processes: the resolved `notify` options. */
export interface NotifySettings {
  readonly notify: boolean;
  readonly notifyIntervalMs: number;
}

/**
 * Everything that wakes the waiting receives of one queue: a send or another change in this
 * process wakes them directly; with `notify`, it also sends a (throttled) NOTIFY, and a LISTEN
 * connection wakes them on another process's NOTIFY. The channel is the queue table's name, the
 * payload `<schema>.<queue>`.
 */
export class QueueWakeUps {
  readonly #local = new WakeUps();
  readonly #listener: NotifyListener | undefined;
  readonly #notifier: NotifyThrottle | undefined;

  constructor(connection: PostgresConnection, tables: PostgresTables, queue: string, settings: NotifySettings) {
    if (!settings.notify) return;
    const channel = tables.table;
    const payload = `${tables.schema}.${queue}`;
    this.#listener = new NotifyListener(connection, channel, payload, () => {
      this.#local.wake();
    });
    // The NOTIFY's own transaction skips the disk flush, so it holds the database-wide notify lock only briefly.
    const notify = { text: `SELECT pg_notify($1, $2), set_config('synchronous_commit', 'off', true)`, values: [channel, payload] };
    this.#notifier = new NotifyThrottle(() => connection.run(notify), settings.notifyIntervalMs);
  }

  /** The number of wake-ups so far (see {@link WakeUps.generation}). */
  get generation(): number {
    return this.#local.generation;
  }

  /** Opens the LISTEN connection unless it is open (or `notify` is off): a receive is about to wait. */
  listen(): void {
    this.#listener?.ensure();
  }

  /** Waits up to `ms` for a wake-up after generation `since` (see {@link WakeUps.wait}). */
  wait(since: number, ms: number, signal: AbortSignal | undefined): Promise<void> {
    return this.#local.wait(since, ms, signal);
  }

  /** After a committed send: wakes receives here, and NOTIFYs as the throttle allows. */
  sent(): void {
    this.#local.wake();
    this.#notifier?.sent();
  }

  /** After a retry, release or redrive: wakes receives here, and NOTIFYs as soon as the interval allows. */
  changed(): void {
    this.#local.wake();
    this.#notifier?.changed();
  }

  /** Wakes every waiter for good, closes the LISTEN connection and drops any pending NOTIFY. */
  close(): void {
    this.#local.close();
    this.#listener?.close();
    this.#notifier?.close();
  }
}
