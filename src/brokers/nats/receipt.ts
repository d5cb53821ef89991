import type { Delivery } from '../../transport/transport.js';
import type { NatsNames } from './options.js';

/** What a JetStream delivery's acknowledgement subject tells about it. */
export interface ReceiptInfo {
  readonly stream: string;
  readonly consumer: string;
  /** How many times the consumer has delivered the message, this time included. */
  readonly deliveryCount: number;
  /** The message's sequence in its stream. */
  readonly streamSeq: number;
}

/**
 * Reads an acknowledgement subject: `$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<time>.<pending>`,
 * or the longer form with a domain and an account hash after `$JS.ACK`. `undefined` when
 * `subject` is not one.
 */
export function readReceipt(subject: string): ReceiptInfo | undefined {
  const tokens = subject.split('.');
  if (tokens[0] !== '$JS' || tokens[1] !== 'ACK') return undefined;
  const at = tokens.length === 9 ? 2 : tokens.length >= 11 ? 4 : -1;
  if (at < 0) return undefined;
  const [stream = '', consumer = '', delivered, sequence] = tokens.slice(at, at + 4);
  const deliveryCount = Number(delivered);
  const streamSeq = Number(sequence);
  if (stream === '' || consumer === '' || !Number.isSafeInteger(deliveryCount) || deliveryCount < 1 || !Number.isSafeInteger(streamSeq)) return undefined;
  return { stream, consumer, deliveryCount, streamSeq };
}

/**
 * Reads the receipt of a delivery given to an outcome.
 *
 * @param operation the call, for the message: `ack`, `extend a lease`.
 * @throws {TypeError} when the receipt is not an acknowledgement subject of the queue's consumer
 * (a delivery not received from this queue).
 */
export function deliveryReceipt(delivery: Delivery, names: NatsNames, transport: string, operation: string): ReceiptInfo {
  const receipt: unknown = (delivery as Partial<Delivery> | null)?.receipt;
  const info = typeof receipt === 'string' ? readReceipt(receipt) : undefined;
  const { stream, consumer } = names;
  if (info === undefined || info.stream !== stream || info.consumer !== consumer) {
    throw new TypeError(
      `${transport} ${operation}(): the delivery's receipt ${JSON.stringify(receipt)} is not an acknowledgement subject of consumer "${consumer}" ` +
        `of stream "${stream}"; pass a delivery received from this transport.`,
    );
  }
  return info;
}
