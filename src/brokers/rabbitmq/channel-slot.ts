import type { AmqpChannel, RabbitMqConnection } from './connection.js';

/** A channel as a {@link ChannelSlot} hands it out: the channel and its serial number. */
export interface OpenChannel {
  readonly channel: AmqpChannel;
  /** Unique per channel the transport opened; a receipt names it so a stale one is recognised. */
  readonly serial: number;
}

let serials = 0;

/**
 * One channel for one role (sending, declaring, consuming), opened on first use and opened
 * again after it closed: a broker-side channel error (a failed declaration, an unknown
 * delivery tag, `consumer_timeout`) or the connection's loss ends a channel, not the transport.
 */
export class ChannelSlot {
  readonly #connection: RabbitMqConnection;
  readonly #onClose: ((open: OpenChannel) => void) | undefined;
  #current: Promise<OpenChannel> | undefined;
  #open: OpenChannel | undefined;

  /** @param onClose is told when a channel of this slot has closed, for whatever reason. */
  constructor(connection: RabbitMqConnection, onClose?: (open: OpenChannel) => void) {
    this.#connection = connection;
    this.#onClose = onClose;
  }

  /** The channel opened and not yet closed, if any, without waiting. */
  get open(): OpenChannel | undefined {
    return this.#open;
  }

  /** The open channel, opening one when there is none. */
  get(operation: string): Promise<OpenChannel> {
    this.#current ??= this.#connection.channel(operation).then(
      (channel) => {
        const open = { channel, serial: ++serials };
        this.#open = open;
        channel.once('close', () => {
          if (this.#open === open) {
            this.#open = undefined;
            this.#current = undefined;
          }
          this.#onClose?.(open);
        });
        return open;
      },
      (error: unknown) => {
        this.#current = undefined;
        throw error;
      },
    );
    return this.#current;
  }

  /** Closes the open channel (the broker then requeues what it delivered on it unacknowledged). */
  async close(): Promise<void> {
    const open = this.#open ?? (await this.#current?.catch(() => undefined));
    this.#current = undefined;
    if (open === undefined) return;
    await open.channel.close().catch(() => undefined);
  }
}
