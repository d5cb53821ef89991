import type { TransportMessage } from '../../transport/transport.js';
import type { AmqpMessage, AmqpPublishOptions } from './connection.js';

/**
 * How a message travels through RabbitMQ: the message id as the `message-id` property,
 * persistent delivery, and a framed body: a 4-byte big-endian length, the envelope headers as
 * a UTF-8 JSON object of strings, then the message's own bytes. The `content-encoding` property
 * {@link FRAMED_ENCODING} says a body is framed.
 *
 * Headers travel in the body because an AMQP header table is the costliest part of a message:
 * amqplib encodes and decodes it field by field, and the broker parses it on every publish.
 *
 * Messages without the framing (another producer's, or troopy 0.1.0 before the framing) are
 * read too: their AMQP headers with string values are the message's headers. Headers the
 * broker adds (`x-delivery-count`, `x-death`...) and the transport's own dead-letter headers
 * are not given back as message headers.
 */

/** The `content-encoding` of a framed body (see the top of this file). */
export const FRAMED_ENCODING = 'troopy-headers-1';

/** The headers a dead letter carries beside the message's own. */
export const DeadLetterHeader = {
  code: 'troopy-dead-letter-code',
  message: 'troopy-dead-letter-message',
  /** Epoch milliseconds, with a fraction that orders dead letters of the same millisecond. */
  at: 'troopy-dead-letter-at',
  deliveryCount: 'troopy-dead-letter-delivery-count',
} as const;

const deadLetterHeaders = new Set<string>(Object.values(DeadLetterHeader));
/** Headers RabbitMQ writes itself: counts, dead-lettering history, sender-selected distribution. */
const brokerHeader = /^(x-delivery-count|x-acquired-count|x-death|x-first-death-.*|x-last-death-.*|x-received-from|CC|BCC)$/;

/** Whether a header is the broker's or the transport's, not the message's (checked on every delivery, so the regex runs only for `x-`, `C` and `B` names). */
function isForeign(name: string): boolean {
  const first = name.charCodeAt(0);
  if (first === 120 || first === 67 || first === 66) return brokerHeader.test(name);
  return first === 116 && deadLetterHeaders.has(name);
}

/** Why a header cannot be sent through RabbitMQ, or `undefined` when it can. */
export function headerProblem(name: string): string | undefined {
  if (brokerHeader.test(name)) return `header "${name}" is reserved by RabbitMQ`;
  if (deadLetterHeaders.has(name)) return `header "${name}" is reserved for the transport's dead letters`;
  return undefined;
}

/** Why a message id cannot be the AMQP `message-id` (a short string), or `undefined` when it can. */
export function idProblem(id: string): string | undefined {
  // A UTF-16 code unit takes at most 3 bytes in UTF-8, so short ids need no count.
  return id.length > 85 && Buffer.byteLength(id) > 255 ? `id "${id.slice(0, 40)}…" is longer than 255 bytes` : undefined;
}

/** What to publish for a message: its framed body and its properties. */
export interface Framed {
  readonly content: Buffer;
  readonly options: AmqpPublishOptions;
}

/** Frames a message for publishing, with extra headers and an expiration when given. */
export function frame(message: TransportMessage, extra?: Readonly<Record<string, string>>, expirationMs?: number): Framed {
  const json = JSON.stringify(extra === undefined ? message.headers : { ...message.headers, ...extra });
  const { body } = message;
  const length = Buffer.byteLength(json);
  const content = Buffer.allocUnsafe(4 + length + body.byteLength);
  content.writeUInt32BE(length, 0);
  content.write(json, 4, 'utf8');
  content.set(body, 4 + length);
  const options: AmqpPublishOptions = { messageId: message.id, contentEncoding: FRAMED_ENCODING, persistent: true, mandatory: true };
  if (expirationMs !== undefined) options.expiration = String(expirationMs);
  return { content, options };
}

