/**
 * The reason of a handler's `context.signal` when the worker gave up on it at shutdown: the
 * handler outlived `shutdownTimeoutMs`, and its message was released for immediate redelivery.
 * A handler that sees it should stop its work; whatever it returns afterwards is ignored.
 */
export class ShutdownTimeoutError extends Error {
  override name = 'ShutdownTimeoutError';

  /** The shutdown timeout that ran out, in milliseconds. */
  readonly timeoutMs: number;

  constructor(timeoutMs: number) {
    super(
      `The worker is shutting down and its handlers had ${timeoutMs} ms (shutdownTimeoutMs) to finish; this one did not, ` +
        'so its message was released for redelivery. Stop the work and return; raise shutdownTimeoutMs if handlers need longer.',
    );
    this.timeoutMs = timeoutMs;
  }
}
