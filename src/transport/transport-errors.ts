/**
 * Thrown (as a rejection) by a transport's `send`, `ack`, `retry`, `deadLetter`, `extendLease`
 * and `release` once `close()` has been called. `receive` on a closed transport resolves with
 * no deliveries instead, so a worker loop ends quietly.
 */
export class TransportClosedError extends Error {
  override name = 'TransportClosedError';

  /** The name of the closed transport, such as `redis:troopy:commands`. */
  readonly transport: string;

  constructor(transport: string, operation: string) {
    super(
      `Cannot ${operation} on transport "${transport}": it is closed. ` + `Finish sending and acknowledging before calling close(), or create a new transport.`,
    );
    this.transport = transport;
  }
}

/**
 * Thrown (as a rejection) when the broker cannot be reached or did not confirm an operation.
 *
 * The transport keeps reconnecting by itself (with capped backoff) and `health()` reports
 * `reconnecting` meanwhile, so the caller may try again later. A `send` that rejects with this
 * error was not confirmed: some of its messages may still have been stored, so sending them
 * again can produce duplicates, never losses.
 */
export class TransportUnavailableError extends Error {
  override name = 'TransportUnavailableError';

  /** The name of the transport, such as `redis:troopy:commands`. */
  readonly transport: string;
  /** What went wrong, without the advice: `Redis at 127.0.0.1:6379 is reconnecting`. */
  readonly detail: string;

  constructor(transport: string, operation: string, detail: string, options?: { readonly cause?: unknown }) {
    super(
      `Could not ${operation} on transport "${transport}": ${detail}. ` + `The transport reconnects by itself; try again once health() is "connected".`,
      options,
    );
    this.transport = transport;
    this.detail = detail;
  }
}
