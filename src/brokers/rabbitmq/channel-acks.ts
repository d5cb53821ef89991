import type { AmqpChannel, AmqpMessage } from './connection.js';

/**
 * The acknowledgements of one consuming channel, coalesced: acks made during one turn of the
 * event loop go out together, as one `multiple` ack for the run of delivery tags that starts
 * at the oldest unsettled delivery, and single acks for the rest. Nacks go out at once.
 *
 * Delivery tags count up from 1 on a channel, so the transport knows every tag it was handed
 * and which of them are unsettled; a `multiple` ack never covers a tag that is still leased,
 * buffered or being retried. An ack still waiting when its channel closes is lost with the
 * channel, and the broker delivers that message again (at least once, as with any lost ack).
 */
export class ChannelAcks {
  readonly #channel: AmqpChannel;
  /** Tags delivered on this channel and neither acked nor nacked yet (acks still waiting included). */
  readonly #unsettled = new Set<number>();
  /** Tags acked by the transport, not yet sent. */
  readonly #waiting = new Set<number>();
  /** The lowest unsettled tag, or the next tag to come when none is unsettled. */
  #oldest = 1;
  #scheduled = false;

  constructor(channel: AmqpChannel) {
    this.#channel = channel;
  }

  /** Records a delivery pushed by the broker. */
  delivered(message: AmqpMessage): void {
    const tag = message.fields.deliveryTag;
    if (this.#unsettled.size === 0) this.#oldest = tag;
    this.#unsettled.add(tag);
  }

  /** Acknowledges a delivery with the next flush (in this turn of the event loop). */
  ack(message: AmqpMessage): void {
    this.#waiting.add(message.fields.deliveryTag);
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.flush();
    });
  }

  /** Gives a delivery back (`requeue`) or rejects it, at once. */
  nack(message: AmqpMessage, requeue: boolean): void {
    const tag = message.fields.deliveryTag;
    this.#settle(tag);
    this.#channel.nack(message, false, requeue);
  }

  /** Sends the waiting acks now: one `multiple` ack for the oldest run, then single ones. */
  flush(): void {
    this.#scheduled = false;
    if (this.#waiting.size === 0) return;
    let upTo = 0;
    while (this.#waiting.has(this.#oldest)) {
      upTo = this.#oldest;
      this.#settle(upTo);
    }
    try {
      // Every tag below the run is settled already, so `multiple` acks exactly the run.
      if (upTo > 0) this.#channel.ack(tagged(upTo), true);
      for (const tag of this.#waiting) {
        this.#settle(tag);
        this.#channel.ack(tagged(tag), false);
      }
    } catch {
      // The channel is closing: the broker requeues its unacknowledged messages itself.
    }
    this.#waiting.clear();
  }

  #settle(tag: number): void {
    this.#waiting.delete(tag);
    if (!this.#unsettled.delete(tag) || tag !== this.#oldest) return;
    if (this.#unsettled.size === 0) {
      this.#oldest = tag + 1;
      return;
    }
    do this.#oldest++;
    while (!this.#unsettled.has(this.#oldest));
  }
}

/** What amqplib's `ack` reads from a message: its delivery tag. */
function tagged(deliveryTag: number): AmqpMessage {
  return { fields: { deliveryTag } } as AmqpMessage;
}
