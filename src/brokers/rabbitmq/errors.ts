/** Thrown (as a rejection) by the first operation of a RabbitMQ transport when the `amqplib` package cannot be loaded. */
export class RabbitMqClientMissingError extends Error {
  override name = 'RabbitMqClientMissingError';

  constructor(cause: unknown) {
    super(
      'troopy/rabbitmq needs the "amqplib" package (version 1.2 or newer), which could not be loaded. ' +
        'Install it with `npm install amqplib`, or pass your own connection as option "connection".',
      { cause },
    );
  }
}

/**
 * Thrown (as a rejection) when the broker's queues do not match what the transport needs: a
 * queue exists with other arguments than the transport declares, or a message was returned
 * because its queue does not exist.
 */
export class RabbitMqTopologyError extends Error {
  override name = 'RabbitMqTopologyError';

  /** The name of the transport, such as `rabbitmq:troopy.commands`. */
  readonly transport: string;
  /** The queue concerned. */
  readonly queue: string;

  constructor(transport: string, queue: string, problem: string, options?: { readonly cause?: unknown }) {
    super(`Transport "${transport}", queue "${queue}": ${problem}`, options);
    this.transport = transport;
    this.queue = queue;
  }
}

/**
 * Thrown (as a rejection) by `extendLease` when the lease would outlast the broker's
 * `consumer_timeout`: RabbitMQ closes a channel holding a delivery unacknowledged for longer,
 * so the transport gives the message back just before that bound instead. The lease still
 * runs to the bound; the handler is not stopped, but its message will be delivered again.
 * Raise `consumer_timeout` on the broker and the transport's `consumerTimeoutMs` together for
 * handlers that run longer.
 */
export class RabbitMqLeaseLimitError extends Error {
  override name = 'RabbitMqLeaseLimitError';

  /** The name of the transport. */
  readonly transport: string;
  /** The longest a delivery may stay leased, from its arrival, in milliseconds. */
  readonly maxLeaseMs: number;

  constructor(transport: string, messageId: string, maxLeaseMs: number) {
    super(
      `Transport "${transport}" cannot extend the lease of message "${messageId}" beyond ${maxLeaseMs} ms after its delivery: ` +
        `RabbitMQ's consumer_timeout bounds how long a delivery may stay unacknowledged, so the message will be given back ` +
        `for redelivery at that bound. Raise consumer_timeout on the broker and the option "consumerTimeoutMs" for longer handlers.`,
    );
    this.transport = transport;
    this.maxLeaseMs = maxLeaseMs;
  }
}
