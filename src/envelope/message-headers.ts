/**
 * The header names of the envelope, as written by `encodeMessage` and read by `decodeMessage`.
 *
 * All are lowercase and all values are strings. Transports store headers as they are; an
 * application may add its own headers beside these, under other names.
 *
 * - `id`, `name`, `version`, `contentType`, `sentAt` are written on every message.
 * - `correlationId` is written on every message (the message's own id when none is given);
 *   `causationId`, `traceparent`, `tracestate` only when given.
 * - `attempt` and `errorHistory` are written by `appendErrorHistory` when a failed message is
 *   retried; a message without them is on its first attempt with no errors.
 */
export const MessageHeader = {
  /** The time-sortable message id (UUIDv7). */
  id: 'message-id',
  /** The stable message name from the registry. */
  name: 'message-name',
  /** The payload version, a positive integer. */
  version: 'message-version',
  /** The codec's MIME type, such as `application/json`. */
  contentType: 'content-type',
  /** When the message was first sent, as an ISO 8601 UTC string. */
  sentAt: 'sent-at',
  /** The id shared by every message of one conversation. */
  correlationId: 'correlation-id',
  /** The id of the message whose handler sent this one. */
  causationId: 'causation-id',
  /** The W3C Trace Context `traceparent`. */
  traceparent: 'traceparent',
  /** The W3C Trace Context `tracestate`. */
  tracestate: 'tracestate',
  /** Which handling attempt this is, starting at 1. */
  attempt: 'attempt',
  /** The last errors, as a JSON array of `{ name, message, at }`. */
  errorHistory: 'error-history',
} as const;

/** One of the {@link MessageHeader} names. */
export type MessageHeader = (typeof MessageHeader)[keyof typeof MessageHeader];
