import { deadLetterLimit } from './dead-letter-limit.js';
import type { DeadLetter, DeadLetterStore, TransportMessage } from './transport.js';

/**
 * The dead letters of an {@link InMemoryTransport}, kept in memory, oldest first.
 *
 * A message is kept once per message id: dead-lettering the same id again replaces the older
 * entry. Redriving hands the message back to its transport as a new message (headers and bytes
 * as they were, delivery count starting again at 1).
 */
export class InMemoryDeadLetterStore implements DeadLetterStore {
  readonly #letters = new Map<string, DeadLetter>();
  readonly #owner: string;
  readonly #requeue: (message: TransportMessage) => void;

  /** @param requeue puts a redriven message back on the queue, deliverable at once. */
  constructor(owner: string, requeue: (message: TransportMessage) => void) {
    this.#owner = owner;
    this.#requeue = requeue;
  }

  /** Stores a dead letter; used by the transport's `deadLetter`. */
  add(letter: DeadLetter): void {
    this.#letters.delete(letter.id);
    this.#letters.set(letter.id, letter);
  }

  /** Dead letters, oldest first, at most `limit` (default 100). @throws {TypeError} for a bad limit. */
  list(options?: { readonly limit?: number | undefined }): Promise<DeadLetter[]> {
    // A throw inside the executor becomes the rejection.
    return new Promise((resolve) => {
      resolve([...this.#letters.values()].slice(0, deadLetterLimit(this.#owner, options)).map(copy));
    });
  }

  /** One dead letter by message id, or `undefined`. */
  get(id: string): Promise<DeadLetter | undefined> {
    const letter = this.#letters.get(id);
    return Promise.resolve(letter === undefined ? undefined : copy(letter));
  }

  /** Puts the given dead letters (or all) back on the queue; returns how many. */
  redrive(ids?: readonly string[]): Promise<number> {
    const chosen = this.#choose(ids);
    for (const letter of chosen) {
      this.#letters.delete(letter.id);
      this.#requeue({ id: letter.id, headers: letter.headers, body: letter.body });
    }
    return Promise.resolve(chosen.length);
  }

  /** Deletes the given dead letters (or all); returns how many. */
  remove(ids?: readonly string[]): Promise<number> {
    const chosen = this.#choose(ids);
    for (const letter of chosen) this.#letters.delete(letter.id);
    return Promise.resolve(chosen.length);
  }

  #choose(ids: readonly string[] | undefined): DeadLetter[] {
    if (ids === undefined) return [...this.#letters.values()];
    const chosen = new Map<string, DeadLetter>();
    for (const id of ids) {
      const letter = this.#letters.get(id);
      if (letter !== undefined) chosen.set(id, letter);
    }
    return [...chosen.values()];
  }
}

/** A copy whose body the caller may change without touching the stored one. */
function copy(letter: DeadLetter): DeadLetter {
  return { ...letter, body: letter.body.slice() };
}
