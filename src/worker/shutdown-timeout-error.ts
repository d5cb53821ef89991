/**
 * The reason of a handler's `context.signal` when the worker gave up on it at shutdown: the
 * handler outlived `shutdownTimeoutMs`. A handler that sees it should stop its work; whatever it
 * returns afterwards is ignored. Its message stays leased to this worker until the handler has
 * settled, and is then released for immediate redelivery (so it never runs twice at the same
 * time); if the process ends first, the lease runs out and the message is delivered again then.
 */
export class ShutdownTimeoutError extends Error {
  override name = 'ShutdownTimeoutError';

  /** The shutdown timeout that ran out, in milliseconds. */
  readonly timeoutMs: number;

  constructor(timeoutMs: number) {
    super(
      `The worker is shutting down and its handlers had ${timeoutMs} ms (shutdownTimeoutMs) to finish; this one did not, ` +
        'so its message will be released for redelivery once this handler returns. Stop the work and return; raise shutdownTimeoutMs if handlers need longer.',
    );
    this.timeoutMs = timeoutMs;
  }
}
