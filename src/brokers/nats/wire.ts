import type { DeadLetterReason, TransportMessage } from '../../transport/transport.js';
import type { NatsNames } from './options.js';

/**
 * The NATS headers the transport writes. The body of a NATS message is the command's bytes as
 * they are; the envelope travels in one header as JSON, because NATS header values cannot hold
 * line breaks and lose their leading and trailing spaces.
 */
export const WireHeader = {
  /** `{"id": ..., "headers": {...}}`: the message id and the envelope headers, exactly. */
  message: 'Troopy-Message',
  /** Epoch milliseconds before which a delayed message must not be delivered. */
  notBefore: 'Troopy-Not-Before',
  /** `{"code", "message", "failedAt", "deliveryCount"}` on a dead letter. */
  deadLetter: 'Troopy-Dead-Letter',
} as const;

/** The NATS headers that carry `message` (and its due time when it is delayed). */
export function wireHeaders(message: TransportMessage, notBefore?: number): Record<string, string> {
  const headers: Record<string, string> = { [WireHeader.message]: JSON.stringify({ id: message.id, headers: message.headers }) };
  if (notBefore !== undefined) headers[WireHeader.notBefore] = String(Math.ceil(notBefore));
  return headers;
}

/**
 * Reads the message id and envelope headers back. A message published by something else than
 * this transport (no `Troopy-Message` header, or a malformed one) gets its NATS headers as
 * envelope headers, minus NATS's own (`Nats-*`), and `fallbackId` unless it has a `message-id`.
 */
export function readWire(headers: ReadonlyMap<string, string>, fallbackId: string): { id: string; headers: Readonly<Record<string, string>> } {
  const raw = headers.get(WireHeader.message);
  if (raw !== undefined) {
    const decoded = parseEnvelope(raw);
    if (decoded !== undefined) return decoded;
  }
  const plain = Object.fromEntries([...headers].filter(([key]) => !/^(nats|troopy)-/i.test(key)));
  const id = plain['message-id'];
  return { id: id !== undefined && id !== '' ? id : fallbackId, headers: Object.freeze(plain) };
}

function parseEnvelope(raw: string): { id: string; headers: Readonly<Record<string, string>> } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { id, headers } = value as { id?: unknown; headers?: unknown };
  if (typeof id !== 'string' || id === '' || typeof headers !== 'object' || headers === null || Array.isArray(headers)) return undefined;
  const entries = Object.entries(headers);
  if (!entries.every(([, text]) => typeof text === 'string')) return undefined;
  // fromEntries defines own properties, so a "__proto__" header stays a plain header.
  return { id, headers: Object.freeze(Object.fromEntries(entries) as Record<string, string>) };
}

/** The due time of a delayed message, or 0 when it has none. */
export function readNotBefore(headers: ReadonlyMap<string, string>): number {
  const value = Number(headers.get(WireHeader.notBefore));
  return Number.isFinite(value) ? value : 0;
}

/** What a dead letter keeps beside the message. */
export interface DeadLetterRecord {
  readonly reason: DeadLetterReason;
  readonly failedAt: number;
  readonly deliveryCount: number;
}

/** The header value of a dead letter's record. */
export function writeDeadLetterRecord(record: DeadLetterRecord): string {
  return JSON.stringify({ code: record.reason.code, message: record.reason.message, failedAt: record.failedAt, deliveryCount: record.deliveryCount });
}

/** Reads a dead letter's record; missing or malformed fields get neutral values. */
export function readDeadLetterRecord(headers: ReadonlyMap<string, string>): DeadLetterRecord {
  let value: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(headers.get(WireHeader.deadLetter) ?? '{}');
    if (typeof parsed === 'object' && parsed !== null) value = parsed as Record<string, unknown>;
  } catch {
    // A damaged record still leaves the message itself readable.
  }
  const text = (key: string): string => (typeof value[key] === 'string' ? value[key] : '');
  const count = (key: string): number => (typeof value[key] === 'number' ? value[key] : 0);
  return { reason: { code: text('code'), message: text('message') }, failedAt: count('failedAt'), deliveryCount: count('deliveryCount') };
}

/** The subject of the dead letter of message `id`: the one message of that subject in the dead-letter stream. */
export function deadLetterSubjectOf(names: NatsNames, id: string): string {
  return `${names.deadLetterSubject}.${subjectToken(id)}`;
}

/**
 * The `Nats-Msg-Id` of the copy that redrives a dead letter: it names the dead letter (its
 * sequence and message id), never the message id alone, which JetStream may still hold from the
 * first send within its duplicate window. Redriving the same dead letter twice stores it once.
 */
export function redriveMsgId(deadLetterSeq: number, id: string): string {
  return `troopy-redrive-${deadLetterSeq}-${subjectToken(id)}`;
}

/**
 * A subject token for a message id: letters, digits, `-` and `_` stay, every other UTF-8 byte
 * becomes `~` and two hex digits, so every id maps to its own valid token.
 */
export function subjectToken(id: string): string {
  let token = '';
  for (const byte of new TextEncoder().encode(id)) {
    const char = String.fromCharCode(byte);
    token += /[A-Za-z0-9_-]/.test(char) ? char : `~${byte.toString(16).padStart(2, '0')}`;
  }
  return token;
}
