import type { DeadLetter, Delivery, OutgoingMessage } from '../../transport/transport.js';
import type { Row } from './connection.js';

/** Messages encoded for the INSERT: a JSON array of `{ id, headers, notBefore }`, and the bodies. */
export interface EncodedMessages {
  readonly json: string;
  readonly bodies: readonly Uint8Array[];
}

/**
 * Encodes messages for the INSERT: one JSON string for all ids, headers and times, so the
 * driver has nothing to escape per message, and the bodies as they are.
 *
 * @throws {TypeError} when an id or a header holds a NUL character, which PostgreSQL cannot store.
 */
export function encodeMessages(transport: string, messages: readonly OutgoingMessage[]): EncodedMessages {
  const bodies: Uint8Array[] = [];
  const json = JSON.stringify(
    messages.map(({ id, headers, notBefore, body }) => {
      bodies.push(body);
      return { id, headers, notBefore };
    }),
  );
  // JSON.stringify writes a NUL as \u0000; only then look closer (a literal backslash may look alike).
  if (json.includes('\\u0000')) {
    const index = messages.findIndex(({ id, headers }) => hasNul(id) || Object.entries(headers).some(([name, value]) => hasNul(name) || hasNul(value)));
    if (index >= 0) {
      throw new TypeError(`${transport} send(): message ${index} has a NUL character (\\u0000) in its id or headers, which PostgreSQL text and jsonb cannot store; remove it.`);
    }
  }
  return { json, bodies };
}

/**
 * The INSERT's parameters after the queue, for several encoded sends at once: the JSON array,
 * every body in one buffer (sent as binary, where a `bytea[]` would go as hex text to be parsed
 * back), and where each body starts (from 1) and how long it is.
 */
export function insertValues(sends: readonly EncodedMessages[]): unknown[] {
  // Each json is a non-empty array: join their elements into one array.
  const json = sends.length === 1 ? sends[0]?.json : `[${sends.map((send) => send.json.slice(1, -1)).join(',')}]`;
  const bodies = sends.length === 1 ? (sends[0]?.bodies ?? []) : sends.flatMap((send) => send.bodies);
  const starts: number[] = [];
  const lengths: number[] = [];
  let start = 1;
  for (const body of bodies) {
    starts.push(start);
    lengths.push(body.length);
    start += body.length;
  }
  return [json, Buffer.concat(bodies), starts, lengths];
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

/** Headers from the jsonb column: the object the driver parsed, when every value is a string (as troopy writes them). */
function toHeaders(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const parsed = value as Record<string, unknown>;
  for (const name in parsed) {
    // JSON.parse made this object: a "__proto__" key is an own property, never the prototype.
    if (typeof parsed[name] !== 'string') return Object.fromEntries(Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  }
  return parsed as Record<string, string>;
}
