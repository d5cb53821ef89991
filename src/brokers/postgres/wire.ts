import type { DeadLetter, Delivery, OutgoingMessage } from '../../transport/transport.js';
import { arrayLiteral } from './array-literal.js';
import type { Row } from './connection.js';

// How a message lies in the tables: troopy's rows (written by encodeMessages and insertValues,
// read by toDelivery and toDeadLetter), the receipt that names a lease, and what another
// producer's rows may hold (toHeaders keeps what it can read).

/** Messages encoded for the INSERT: their ids, headers as JSON text, due times (or null) and bodies. */
export interface EncodedMessages {
  readonly ids: readonly string[];
  readonly headers: readonly string[];
  readonly notBefore: readonly (number | null)[];
  readonly bodies: readonly Uint8Array[];
}

/**
 * Checks and encodes messages for the INSERT: headers as JSON text; {@link insertValues} then
 * lays several sends out as the statement's parameters.
 *
 * @throws {TypeError} when an id or a header holds a NUL character, which PostgreSQL cannot store.
 */
export function encodeMessages(transport: string, messages: readonly OutgoingMessage[]): EncodedMessages {
  const ids: string[] = [];
  const headers: string[] = [];
  const notBefore: (number | null)[] = [];
  const bodies: Uint8Array[] = [];
  for (const [index, message] of messages.entries()) {
    const json = JSON.stringify(message.headers);
    // JSON.stringify writes a NUL as \u0000; only then look closer (a literal backslash may look alike).
    if (hasNul(message.id) || (json.includes('\\u0000') && Object.entries(message.headers).some(([name, value]) => hasNul(name) || hasNul(value)))) {
      throw new TypeError(
        `${transport} send(): message ${index} has a NUL character (\\u0000) in its id or headers, which PostgreSQL text cannot store; remove it.`,
      );
    }
    ids.push(message.id);
    headers.push(json);
    notBefore.push(message.notBefore ?? null);
    bodies.push(message.body);
  }
  return { ids, headers, notBefore, bodies };
}

/**
 * The INSERT's parameters after the queue, for several encoded sends at once: every message's
 * id, headers and body back to back in one buffer (sent as binary: text arrays would be escaped
 * here and parsed back by the server), where each message starts in it (from 1), the byte
 * lengths of its three parts, and the due times (`null` when none has one).
 */
export function insertValues(sends: readonly EncodedMessages[]): unknown[] {
  let size = 0;
  let delayed = false;
  for (const send of sends) {
    for (let index = 0; index < send.ids.length; index++) {
      size += Buffer.byteLength(send.ids[index] as string) + Buffer.byteLength(send.headers[index] as string) + (send.bodies[index] as Uint8Array).length;
      delayed ||= send.notBefore[index] !== null;
    }
  }
  const bytes = Buffer.allocUnsafe(size);
  const starts: number[] = [];
  const idLengths: number[] = [];
  const headerLengths: number[] = [];
  const bodyLengths: number[] = [];
  const notBefore: (number | null)[] = [];
  let offset = 0;
  for (const send of sends) {
    for (let index = 0; index < send.ids.length; index++) {
      starts.push(offset + 1);
      const idLength = bytes.write(send.ids[index] as string, offset);
      const headerLength = bytes.write(send.headers[index] as string, offset + idLength);
      const body = send.bodies[index] as Uint8Array;
      bytes.set(body, offset + idLength + headerLength);
      idLengths.push(idLength);
      headerLengths.push(headerLength);
      bodyLengths.push(body.length);
      offset += idLength + headerLength + body.length;
      if (delayed) notBefore.push(send.notBefore[index] as number | null);
    }
  }
  return [
    bytes,
    arrayLiteral(starts),
    arrayLiteral(idLengths),
    arrayLiteral(headerLengths),
    arrayLiteral(bodyLengths),
    delayed ? arrayLiteral(notBefore) : null,
  ];
}

/**
 * Headers as their column holds them after a retry or with a dead letter: JSON text, NUL
 * characters (which PostgreSQL text cannot hold) replaced by U+FFFD. Error texts are replaced
 * rather than refused, so that a retry or a dead letter never fails on them.
 */
export function headersColumn(headers: Readonly<Record<string, string>>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(headers).map(([name, value]) => [replaceNul(name), replaceNul(value)])));
}

/** Text with its NUL characters replaced by U+FFFD. */
export function replaceNul(text: string): string {
  return text.replaceAll('\u0000', '\uFFFD');
}

function hasNul(text: string): boolean {
  return text.includes('\u0000');
}

/** A fetched row as a delivery; its receipt is the row id and the lease token. */
export function toDelivery(row: Row, token: string): Delivery {
  return {
    id: row['message_id'] as string,
    headers: toHeaders(row['headers']),
    body: row['body'] as Uint8Array,
    receipt: `${row['id'] as string}:${token}`,
    deliveryCount: row['delivery_count'] as number,
  };
}

/** A dead-letter row as a {@link DeadLetter}. */
export function toDeadLetter(row: Row): DeadLetter {
  return {
    id: row['message_id'] as string,
    headers: toHeaders(row['headers']),
    body: row['body'] as Uint8Array,
    reason: { code: row['reason_code'] as string, message: row['reason_message'] as string },
    failedAt: Math.round(row['failed_at'] as number),
    deliveryCount: row['delivery_count'] as number,
  };
}

/** A receipt split into the row id and the lease token. */
export interface Receipt {
  readonly rowId: string;
  readonly token: string;
}

const RECEIPT = /^(\d{1,19}):([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/**
 * Reads the receipt of a delivery made by a Postgres transport.
 *
 * @throws {TypeError} when the delivery did not come from a Postgres transport.
 */
export function parseReceipt(transport: string, call: string, delivery: Delivery): Receipt {
  const receipt = typeof delivery === 'object' && delivery !== null ? (delivery as { readonly receipt?: unknown }).receipt : undefined;
  const match = typeof receipt === 'string' ? RECEIPT.exec(receipt) : null;
  if (match === null) {
    throw new TypeError(
      `${transport} ${call}() takes a delivery received from a Postgres transport (receipt "<row id>:<lease token>"); got receipt ${JSON.stringify(receipt) ?? 'undefined'}.`,
    );
  }
  return { rowId: match[1] as string, token: match[2] as string };
}

/**
 * Headers from their column: JSON text in the queue table (parsed here), an object the driver
 * parsed from jsonb in the dead-letter table; kept whole when every value is a string (as
 * troopy writes them).
 */
function toHeaders(column: unknown): Record<string, string> {
  let value = column;
  if (typeof column === 'string') {
    try {
      value = JSON.parse(column);
    } catch {
      return {};
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const parsed = value as Record<string, unknown>;
  for (const name in parsed) {
    // JSON.parse made this object: a "__proto__" key is an own property, never the prototype.
    if (typeof parsed[name] !== 'string')
      return Object.fromEntries(Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  }
  return parsed as Record<string, string>;
}
