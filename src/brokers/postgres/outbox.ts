import { AsyncLocalStorage } from 'node:async_hooks';
import { describe } from '../../describe.js';
import { isPostgresClient, type PostgresClient } from './connection.js';

const storage = new AsyncLocalStorage<PostgresClient>();

/**
 * Runs `fn` so that every `PostgresTransport.send` it makes, directly or through a `Sender`,
 * `routeToTransports` or `bus.dispatch` (in everything it awaits), INSERTs through `client`
 * instead of the transport's own pool: the transactional outbox.
 *
 * Begin a transaction on `client` first and commit it after: the commands then exist if and
 * only if the transaction commits, together with your own writes. The queue table is the
 * outbox, so no relay is needed: once committed, the rows are the messages. A process killed
 * right after the COMMIT loses nothing, and a rolled-back transaction sends nothing.
 *
 * Rules:
 * - `client` must reach the database of the transports' tables; every Postgres transport
 *   used inside `fn` writes through it, whatever its own pool.
 * - A send inside `fn` resolves once its INSERT ran, before your COMMIT: the receipt means
 *   "will exist if you commit". Consumers find the rows at their next poll after the commit
 *   (`pollIntervalMs`), not through NOTIFY.
 * - Scopes nest; the innermost client wins.
 *
 * @example
 * ```ts
 * const client = await pool.connect();
 * try {
 *   await client.query('BEGIN');
 *   await client.query('INSERT INTO orders (id) VALUES ($1)', [orderId]);
 *   await withOutbox(client, () => bus.dispatch(new SendConfirmation(orderId)));
 *   await client.query('COMMIT');
 * } catch (error) {
 *   await client.query('ROLLBACK');
 *   throw error;
 * } finally {
 *   client.release();
 * }
 * ```
 */
export function withOutbox<T>(client: PostgresClient, fn: () => T): T {
  if (!isPostgresClient(client)) {
    throw new TypeError(`withOutbox expects a pg client (an object with a query method) as its first argument; got ${describe(client)}.`);
  }
  if (typeof fn !== 'function') throw new TypeError(`withOutbox expects a function as its second argument; got ${describe(fn)}.`);
  return storage.run(client, fn);
}

/** The client of the innermost {@link withOutbox} scope, or `undefined` outside one. */
export function currentOutboxClient(): PostgresClient | undefined {
  return storage.getStore();
}
