import { checkOutgoingMessages } from '../../transport/check-transport-input.js';
import { describe } from '../../describe.js';
import type { OutgoingMessage } from '../../transport/transport.js';
import type { PostgresClient } from './connection.js';
import { transportError } from './errors.js';
import type { PostgresQueries } from './queries.js';
import { encodeMessages, insertValues, type EncodedMessages } from './rows.js';
import type { StatementRunner } from './statements.js';
import { WriteBatcher } from './write-batcher.js';

/** Most messages one INSERT carries when concurrent sends are grouped. */
const MAX_BATCH = 1_000;

/**
 * The sending half of a Postgres transport: one multi-row INSERT per send, concurrent sends
 * grouped into one statement, or an INSERT through the caller's client for the outbox.
 */
export class PostgresSender {
  readonly #name: string;
  readonly #queue: string;
  readonly #queries: PostgresQueries;
  readonly #runner: StatementRunner;
  readonly #sent: () => void;
  readonly #batcher = new WriteBatcher<EncodedMessages>((sends) => this.#insert(sends), MAX_BATCH);

  /** @param sent called after each committed send, to wake receives. */
  constructor(name: string, queue: string, queries: PostgresQueries, runner: StatementRunner, sent: () => void) {
    this.#name = name;
    this.#queue = queue;
    this.#queries = queries;
    this.#runner = runner;
    this.#sent = sent;
  }

  /** Inserts the messages through the pool; resolves after the COMMIT of the INSERT that carried them. */
  async send(messages: readonly OutgoingMessage[]): Promise<void> {
    checkOutgoingMessages(this.#name, messages);
    if (messages.length === 0) return;
    await this.#batcher.add(encodeMessages(this.#name, messages), messages.length);
    this.#sent();
  }

  /** Inserts the messages through `client`, in its transaction; resolves once the INSERT ran. */
  async sendWith(client: PostgresClient, messages: readonly OutgoingMessage[]): Promise<void> {
    if (typeof client !== 'object' || client === null || typeof (client as Partial<PostgresClient>).query !== 'function') {
      throw new TypeError(`${this.#name} sendWith() takes a pg client (an object with a query method) first; got ${describe(client)}.`);
    }
    checkOutgoingMessages(this.#name, messages);
    if (messages.length === 0) return;
    const values = [this.#queue, ...insertValues([encodeMessages(this.#name, messages)])];
    try {
      await client.query(this.#queries.insert, values);
    } catch (error) {
      throw transportError(this.#name, 'send', error);
    }
  }

  /** Resolves once no grouped INSERT is pending. */
  idle(): Promise<void> {
    return this.#batcher.idle();
  }

  async #insert(sends: EncodedMessages[]): Promise<void> {
    await this.#runner.run('send', this.#runner.named('insert', this.#queries.insert, [this.#queue, ...insertValues(sends)]));
  }
}
