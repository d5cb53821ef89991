import { numberOption } from '../check-option.js';

/**
 * Checks the `limit` option of `DeadLetterStore.list` and returns it, 100 when absent; every
 * dead-letter store calls it first.
 *
 * @param owner the store's owner for the message, such as `RedisTransport(troopy:commands)`.
 * @throws {TypeError} `... deadLetters.list option "limit" must be an integer >= 1; got the number 0.`
 */
export function deadLetterLimit(owner: string, options: { readonly limit?: number | undefined } | undefined): number {
  return numberOption(`${owner} deadLetters.list`, 'limit', options?.limit, 100, { min: 1, integer: true });
}
