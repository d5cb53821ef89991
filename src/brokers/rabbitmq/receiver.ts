import { describeThrown } from '../../describe.js';
import type { Delivery, ReceiveOptions } from '../../transport/transport.js';
import { ChannelAcks } from './channel-acks.js';
import { ChannelSlot, type OpenChannel } from './channel-slot.js';
import type { AmqpMessage, RabbitMqConnection } from './connection.js';
import { RabbitMqTopologyError } from './errors.js';
import { Leases, type Arrival, type Lease } from './leases.js';
import type { ResolvedRabbitMqOptions } from './options.js';
import type { RabbitMqSetup } from './setup.js';
import { WaitingReceives } from './waiting-receives.js';
import { readMessage } from './wire.js';

/** The consumer on the queue: its channel, tag and prefetch. */
interface Consumer {
  readonly open: OpenChannel;
  readonly tag: string;
  /** Less than the target when deliveries of an earlier consumer on the channel were unsettled as it started. */
  readonly prefetch: number;
}
/**
 * Maps the pull-style `receive` onto an AMQP consumer. The broker pushes up to `prefetch`
 * unacknowledged deliveries (basic.consume with a per-consumer prefetch, one round trip for
 * a whole stream of messages, where basic.get costs one per message); they wait in a buffer
 * and each `receive` hands out up to `max` of them, leasing each from that moment.
 *
 * - The prefetch is the `prefetch` option, or the largest `max` asked for (a worker asks
 *   for its free slots first, so its concurrency), so a worker holds no more deliveries than
 *   it can run, and competing workers share the queue. Per-consumer prefetch counts only one
 *   consumer's deliveries, so a new consumer on a channel (after a pause, or for a larger
 *   prefetch) starts short by what is still unsettled there, and is replaced by a full one
 *   once nothing is: the process never holds more than the prefetch.
 * - Buffered deliveries nobody receives within `prefetchHoldMs` are given back and consuming
 *   pauses until the next `receive`, so a stopped worker holds nothing.
 * - When the channel closes (connection loss, channel error, `consumer_timeout`), the broker
 *   requeues every delivery on it; pending receives resolve empty and the next one consumes
 *   on a new channel. Receipts of the old channel are then stale and settle nothing.
 */
