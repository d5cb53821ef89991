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
  headers?: Record<string, string> | undefined;
  /** Fires when the caller (or a worker shutting down) gives up on the message. */
  signal?: AbortSignal | undefined;
  /** The id of the message being handled; set by the worker for a message it received. */
  messageId?: string | undefined;
  /** How many times the broker has handed this message out, this time included (1 at first); set by the worker. */
  deliveryCount?: number | undefined;
  /** Which attempt this is: 1 at first, one more after each retry; set by the worker. */
  attempt?: number | undefined;
  /**
   * Ties together every message that one original request caused. The worker sets it from the
   * received message; a dispatch that is sent to a transport passes it on.
   */
  correlationId?: string | undefined;
  /** The id of the message whose handling caused this one; set by the worker. */
  causationId?: string | undefined;
  /**
   * The name of the transport a message was received from; set by the worker. A dispatch whose
   * context has it is handled in this process even when its class is routed to a transport, so
   * a received command is never sent back. Give a nested dispatch a fresh context, not this one.
   */
  receivedFrom?: string | undefined;
}
