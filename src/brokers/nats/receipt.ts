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
