/**
 * A message as a transport carries it: opaque body bytes plus string headers.
 *
 * The body is the encoded command (see `Codec`); the headers carry the envelope (message id,
 * name, version, sent-at, correlation and causation ids, traceparent, attempt and error history).
 * Transports store both as they are and give them back byte for byte.
 */
export interface TransportMessage {
  /** The envelope's message id (time-sortable, unique). Transports may use it as their own key. */
  readonly id: string;
  /** Envelope headers, all strings. */
  readonly headers: Readonly<Record<string, string>>;
  /** The encoded body, never decoded by the transport. */
  readonly body: Uint8Array;
}

/** A message to send, with an optional earliest delivery time. */
export interface OutgoingMessage extends TransportMessage {
  /** Epoch milliseconds before which the message must not be delivered. @default now */
  readonly notBefore?: number | undefined;
}

/** A message leased to one consumer by {@link Transport.receive}. */
export interface Delivery extends TransportMessage {
  /** The broker's own handle on this delivery (stream entry id, delivery tag, row id...). */
  readonly receipt: string;
  /**
   * How many times the broker has handed this message out, this time included (so 1 on the
   * first delivery). It counts deliveries whose consumer died without an answer, so a message
   * that crashes its worker is seen with a growing count.
   */
  readonly deliveryCount: number;
}

/** Why a message goes to the dead letters, kept beside its bytes. */
export interface DeadLetterReason {
  /** A short machine-readable cause: `undecodable`, `unknown-message`, `invalid-payload`, `unrecoverable`, `max-attempts`, `max-deliveries`. */
  readonly code: string;
  /** A human-readable explanation. */
  readonly message: string;
}

/** A dead-lettered message: its original headers and bytes, why it died and when. */
export interface DeadLetter extends TransportMessage {
  readonly reason: DeadLetterReason;
  /** Epoch milliseconds when it was dead-lettered. */
  readonly failedAt: number;
  /** The broker's delivery count when it was dead-lettered. */
  readonly deliveryCount: number;
}

/** Options of {@link Transport.receive}. */
export interface ReceiveOptions {
  /** At most this many deliveries are returned. */
  readonly max: number;
  /** Each returned delivery is leased to this consumer for this long, in milliseconds. */
  readonly leaseMs: number;
  /** How long to wait for a first message before resolving with none, in milliseconds. */
  readonly waitMs: number;
  /** Aborting resolves a pending receive at once (with whatever it has, possibly nothing). */
  readonly signal?: AbortSignal | undefined;
}

/** Connection state reported by {@link Transport.health}. */
export type TransportHealth = 'connected' | 'reconnecting' | 'failed';

/**
 * One queue on one broker, as the worker and the sender see it.
 *
 * The contract every implementation keeps (checked by the transport contract suite):
 * - `send` resolves only once the broker has durably accepted every message (XADD reply,
 *   publisher confirm, COMMIT, PubAck), and rejects when it has not; it never drops silently.
 *   (A broker that de-duplicates by message id, as NATS JetStream does with `Nats-Msg-Id` within
 *   its duplicate window, confirms a second send of an id it holds without storing it again: the
 *   message is there once. Its transport's documentation says so.)
 * - `receive` leases each delivery to this consumer for `leaseMs`. A delivery that is neither
 *   acked, retried, dead-lettered nor released before its lease ends is delivered again, to any
 *   consumer, with `deliveryCount` one higher. All consumers of one queue receive with the same
 *   `leaseMs` (Redis measures a lease against the `leaseMs` of the consumer that reclaims it).
 * - `ack` removes the message for good. `retry` removes this delivery and makes the message
 *   (with the given headers, same body) deliverable again no earlier than `delayMs` from now.
 *   `deadLetter` moves the message with its original bytes to the dead letters, with its
 *   original headers or, when given, the headers passed to it. The dead letters keep one letter
 *   per message id: dead-lettering an id again replaces the older letter.
 *   `release` gives the message back at once, for immediate redelivery. `extendLease` pushes
 *   the lease end to `leaseMs` from now. Once a lease has passed to a newer delivery,
 *   `extendLease` and `release` of the older one do nothing.
 * - Calls reject when the broker cannot be reached (`TransportUnavailableError`); the transport
 *   reconnects by itself, so the caller tries again later (`health()` tells when).
 * - `setup` creates what the transport needs on the broker and may be called any number of times.
 * - `close` resolves pending (and later) receives with no deliveries and releases the
 *   connection; it is safe to call twice. Other calls after it reject (`TransportClosedError`).
 */
export interface Transport {
  /** A name for logs and errors, such as `redis:troopy:commands`. */
  readonly name: string;
  /**
   * The lease every receive must ask for, in milliseconds, when the broker keeps one lease for
   * all consumers of a queue (NATS JetStream's `AckWait`); absent when each receive sets its own.
   * A `Worker` without its own `leaseMs` uses it, and refuses one that differs.
   */
  readonly leaseMs?: number | undefined;
  /** Creates streams, queues, tables or consumer groups; idempotent. */
  setup(): Promise<void>;
  /** Sends messages, resolving after the broker's durable confirm of all of them. */
  send(messages: readonly OutgoingMessage[]): Promise<void>;
  /** Leases up to `max` deliveries, waiting up to `waitMs` for the first. */
  receive(options: ReceiveOptions): Promise<Delivery[]>;
  /** Removes a handled message. */
  ack(delivery: Delivery): Promise<void>;
  /** Schedules the message again after `delayMs`, with new headers (the attempt history). */
  retry(delivery: Delivery, delayMs: number, headers: Readonly<Record<string, string>>): Promise<void>;
  /**
   * Moves the message, with its original bytes, to the dead letters: with the headers it was
   * delivered with, or with `headers` when given (the worker gives them to add the last error
   * to the error history).
   */
  deadLetter(delivery: Delivery, reason: DeadLetterReason, headers?: Readonly<Record<string, string>>): Promise<void>;
  /** Keeps the delivery leased for another `leaseMs` from now. */
  extendLease(delivery: Delivery, leaseMs: number): Promise<void>;
  /** Gives the delivery back for immediate redelivery to any consumer. */
  release(delivery: Delivery): Promise<void>;
  /** The dead letters of this queue. */
  readonly deadLetters: DeadLetterStore;
  /** The connection's state. */
  health(): TransportHealth;
  /** Stops pending receives and closes the connection. */
  close(): Promise<void>;
}

/** The failure store of a transport: list, show, redrive and remove dead letters. */
export interface DeadLetterStore {
  /** Dead letters, oldest first, at most `limit` (default 100). */
  list(options?: { readonly limit?: number | undefined }): Promise<DeadLetter[]>;
  /** One dead letter by message id, or `undefined`. */
  get(id: string): Promise<DeadLetter | undefined>;
  /** Sends the given dead letters (or all) back to the queue, headers and bytes as they were, with a fresh delivery count; returns how many. */
  redrive(ids?: readonly string[]): Promise<number>;
  /** Deletes the given dead letters (or all); returns how many. */
  remove(ids?: readonly string[]): Promise<number>;
}
