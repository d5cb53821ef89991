/** What a send resolves with once the broker has durably accepted the message. */
export interface SendReceipt {
  /** The message id, as the worker will see it in `context.messageId`. */
  readonly id: string;
  /** The name of the transport the message was sent to. */
  readonly transport: string;
}

/** Options of one send. */
export interface SendOptions {
  /** Deliver no earlier than this many milliseconds from now. Not together with `notBefore`. @default 0 */
  readonly delayMs?: number | undefined;
  /** Deliver no earlier than this time (a Date or epoch milliseconds). Not together with `delayMs`. @default now */
  readonly notBefore?: Date | number | undefined;
  /**
   * More headers to send. `correlation-id`, `causation-id`, `traceparent` and `tracestate` here
   * win over those inherited from the message being handled; the other envelope headers
   * (`message-id`, `attempt`...) are set by troopy and refused here.
   * @default none
   */
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /** The conversation's id. @default the handled message's, else the new message's own id */
  readonly correlationId?: string | undefined;
}
