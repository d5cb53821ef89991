import { describe } from '../../describe.js';
import { deadLetterLimit } from '../../transport/dead-letter-limit.js';
import type { DeadLetter, DeadLetterStore } from '../../transport/transport.js';
import type { Row, Statement } from './connection.js';
import type { PostgresQueries } from './queries.js';
import { toDeadLetter } from './wire.js';

/** Runs a statement for the store, mapping its errors; supplied by the transport. */
export type RunStatement = (operation: string, statement: Statement) => Promise<{ readonly rows: Row[]; readonly rowCount: number | null }>;

/**
 * The dead letters of one queue, in the dead-letter table: the original headers and bytes,
 * the reason, the delivery count and when it failed.
 *
 * A message id is kept once per queue: dead-lettering it again replaces the older entry.
 * `redrive` moves rows back to the queue table in one statement (delivery count from 0,
 * headers and bytes as they were), so a message is never in both tables nor in neither.
 */
export class PostgresDeadLetterStore implements DeadLetterStore {
  readonly #owner: string;
  readonly #queue: string;
  readonly #queries: PostgresQueries;
  readonly #run: RunStatement;
  readonly #redriven: () => void;

  /**
   * Made by `PostgresTransport`; reach it as `transport.deadLetters`.
   * @param redriven called after a redrive moved messages, to wake receives.
   * @hidden
   */
  constructor(owner: string, queue: string, queries: PostgresQueries, run: RunStatement, redriven: () => void) {
    this.#owner = owner;
    this.#queue = queue;
    this.#queries = queries;
    this.#run = run;
    this.#redriven = redriven;
  }

  /** Dead letters, oldest first, at most `limit` (default 100). @throws {TypeError} for a bad limit. */
  async list(options?: { readonly limit?: number | undefined }): Promise<DeadLetter[]> {
    const limit = deadLetterLimit(this.#owner, options);
    const { rows } = await this.#run('list dead letters', { text: this.#queries.listDeadLetters, values: [this.#queue, limit] });
    return rows.map(toDeadLetter);
  }

  /** One dead letter by message id, or `undefined`. */
  async get(id: string): Promise<DeadLetter | undefined> {
    if (typeof id !== 'string') throw new TypeError(`${this.#owner} deadLetters.get() takes a message id, a string; got ${describe(id)}.`);
    const { rows } = await this.#run('get a dead letter', { text: this.#queries.getDeadLetter, values: [this.#queue, id] });
    return rows[0] === undefined ? undefined : toDeadLetter(rows[0]);
  }

  /** Moves the given dead letters (or all) back to the queue, oldest first; returns how many. */
  async redrive(ids?: readonly string[]): Promise<number> {
    const { rowCount } = await this.#run('redrive dead letters', { text: this.#queries.redrive, values: [this.#queue, idList(this.#owner, 'redrive', ids)] });
    if ((rowCount ?? 0) > 0) this.#redriven();
    return rowCount ?? 0;
  }

  /** Deletes the given dead letters (or all); returns how many. */
  async remove(ids?: readonly string[]): Promise<number> {
    const { rowCount } = await this.#run('remove dead letters', {
      text: this.#queries.removeDeadLetters,
      values: [this.#queue, idList(this.#owner, 'remove', ids)],
    });
    return rowCount ?? 0;
  }
}

/** The ids as a text array parameter, or null for all. */
function idList(owner: string, call: string, ids: readonly string[] | undefined): string[] | null {
  if (ids === undefined) return null;
  if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string')) {
    throw new TypeError(`${owner} deadLetters.${call}() takes an array of message ids, or nothing for all; got ${describe(ids)}.`);
  }
  return [...ids];
}
