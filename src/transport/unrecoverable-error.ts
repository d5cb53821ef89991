/**
 * Throw it from a handler to say that trying again cannot help (the order no longer exists,
 * the input is invalid): the worker dead-letters the message at once with the reason
 * `unrecoverable` instead of retrying it. Any other error is retried with backoff.
 *
 * Construct it like any `Error`: a message saying why retrying cannot help, and `{ cause }`
 * to keep the underlying error. It lives beside the transports, free of Node APIs, so handlers can throw it anywhere.
 *
 * @example
 * if (order === undefined) throw new UnrecoverableError(`Order ${command.orderId} does not exist.`);
 */
export class UnrecoverableError extends Error {
  override name = 'UnrecoverableError';
}