/** What the transport reads back from an AMQP message. */
export interface ReadMessage {
  readonly id: string;
  /** The message's own headers, as strings. */
  readonly headers: Readonly<Record<string, string>>;
  /** The message's own bytes (a view into the delivered content). */
  readonly body: Buffer;
  /** The transport's dead-letter headers, when present. */
  readonly deadLetter: Readonly<Partial<Record<keyof typeof DeadLetterHeader, string>>>;
  /** How many times the broker handed it out before, this time excluded. */
  readonly previousDeliveries: number;
  /** The reason of the broker's own dead-lettering (`delivery_limit`, `rejected`...), when it did. */
  readonly brokerDeath: string | undefined;
}

/**
 * Reads a delivered message. Header values another producer wrote as numbers, booleans or
 * bytes come back as strings; a message without a `message-id` property gets `fallbackId`. A
 * body marked framed whose frame cannot be read is handed over whole, as an unframed one.
 */
export function readMessage(message: AmqpMessage, fallbackId: string): ReadMessage {
  const { properties, content } = message;
  const table = properties.headers as Record<string, unknown> | undefined;
  const framed = properties.contentEncoding === FRAMED_ENCODING ? unframe(content) : undefined;
  const headers: Record<string, string> = {};
  const deadLetter: Partial<Record<keyof typeof DeadLetterHeader, string>> = {};
  if (framed !== undefined) collect(framed.headers, headers, deadLetter);
  let previousDeliveries = 0;
  let brokerDeath: string | undefined;
  if (table !== undefined) {
    collect(table, headers, deadLetter);
    // RabbitMQ 4 counts returned deliveries in x-acquired-count and only failed ones in x-delivery-count.
    previousDeliveries = Math.max(count(table['x-delivery-count']), count(table['x-acquired-count']));
    const death = table['x-first-death-reason'];
    if (death !== undefined) brokerDeath = headerText(death);
  }
  const id = properties.messageId as unknown;
  return {
    id: typeof id === 'string' && id !== '' ? id : fallbackId,
    headers,
    body: framed?.body ?? content,
    deadLetter,
    previousDeliveries,
    brokerDeath,
  };
}

const deadLetterKeys = new Map<string, keyof typeof DeadLetterHeader>(
  Object.entries(DeadLetterHeader).map(([key, name]) => [name, key as keyof typeof DeadLetterHeader]),
);

/** Sorts `source`'s headers into the message's own and the transport's dead-letter ones; broker headers are left out. */
function collect(
  source: Readonly<Record<string, unknown>>,
  headers: Record<string, string>,
  deadLetter: Partial<Record<keyof typeof DeadLetterHeader, string>>,
): void {
  for (const name of Object.keys(source)) {
    if (!isForeign(name)) {
      // Assigning to "__proto__" would set the prototype (or be dropped): keep it as a plain header.
      if (name === '__proto__') Object.defineProperty(headers, name, { value: headerText(source[name]), writable: true, enumerable: true, configurable: true });
      else headers[name] = headerText(source[name]);
      continue;
    }
    const key = deadLetterKeys.get(name);
    if (key !== undefined) deadLetter[key] = headerText(source[name]);
  }
}

/** The headers and bytes of a framed body, or `undefined` when the frame is broken. */
function unframe(content: Buffer): { headers: Record<string, unknown>; body: Buffer } | undefined {
  if (content.length < 4) return undefined;
  const end = 4 + content.readUInt32BE(0);
  if (end > content.length) return undefined;
  let headers: unknown;
  try {
    headers = JSON.parse(content.toString('utf8', 4, end));
  } catch {
    return undefined;
  }
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) return undefined;
  return { headers: headers as Record<string, unknown>, body: content.subarray(end) };
}

function count(value: unknown): number {
  const number = typeof value === 'number' ? value : typeof value === 'bigint' ? Number(value) : 0;
  return Number.isSafeInteger(number) && number > 0 ? number : 0;
}

function headerText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === null || value === undefined) return '';
  return JSON.stringify(value) ?? '';
}
