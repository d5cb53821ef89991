import { NANOS_PER_MS, type JetStreamConfig, type NatsConnection } from './connection.js';
import type { ConsumerLease } from './consumer-lease.js';
import { JetStreamRequestError, NatsSetupError } from './errors.js';
import type { ResolvedNatsOptions } from './options.js';
/** JetStream's answer to creating a stream that exists with another configuration. */
const STREAM_NAME_IN_USE = 10058;
/** How long the delayed-message mover may hold a message before it is given to another mover. */
const DELAYED_ACK_WAIT_MS = 30_000;

/**
 * Runs the transport's setup ({@link setUpJetStream}) when it is asked for, and before the first
 * send or receive: concurrent calls share one run, a failed run is tried again by the next call,
 * and a send or receive that fails makes the next one set up again, in case the stream or the
 * consumer was deleted.
 */
export class NatsSetup {
  readonly #connection: NatsConnection;
  readonly #transport: string;
  readonly #options: ResolvedNatsOptions;
  readonly #lease: ConsumerLease;
  #running: Promise<void> | undefined;
  #ready = false;

  constructor(connection: NatsConnection, transport: string, options: ResolvedNatsOptions, lease: ConsumerLease) {
    this.#connection = connection;
    this.#transport = transport;
    this.#options = options;
    this.#lease = lease;
  }

  /** Creates or updates the streams and consumers, and takes note of the consumer's `AckWait`. */
  run(): Promise<void> {
    this.#running ??= setUpJetStream(this.#connection, this.#transport, this.#options, this.#lease.ms).then(
      (leaseMs) => {
        this.#running = undefined;
        this.#lease.ms = leaseMs;
        this.#ready = true;
      },
      (error: unknown) => {
        this.#running = undefined;
        throw error;
      },
    );
    return this.#running;
  }

  /** Runs the setup unless it has run since the last failed send or receive. */
  async ensure(): Promise<void> {
    if (!this.#ready) await this.run();
  }

  /** Resolves as `work` does; when it fails, the next {@link ensure} sets up again. */
  async watch<T>(work: Promise<T>): Promise<T> {
    try {
      return await work;
    } catch (error) {
      this.#ready = false;
      throw error;
    }
  }
}

/**
 * Creates or updates what the transport needs, so that it may run any number of times:
 * - the stream of the queue, with work-queue retention (an acknowledged message is deleted, and
 *   nothing is deleted before it is acknowledged; limits retention would keep acknowledged
 *   messages until an age or size limit, which could also drop unacknowledged ones), on `subject`
 *   and `${subject}.delayed`, refusing new messages rather than dropping old ones if an operator
 *   gives it a size limit;
 * - the dead-letter stream, with limits retention and one message per subject, on `${subject}.dead.*`;
 * - the durable pull consumer of the queue: explicit acks, `MaxDeliver`, and `AckWait` = `leaseMs`
 *   when it is created (an existing consumer keeps its `AckWait`: the workers' receives set it);
 * - the durable pull consumer of the delayed messages.
 *
 * A stream that exists with other settings is updated, except its retention and storage, which
 * JetStream cannot change: that is a `NatsSetupError`.
 *
 * @returns the consumer's `AckWait` in milliseconds.
 */
export async function setUpJetStream(connection: NatsConnection, transport: string, options: ResolvedNatsOptions, leaseMs: number): Promise<number> {
  const { names, storage, replicas, maxDeliver } = options;
  await ensureStream(connection, transport, {
    name: names.stream,
    subjects: [names.subject, names.delayedSubject],
    retention: 'workqueue',
    discard: 'new',
    storage,
    num_replicas: replicas,
  });
  await ensureStream(connection, transport, {
    name: names.deadLetterStream,
    subjects: [`${names.deadLetterSubject}.*`],
    retention: 'limits',
    storage,
    num_replicas: replicas,
    max_msgs_per_subject: 1,
  });
  const operation = 'set up the consumer';
  const existing = await connection.consumerConfig(operation, names.stream, names.consumer);
  const consumer: JetStreamConfig = {
    durable_name: names.consumer,
    filter_subject: names.subject,
    deliver_policy: 'all',
    ack_policy: 'explicit',
    ack_wait: typeof existing?.['ack_wait'] === 'number' ? existing['ack_wait'] : leaseMs * NANOS_PER_MS,
    max_deliver: maxDeliver === Infinity ? -1 : maxDeliver,
  };
  if (existing === undefined || Object.entries(consumer).some(([key, value]) => existing[key] !== value)) {
    await connection.addConsumer(operation, names.stream, consumer);
  }
  await connection.addConsumer('set up the delayed-message consumer', names.stream, {
    durable_name: names.delayedConsumer,
    filter_subject: names.delayedSubject,
    deliver_policy: 'all',
    ack_policy: 'explicit',
    ack_wait: DELAYED_ACK_WAIT_MS * NANOS_PER_MS,
    max_deliver: -1,
    // Every delayed message stays pending on this consumer until it is due.
    max_ack_pending: -1,
  });
  return (consumer['ack_wait'] as number) / NANOS_PER_MS;
}

/** Sets the consumer's `AckWait`, the lease of every delivery it makes from now on and of those it made. */
export async function setLease(connection: NatsConnection, options: ResolvedNatsOptions, leaseMs: number): Promise<void> {
  await connection.updateConsumer('change the lease', options.names.stream, options.names.consumer, { ack_wait: leaseMs * NANOS_PER_MS });
}

async function ensureStream(connection: NatsConnection, transport: string, config: JetStreamConfig & { name: string }): Promise<void> {
  const operation = `set up stream "${config.name}"`;
  try {
    await connection.addStream(operation, config);
    return;
  } catch (error) {
    if (!(error instanceof JetStreamRequestError && error.apiCode === STREAM_NAME_IN_USE)) throw error;
  }
  const existing = await connection.streamConfig(operation, config.name);
  if (existing === undefined) return connection.addStream(operation, config);
  for (const setting of ['retention', 'storage']) {
    if (existing[setting] !== config[setting]) throw new NatsSetupError(transport, config.name, setting, existing[setting], config[setting]);
  }
  await connection.updateStream(operation, config.name, { ...existing, ...config });
}