export class RabbitMqReceiver {
  readonly leases: Leases;
  readonly #connection: RabbitMqConnection;
  readonly #setup: RabbitMqSetup;
  readonly #options: ResolvedRabbitMqOptions;
  readonly #transport: string;
  readonly #slot: ChannelSlot;
  #consumer: Consumer | undefined;
  /** How many deliveries this process may hold unsettled: the `prefetch` option, or the largest `max` asked for. */
  #target = 0;
  /** The acknowledgements of the open consuming channel. */
  #acks: { readonly open: OpenChannel; readonly acks: ChannelAcks } | undefined;
  /** Changes to the consumer (subscribe, pause) run one at a time. */
  #changing: Promise<unknown> = Promise.resolve();
  #buffer: Arrival[] = [];
  /** A receive that finds nothing buffered waits here; once one is resolved, the buffer may be held again. */
  readonly #waiting = new WaitingReceives(() => {
    this.#hold();
  });
  /** Signals with an abort listener already: a worker passes the same signal to every receive. */
  readonly #watched = new WeakSet<AbortSignal>();
  #wakeScheduled = false;
  #holdTimer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(connection: RabbitMqConnection, setup: RabbitMqSetup, options: ResolvedRabbitMqOptions, transport: string) {
    this.#connection = connection;
    this.#setup = setup;
    this.#options = options;
    this.#transport = transport;
    this.#slot = new ChannelSlot(connection, (open) => {
      this.#lost(open);
    });
    this.leases = new Leases(options.maxLeaseMs, (lease) => {
      this.settle(lease, 'requeue');
    });
  }

  /** Leases up to `max` deliveries, waiting up to `waitMs` for the first; options are checked by the caller. */
  async receive(options: ReceiveOptions): Promise<Delivery[]> {
    if (this.#stopped(options)) return [];
    this.#watch(options.signal);
    await this.#subscribe(options.max);
    if (this.#stopped(options)) return [];
    const taken = this.#take(options);
    if (taken.length > 0 || options.waitMs === 0) return taken;
    const waiting = this.#waiting.wait(options);
    clearTimeout(this.#holdTimer);
    this.#holdTimer = undefined;
    return waiting;
  }

  /**
   * Ends the receives waiting on `signal` when it aborts; one listener per signal. With no other
   * receive waiting then, whoever received with it has stopped (a worker at shutdown): consuming
   * stops at once. Otherwise the broker would go on pushing into the buffer (a message this
   * transport releases, or the next one after an ack), and a message pushed and given back unread
   * (at the close, or after `prefetchHoldMs`) counts one delivery more on the quorum queue.
   */
  #watch(signal: AbortSignal | undefined): void {
    if (signal === undefined || this.#watched.has(signal)) return;
    this.#watched.add(signal);
    signal.addEventListener(
      'abort',
      () => {
        this.#waiting.finishAll((waiter) => waiter.options.signal === signal);
        if (this.#waiting.length > 0 || this.#closed) return;
        clearTimeout(this.#holdTimer);
        this.#holdTimer = undefined;
        this.#changing = this.#changing.then(() => this.#pause(true)).catch(() => undefined);
      },
      { once: true },
    );
  }

  /** Whether a receive must end at once: the transport closed, or its signal aborted (read through a call, since both change while we await). */
  #stopped(options: ReceiveOptions): boolean {
    return this.#closed || options.signal?.aborted === true;
  }

  /** Whether `lease` was delivered on the channel that is open now (else its tag is dead). */
  current(lease: Lease): boolean {
    return !this.#closed && this.#slot.open === lease.arrival.open;
  }

  /** Acknowledges (with the next coalesced flush), or gives back for redelivery, a claimed lease, if its channel still lives. */
  settle(lease: Lease, outcome: 'ack' | 'requeue'): void {
    if (!this.current(lease)) return;
    const acks = this.#acksOf(lease.arrival.open);
    try {
      if (outcome === 'ack') acks.ack(lease.arrival.message);
      else acks.nack(lease.arrival.message, true);
    } catch {
      // The channel is closing: the broker requeues the message itself.
    }
  }

  /** Resolves pending receives with nothing and closes the consuming channel (the broker requeues what it held). */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#holdTimer);
    this.#waiting.close();
    this.#buffer = [];
    this.leases.clear();
    // Acks still waiting go out before the channel closes (AMQP keeps their order).
    this.#acks?.acks.flush();
    await this.#slot.close();
  }

  async #subscribe(max: number): Promise<void> {
    this.#target = Math.max(this.#target, this.#options.prefetch ?? Math.min(max, 65_535));
    const consumer = this.#consumer;
    // A consumer that started short (see #consume), or whose target grew, is replaced only when
    // nothing is unsettled on its channel, so that the process never holds more than the target.
    if (consumer !== undefined && this.#slot.open === consumer.open && (consumer.prefetch >= this.#target || this.#unsettled(consumer.open) > 0)) return;
    const change = this.#changing.then(() => this.#consume());
    this.#changing = change.catch(() => undefined);
    await change;
  }

  /**
   * Starts a consumer (cancelling the one before it on the same channel). Per-consumer prefetch
   * counts only that consumer's deliveries, so the new one's prefetch leaves out what is still
   * unsettled on the channel: the process never holds more than the target.
   */
  async #consume(): Promise<void> {
    const previous = this.#consumer;
    if (
      this.#closed ||
      (previous !== undefined && this.#slot.open === previous.open && (previous.prefetch >= this.#target || this.#unsettled(previous.open) > 0))
    ) {
      return;
    }
    await this.#setup.ensure('receive');
    const open = await this.#slot.get('receive');
    const prefetch = Math.max(1, this.#target - this.#unsettled(open));
    try {
      await open.channel.prefetch(prefetch);
      const onMessage = (message: AmqpMessage | null): void => {
        this.#arrive(open, message);
      };
      const { consumerTag } = await open.channel.consume(this.#options.queue, onMessage, { noAck: false });
      this.#consumer = { open, tag: consumerTag, prefetch };
      if (previous !== undefined && previous.open === open) await open.channel.cancel(previous.tag);
    } catch (error) {
      if ((error as { readonly code?: unknown }).code === 404) {
        this.#setup.forget();
        throw new RabbitMqTopologyError(
          this.#transport,
          this.#options.queue,
          'it does not exist. Call setup() first (a worker does), or check the queue name.',
          { cause: error },
        );
      }
      throw this.#connection.unavailable('receive', `did not start consuming (${describeThrown(error).message})`, error);
    }
  }

  /** Deliveries on `open` leased or buffered, not yet settled. */
  #unsettled(open: OpenChannel): number {
    const on = (arrival: Arrival): boolean => arrival.open === open;
    return this.leases.count(on) + this.#buffer.filter(on).length;
  }

  #arrive(open: OpenChannel, message: AmqpMessage | null): void {
    if (message === null) {
      // The broker cancelled the consumer: the queue was deleted. Declare again on the next receive.
      if (this.#consumer?.open === open) this.#consumer = undefined;
      this.#setup.forget();
      this.#waiting.finishAll();
      return;
    }
    if (this.#closed || this.#slot.open !== open) return;
    this.#acksOf(open).delivered(message);
    this.#buffer.push({ message, open, arrivedAt: Date.now() });
    if (this.#waiting.length === 0) {
      this.#hold();
    } else if (!this.#wakeScheduled) {
      // Deliveries come in bursts from one socket read; hand the burst out together.
      this.#wakeScheduled = true;
      setImmediate(() => {
        this.#wakeScheduled = false;
        this.#wake();
      });
    }
  }

  #wake(): void {
    while (this.#buffer.length > 0) {
      const waiter = this.#waiting.first;
      if (waiter === undefined) break;
      this.#waiting.finish(waiter, this.#take(waiter.options));
    }
  }

  #take(options: ReceiveOptions): Delivery[] {
    const deliveries: Delivery[] = [];
    const now = Date.now();
    const count = Math.min(options.max, this.#buffer.length);
    for (const arrival of this.#buffer.splice(0, count)) {
      const { message, open } = arrival;
      const read = readMessage(message, `amqp-${open.serial}-${message.fields.deliveryTag}`);
      const deliveryCount = read.previousDeliveries + 1;
      const receipt = this.leases.add(arrival, read.id, deliveryCount, options.leaseMs, now);
      deliveries.push({ id: read.id, headers: read.headers, body: read.body, receipt, deliveryCount });
    }
    return deliveries;
  }

  /** With deliveries buffered and nobody receiving, gives them back after `prefetchHoldMs`. */
  #hold(): void {
    if (this.#holdTimer !== undefined || this.#buffer.length === 0 || this.#waiting.length > 0 || this.#closed) return;
    this.#holdTimer = setTimeout(() => {
      this.#holdTimer = undefined;
      this.#changing = this.#changing.then(() => this.#pause()).catch(() => undefined);
    }, this.#options.prefetchHoldMs);
    this.#holdTimer.unref();
  }

  /**
   * Cancels the consumer and gives the buffered deliveries back; the next receive consumes again.
   * Does nothing while a receive waits, nor, unless `always`, with nothing buffered.
   */
  async #pause(always = false): Promise<void> {
    if (this.#waiting.length > 0 || (this.#buffer.length === 0 && !always)) return;
    const consumer = this.#consumer;
    this.#consumer = undefined;
    if (consumer !== undefined && this.#slot.open === consumer.open) await consumer.open.channel.cancel(consumer.tag).catch(() => undefined);
    // Deliveries that came before the cancel took effect are in the buffer too.
    if (this.#waiting.length > 0) {
      this.#wake();
      return;
    }
    const given = this.#buffer;
    this.#buffer = [];
    for (const arrival of given) {
      if (this.#slot.open !== arrival.open) continue;
      try {
        this.#acksOf(arrival.open).nack(arrival.message, true);
      } catch {
        // The channel is closing: the broker requeues them itself.
      }
    }
  }

  /** The acknowledgements of `open`, the channel open now. */
  #acksOf(open: OpenChannel): ChannelAcks {
    if (this.#acks?.open !== open) this.#acks = { open, acks: new ChannelAcks(open.channel) };
    return this.#acks.acks;
  }

  /** A channel of the slot closed: its deliveries are back on the queue, its receipts stale. */
  #lost(open: OpenChannel): void {
    if (this.#consumer?.open === open) this.#consumer = undefined;
    if (this.#acks?.open === open) this.#acks = undefined;
    this.#buffer = this.#buffer.filter((arrival) => arrival.open !== open);
    this.leases.drop(open);
    this.#waiting.finishAll();
  }
}
