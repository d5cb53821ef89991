import type { TransportMessage } from '../../transport/transport.js';
import type { AmqpMessage, AmqpPublishOptions } from './connection.js';

/**
 * How a message travels through RabbitMQ: the body as the AMQP body, the message id as the
 * `message-id` property, every envelope header as an AMQP header with a string value, and
 * persistent delivery. Headers the broker adds (`x-delivery-count`, `x-death`...) and the
 * transport's own dead-letter headers are not given back as message headers.
 */

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
  if (Buffer.byteLength(name) > 255) return `header name "${name.slice(0, 40)}…" is longer than 255 bytes`;
  return undefined;
}

/** Why a message id cannot be the AMQP `message-id` (a short string), or `undefined` when it can. */
export function idProblem(id: string): string | undefined {
  // A UTF-16 code unit takes at most 3 bytes in UTF-8, so short ids need no count.
  return id.length > 85 && Buffer.byteLength(id) > 255 ? `id "${id.slice(0, 40)}…" is longer than 255 bytes` : undefined;
}

/** The body as a Buffer sharing the message's bytes. */
export function bodyOf(message: TransportMessage): Buffer {
  const { body } = message;
  return Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

/** The publish properties of a message, with extra headers and an expiration when given. */
export function publishOptions(message: TransportMessage, extra?: Readonly<Record<string, string>>, expirationMs?: number): AmqpPublishOptions {
  const options: AmqpPublishOptions = {
    messageId: message.id,
    headers: extra === undefined ? message.headers : { ...message.headers, ...extra },
    persistent: true,
    mandatory: true,
  };
  if (expirationMs !== undefined) options.expiration = String(expirationMs);
  return options;
}

/** What the transport reads back from an AMQP message. */
export interface ReadMessage {
  readonly id: string;
  /** The message's own headers, as strings. */
  readonly headers: Readonly<Record<string, string>>;
  /** The transport's dead-letter headers, when present. */
  readonly deadLetter: Readonly<Partial<Record<keyof typeof DeadLetterHeader, string>>>;
  /** How many times the broker handed it out before, this time excluded. */
  readonly previousDeliveries: number;
  /** The reason of the broker's own dead-lettering (`delivery_limit`, `rejected`...), when it did. */
  readonly brokerDeath: string | undefined;
}

const deadLetterKeys = Object.entries(DeadLetterHeader) as [keyof typeof DeadLetterHeader, string][];

/**
 * Reads a delivered message. Header values another producer wrote as numbers, booleans or
 * bytes come back as strings; a message without a `message-id` property gets `fallbackId`.
 */
export function readMessage(message: AmqpMessage, fallbackId: string): ReadMessage {
  const raw = (message.properties.headers ?? {}) as Record<string, unknown>;
  const headers: Record<string, string> = {};
  for (const name in raw) {
    if (!isForeign(name)) headers[name] = headerText(raw[name]);
  }
  const deadLetter: Partial<Record<keyof typeof DeadLetterHeader, string>> = {};
  for (const [key, name] of deadLetterKeys) {
    if (raw[name] !== undefined) deadLetter[key] = headerText(raw[name]);
  }
  // RabbitMQ 4 counts returned deliveries in x-acquired-count and only failed ones in x-delivery-count.
  const previousDeliveries = Math.max(count(raw['x-delivery-count']), count(raw['x-acquired-count']));
  const id = message.properties.messageId as unknown;
  const death = raw['x-first-death-reason'];
  return {
    id: typeof id === 'string' && id !== '' ? id : fallbackId,
    headers,
    deadLetter,
    previousDeliveries,
    brokerDeath: death === undefined ? undefined : headerText(death),
  };
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
