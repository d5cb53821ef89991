import { backoffDelay } from '../../transport/backoff.js';
import { TransportUnavailableError } from '../../transport/transport-errors.js';
import type { TransportHealth } from '../../transport/transport.js';
import type { PostgresConnection, Row, Statement } from './connection.js';
import { PostgresDriverMissingError, transportError } from './errors.js';
import type { PostgresQueries } from './queries.js';

/** What the parts of one transport share: its name, its queue, the text of its statements and their runner. */
export interface QueueStatements {
  /** The transport's name, for errors. */
  readonly name: string;
  readonly queue: string;
  readonly queries: PostgresQueries;
  readonly runner: StatementRunner;
}

/** What a statement returns. */
export interface StatementResult {
  readonly rows: Row[];
  readonly rowCount: number | null;
}

/**
 * Runs a transport's statements on its connection: maps errors to the transport's errors,
 * keeps the health they imply, and names the hot statements so each connection prepares them
 * once.
 */
export class StatementRunner {
  readonly #connection: PostgresConnection;
  readonly #transport: string;
  readonly #tag: string;
  #health: TransportHealth = 'connected';

  /** @param tag tells these tables' prepared statements apart from other transports'. */
  constructor(connection: PostgresConnection, transport: string, tag: string) {
    this.#connection = connection;
    this.#transport = transport;
    this.#tag = tag;
  }

  /** `connected` after a statement succeeded, `reconnecting` after one could not reach the database, `failed` without `pg`. */
  get health(): TransportHealth {
    return this.#health;
  }

  /** A statement prepared once per connection under a name of its own. */
  named(kind: string, text: string, values: unknown[]): Statement {
    return { name: `troopy_${kind}_${this.#tag}`, text, values };
  }

  /** Runs a statement (see `transportError` for what it rejects with). */
  async run(operation: string, statement: Statement): Promise<StatementResult> {
    try {
      const result = await this.#connection.run(statement);
      this.#health = 'connected';
      return result;
    } catch (error) {
      const mapped = transportError(this.#transport, operation, error);
      if (mapped instanceof TransportUnavailableError) this.#health = 'reconnecting';
      else if (mapped instanceof PostgresDriverMissingError) this.#health = 'failed';
      throw mapped;
    }
  }

  /**
   * Runs an outcome (ack, retry, dead-letter, lease change), trying again while the database
   * cannot be reached, for up to `retryMs` or until `stopped()`. Outcomes are guarded by the
   * lease token, so running one twice is harmless: after a reply lost with the connection, the
   * second run finds the first one's work done and changes nothing, and the worker learns the truth.
   */
  async settle(operation: string, statement: Statement, retryMs: number, stopped: () => boolean): Promise<void> {
    const giveUpAt = Date.now() + retryMs;
    for (let failures = 0; ; failures++) {
      try {
        await this.run(operation, statement);
        return;
      } catch (error) {
        const waitMs = backoffDelay(failures + 1, { baseMs: 50, capMs: 1_000 });
        // >=, so that a retryMs of 0 never tries again, even when the jitter draws a wait of 0.
        if (!(error instanceof TransportUnavailableError) || stopped() || Date.now() + waitMs >= giveUpAt) throw error;
        await new Promise((resolve) => setTimeout(resolve, waitMs));
      }
    }
  }
}
