/**
 * Per-dispatch information that travels beside a message through middleware to its handler.
 *
 * `bus.dispatch(message, context)` hands it to every middleware and to the handler as their
 * last argument; a middleware may pass another one on with `next(message, context)`.
 * Dispatching without a context passes `undefined`. Applications may add their own fields
 * by declaration merging (`declare module 'troopy' { interface DispatchContext { user?: User } }`).
 */
export interface DispatchContext {
  /** Message headers, such as a correlation id or a W3C `traceparent`. */
  headers?: Record<string, string>;
  /** Fires when the caller (or a worker shutting down) gives up on the message. */
  signal?: AbortSignal;
}
