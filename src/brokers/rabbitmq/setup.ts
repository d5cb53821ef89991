import { describeThrown } from '../../describe.js';
import { TransportUnavailableError } from '../../transport/transport-errors.js';
import { ChannelSlot } from './channel-slot.js';
import type { RabbitMqConnection } from './connection.js';
import { delayBucket, delayQueueArguments } from './delay-buckets.js';
import { RabbitMqTopologyError } from './errors.js';
import type { ResolvedRabbitMqOptions } from './options.js';

/** The main queue's arguments: quorum, and what the broker dead-letters itself (a delivery limit, a policy) goes to the dead letters, at least once. */
function mainQueueArguments(deadLetterQueue: string): Record<string, unknown> {
  return {
    'x-queue-type': 'quorum',
    'x-dead-letter-exchange': '',
    'x-dead-letter-routing-key': deadLetterQueue,
    'x-dead-letter-strategy': 'at-least-once',
    'x-overflow': 'reject-publish',
  };
}

/**
 * Declares the transport's queues, idempotently, on a channel of their own (a failed
 * declaration closes its channel): the main quorum queue and the dead-letter quorum queue on
 * `setup()`, again after every reconnection (the broker may have lost them), and each delay
 * queue when first needed on a connection.
 */
export class RabbitMqSetup {
  readonly #connection: RabbitMqConnection;
  readonly #options: ResolvedRabbitMqOptions;
  readonly #transport: string;
  readonly #channel: ChannelSlot;
  /** The declaration of the main and dead-letter queues; `generation` is the connection it was made on, once made. */
  #declared: { generation: number | undefined; readonly done: Promise<void> } | undefined;
  #wanted = false;
  /** Delay queue declarations by bucket, each with the connection generation it was made on, once made. */
  readonly #delayQueues = new Map<number, { generation: number | undefined; name: Promise<string> }>();

  constructor(connection: RabbitMqConnection, options: ResolvedRabbitMqOptions, transport: string) {
    this.#connection = connection;
    this.#options = options;
    this.#transport = transport;
    this.#channel = new ChannelSlot(connection);
  }

  /** Declares the main and dead-letter queues (again, if asked twice); later reconnections declare them again too. */
  async setup(): Promise<void> {
    this.#wanted = true;
    this.#declared = undefined;
    await this.ensure('set up');
  }

  /** After `setup()`: declares the queues again if the connection is new since they were. */
  async ensure(operation: string): Promise<void> {
    if (!this.#wanted) return;
    const declared = this.#declared;
    if (declared !== undefined && (declared.generation === undefined || declared.generation === this.#connection.generation)) {
      await declared.done;
      return;
    }
    const record: { generation: number | undefined; done: Promise<void> } = { generation: undefined, done: Promise.resolve() };
    record.done = this.#declareMain(operation).then(
      (generation) => {
        record.generation = generation;
      },
      (error: unknown) => {
        if (this.#declared === record) this.#declared = undefined;
        throw error;
      },
    );
    this.#declared = record;
    await record.done;
  }

  /** Forgets what was declared, so that the next `ensure` declares again (the queue was deleted under us). */
  forget(): void {
    this.#declared = undefined;
    this.#delayQueues.clear();
  }

  /** The delay queue for `delayMs` (whole milliseconds, at least 1), declared on first use on each connection. */
  async delayQueue(delayMs: number): Promise<string> {
    const bucket = delayBucket(delayMs);
    const known = this.#delayQueues.get(bucket);
    if (known !== undefined && (known.generation === undefined || known.generation === this.#connection.generation)) return known.name;
    const name = `${this.#options.delayQueuePrefix}${bucket}`;
    const record: { generation: number | undefined; name: Promise<string> } = { generation: undefined, name: Promise.resolve(name) };
    record.name = this.#declare('declare a delay queue', name, delayQueueArguments(this.#options.queue, bucket)).then(
      (generation) => {
        record.generation = generation;
        return name;
      },
      (error: unknown) => {
        if (this.#delayQueues.get(bucket) === record) this.#delayQueues.delete(bucket);
        throw error;
      },
    );
    this.#delayQueues.set(bucket, record);
    return record.name;
  }

  /** Closes the declaring channel. */
  close(): Promise<void> {
    return this.#channel.close();
  }

  /** Declares the main and dead-letter queues; resolves with the connection generation they were declared on. */
  async #declareMain(operation: string): Promise<number> {
    const { queue, deadLetterQueue } = this.#options;
    await this.#declare(operation, deadLetterQueue, { 'x-queue-type': 'quorum' });
    return this.#declare(operation, queue, mainQueueArguments(deadLetterQueue));
  }

  /** Declares one durable queue; resolves with the connection generation it was declared on. */
  async #declare(operation: string, queue: string, args: Record<string, unknown>): Promise<number> {
    const { channel } = await this.#channel.get(operation);
    const generation = this.#connection.generation;
    try {
      await channel.assertQueue(queue, { durable: true, arguments: args });
      return generation;
    } catch (error) {
      const code = (error as { readonly code?: unknown }).code;
      if (code === 406) {
        throw new RabbitMqTopologyError(
          this.#transport,
          queue,
          `it exists with other arguments than ${JSON.stringify(args)} (RabbitMQ: ${describeThrown(error).message}). ` +
            'Delete the queue (its messages too) or choose another queue name.',
          { cause: error },
        );
      }
      if (error instanceof TransportUnavailableError) throw error;
      throw this.#connection.unavailable(operation, `did not declare queue "${queue}" (${describeThrown(error).message})`, error);
    }
  }
}
