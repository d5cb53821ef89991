import { readErrorHistory, type ErrorRecord } from '../envelope/error-history.js';
import { MessageHeader } from '../envelope/message-headers.js';
import type { DeadLetter, Transport } from '../transport/transport.js';

/** A dead letter with its envelope read out for people: name, attempts and error chain. */
export interface FailedMessage extends DeadLetter {
  /** The message name from its headers, or `undefined` when it had none (an undecodable message). */
  readonly messageName: string | undefined;
  /** How many handling attempts it had been through: its `attempt` header, 1 without one. */
  readonly attempts: number;
  /**
   * The errors of the failed attempts, oldest first, as far as the history's limit keeps them: a
   * message dead-lettered after its handler failed holds its last error too (summed up in `reason`).
   */
  readonly errorHistory: readonly ErrorRecord[];
}

const PAGE = 100;

/**
 * The failure store of one transport: lists, shows, redrives and removes its dead letters,
 * on top of `transport.deadLetters`.
 *
 * Redrive sends each message back to the transport with its `attempt` header removed, so it
 * gets a fresh set of attempts (its error history is kept), then removes the dead letter. A
 * crash between the two leaves the message both queued and dead-lettered: it may be handled
 * twice, never lost.
 *
 * @example
 * const failures = new FailureStore(redis);
 * for (const failed of await failures.list()) console.log(failed.id, failed.messageName, failed.reason.code);
 * await failures.redrive([id]); // after fixing the handler
 */
export class FailureStore {
  readonly #transport: Transport;

  /** @throws {TypeError} when `transport` has no `deadLetters` store. */
  constructor(transport: Transport) {
    if (typeof transport !== 'object' || (transport as unknown) === null || typeof transport.deadLetters !== 'object') {
      throw new TypeError(`FailureStore expects a transport with a deadLetters store; got ${transport === null ? 'null' : typeof transport}.`);
    }
    this.#transport = transport;
  }

  /** The failed messages, oldest first, at most `limit`. @default limit 100 */
  async list(options?: { readonly limit?: number | undefined }): Promise<FailedMessage[]> {
    const letters = await this.#transport.deadLetters.list(options);
    return letters.map(describeFailure);
  }

  /** One failed message by id, or `undefined`. */
  async show(id: string): Promise<FailedMessage | undefined> {
    const letter = await this.#transport.deadLetters.get(id);
    return letter === undefined ? undefined : describeFailure(letter);
  }

  /**
   * Sends the given failed messages (or all of them) back for handling with fresh attempts;
   * resolves with how many were redriven. Unknown ids are skipped.
   */
  async redrive(ids?: readonly string[]): Promise<number> {
    const store = this.#transport.deadLetters;
    const done = new Set<string>();
    for (;;) {
      const letters = ids === undefined ? await store.list({ limit: PAGE }) : await this.#get(ids);
      const fresh = letters.filter((letter) => !done.has(letter.id));
      if (fresh.length === 0) return done.size;
      await this.#transport.send(fresh.map(({ id, headers, body }) => ({ id, headers: withoutAttempt(headers), body })));
      await store.remove(fresh.map((letter) => letter.id));
      for (const letter of fresh) done.add(letter.id);
      if (ids !== undefined) return done.size;
    }
  }

  /** Deletes the given failed messages (or all of them) for good; resolves with how many. */
  remove(ids?: readonly string[]): Promise<number> {
    return this.#transport.deadLetters.remove(ids);
  }

  async #get(ids: readonly string[]): Promise<DeadLetter[]> {
    const letters = await Promise.all([...new Set(ids)].map((id) => this.#transport.deadLetters.get(id)));
    return letters.filter((letter) => letter !== undefined);
  }
}

function withoutAttempt(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => name !== MessageHeader.attempt));
}

function describeFailure(letter: DeadLetter): FailedMessage {
  const attempt = Number(letter.headers[MessageHeader.attempt] ?? 1);
  let errorHistory: ErrorRecord[] = [];
  try {
    errorHistory = readErrorHistory(letter.headers);
  } catch {
    // A malformed history (the message may be hostile) is shown as none; the bytes are kept.
  }
  return { ...letter, messageName: letter.headers[MessageHeader.name], attempts: Number.isSafeInteger(attempt) && attempt > 0 ? attempt : 1, errorHistory };
}
