import { deadLetterLimit } from '../../transport/dead-letter-limit.js';
import type { DeadLetter, DeadLetterStore } from '../../transport/transport.js';
import type { NatsConnection, StoredMessage } from './connection.js';
import type { NatsNames } from './options.js';
import { publishCopy } from './sender.js';
import { deadLetterSubjectOf, readDeadLetterRecord, readWire, redriveMsgId } from './wire.js';

/**
 * The dead letters of a {@link NatsTransport}: a stream with limits retention where each dead
 * letter is the one message of the subject `${subject}.dead.<id>`, so that reading, redriving or
 * removing one by id is a single request, and dead-lettering an id again replaces the older one.
 * `list` reads the stream in order (oldest first) with direct message reads, no consumer.
 *
 * Redriving publishes the message back to the queue (headers and bytes as they were, delivery
 * count starting again at 1) under a `Nats-Msg-Id` that names the dead letter, not the message
 * id (which JetStream may still hold from the first send), awaits its PubAck, then deletes the
 * dead letter. `FailureStore.redrive` goes through `send`, which stores a dead-lettered id again
 * under the same `Nats-Msg-Id`.
 */
export class NatsDeadLetterStore implements DeadLetterStore {
  readonly #transport: string;
  readonly #connection: NatsConnection;
  readonly #names: NatsNames;
  readonly #ready: () => Promise<void>;

  /**
   * Made by the transport, which hands it out as `deadLetters`.
   *
   * @param ready resolves once the streams exist (the transport's setup).
   * @hidden
   */
  constructor(transport: string, connection: NatsConnection, names: NatsNames, ready: () => Promise<void>) {
    this.#transport = transport;
    this.#connection = connection;
    this.#names = names;
    this.#ready = ready;
  }

  /** Dead letters, oldest first, at most `limit` (default 100). @throws {TypeError} for a bad limit. */
  async list(options?: { readonly limit?: number | undefined }): Promise<DeadLetter[]> {
    const limit = deadLetterLimit(this.#transport, options);
    await this.#ready();
    const letters: DeadLetter[] = [];
    for await (const stored of this.#all('list dead letters')) {
      letters.push(this.#letter(stored));
      if (letters.length >= limit) break;
    }
    return letters;
  }

  /** One dead letter by message id, or `undefined`. */
  async get(id: string): Promise<DeadLetter | undefined> {
    await this.#ready();
    const stored = await this.#find('read a dead letter', id);
    return stored === undefined ? undefined : this.#letter(stored);
  }

  /** Sends the given dead letters (or all) back to the queue; returns how many. */
  async redrive(ids?: readonly string[]): Promise<number> {
    await this.#ready();
    const operation = 'redrive dead letters';
    let count = 0;
    const redrive = async (stored: StoredMessage): Promise<void> => {
      const { id, headers } = this.#letter(stored);
      await publishCopy(this.#connection, this.#names, operation, { id, headers, body: stored.data }, redriveMsgId(stored.seq, id));
      await this.#connection.purge(operation, this.#names.deadLetterStream, stored.subject);
      count++;
    };
    if (ids === undefined) {
      for await (const stored of this.#all(operation)) await redrive(stored);
      return count;
    }
    for (const id of ids) {
      const stored = await this.#find(operation, id);
      if (stored !== undefined) await redrive(stored);
    }
    return count;
  }

  /** Deletes the given dead letters (or all); returns how many. */
  async remove(ids?: readonly string[]): Promise<number> {
    await this.#ready();
    const operation = 'remove dead letters';
    const stream = this.#names.deadLetterStream;
    if (ids === undefined) return this.#connection.purge(operation, stream);
    let count = 0;
    for (const id of ids) count += await this.#connection.purge(operation, stream, this.#subject(id));
    return count;
  }

  /** Every dead letter, oldest first, read one by one. */
  async *#all(operation: string): AsyncGenerator<StoredMessage> {
    const filter = `${this.#names.deadLetterSubject}.*`;
    for (let seq = 1; ;) {
      const stored = await this.#connection.getMessage(operation, this.#names.deadLetterStream, { seq, next_by_subj: filter });
      if (stored === undefined) return;
      yield stored;
      seq = stored.seq + 1;
    }
  }

  #find(operation: string, id: string): Promise<StoredMessage | undefined> {
    return this.#connection.getMessage(operation, this.#names.deadLetterStream, { last_by_subj: this.#subject(id) });
  }

  #subject(id: string): string {
    return deadLetterSubjectOf(this.#names, id);
  }

  #letter(stored: StoredMessage): DeadLetter {
    const { id, headers } = readWire(stored.headers, `nats:${this.#names.deadLetterStream}:${stored.seq}`);
    return { id, headers, body: stored.data, ...readDeadLetterRecord(stored.headers) };
  }
}
