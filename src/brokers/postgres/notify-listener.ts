import { backoffDelay } from '../../transport/backoff.js';
import type { ListenSession, PostgresConnection } from './connection.js';

const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5_000;

/**
 * Keeps one LISTEN connection open while the transport is used for receiving, and calls
 * `wake` for each NOTIFY of its queue, and once each time the LISTEN takes effect (a NOTIFY
 * may have been missed before it). When the connection drops, it reconnects with the shared
 * backoff (capped exponential, full jitter).
 *
 * It is only a shortcut: receives poll the table anyway, so nothing is lost while it is down.
 */
export class NotifyListener {
  readonly #connection: PostgresConnection;
  readonly #channel: string;
  readonly #payload: string;
  readonly #wake: () => void;
  #session: ListenSession | undefined;
  #starting = false;
  #closed = false;
  #failures = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(connection: PostgresConnection, channel: string, payload: string, wake: () => void) {
    this.#connection = connection;
    this.#channel = channel;
    this.#payload = payload;
    this.#wake = wake;
  }

  /** Opens the connection unless it is open, opening or waiting to reconnect. */
  ensure(): void {
    if (this.#closed || this.#starting || this.#session !== undefined || this.#timer !== undefined) return;
    this.#starting = true;
    void this.#open();
  }

  /** Closes the connection and stops reconnecting. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#session?.close();
    this.#session = undefined;
  }

  async #open(): Promise<void> {
    try {
      const session = await this.#connection.listen(
        this.#channel,
        (payload) => {
          if (payload === this.#payload) this.#wake();
        },
        () => {
          this.#session = undefined;
          this.#retryLater();
        },
      );
      this.#starting = false;
      if (this.#closed) {
        session.close();
        return;
      }
      this.#session = session;
      this.#failures = 0;
      // A NOTIFY sent before the LISTEN took effect was missed: receives look once more.
      this.#wake();
    } catch {
      this.#starting = false;
      this.#retryLater();
    }
  }

  #retryLater(): void {
    if (this.#closed) return;
    this.#failures++;
    const delay = backoffDelay(this.#failures, { baseMs: FIRST_RETRY_MS, capMs: MAX_RETRY_MS });
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.ensure();
    }, delay);
    this.#timer.unref();
  }
}
