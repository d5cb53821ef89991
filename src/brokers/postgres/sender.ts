import type { OutgoingMessage } from '../../transport/transport.js';
import type { PostgresClient } from './connection.js';
import { transportError } from './errors.js';
import type { QueueStatements } from './statements.js';
import { encodeMessages, insertValues, type EncodedMessages } from './wire.js';
import { WriteBatcher } from './write-batcher.js';

/** Most messages one INSERT carries when concurrent sends are grouped. */
const MAX_BATCH = 1_000;

/**
 * The sending half of a Postgres transport: one multi-row INSERT per send, concurrent sends
 * grouped into one statement, or an INSERT through the caller's client for the outbox. The
 * messages are checked by the transport.
 */
export class PostgresSender {
  readonly #statements: QueueStatements;
  readonly #sent: () => void;
  readonly #batcher = new WriteBatcher<EncodedMessages>((sends) => this.#insert(sends), MAX_BATCH);

  /** @param sent called after each committed send, to wake receives. */
  constructor(statements: QueueStatements, sent: () => void) {
    this.#statements = statements;
    this.#sent = sent;
  }

  /** Inserts the messages through the pool; resolves after the COMMIT of the INSERT that carried them. */
  async send(messages: readonly OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.#batcher.add(encodeMessages(this.#statements.name, messages), messages.length);
    this.#sent();
  }

  /** Inserts the messages through `client`, in its transaction; resolves once the INSERT ran. */
  async sendWith(client: PostgresClient, messages: readonly OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const { name, queue, queries } = this.#statements;
    const values = [queue, ...insertValues([encodeMessages(name, messages)])];
    try {
      await client.query(queries.insert, values);
    } catch (error) {
      throw transportError(name, 'send', error);
    }
  }

  /** Resolves once no grouped INSERT is pending. */
  idle(): Promise<void> {
    return this.#batcher.idle();
  }

  async #insert(sends: EncodedMessages[]): Promise<void> {
    const { queue, queries, runner } = this.#statements;
    await runner.run('send', runner.named('insert', queries.insert, [queue, ...insertValues(sends)]));
  }
}
