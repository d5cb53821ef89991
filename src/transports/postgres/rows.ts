import type { DeadLetter, Delivery, OutgoingMessage } from '../../transport/transport.js';
import type { Row } from './connection.js';

/**
 * The parameters of the INSERT for `messages`, after the queue: ids, headers as JSON, bodies,
 * and not-before times in epoch milliseconds (null for now).
 */
export function insertValues(messages: readonly OutgoingMessage[]): unknown[] {
  const ids: string[] = [];
  const headers: string[] = [];
  const bodies: Uint8Array[] = [];
  const notBefore: (number | null)[] = [];
  for (const message of messages) {
    ids.push(message.id);
    headers.push(JSON.stringify(message.headers));
    bodies.push(message.body);
    notBefore.push(message.notBefore ?? null);
  }
  return [ids, headers, bodies, notBefore];
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

/** Headers from the jsonb column, copied into a fresh object of strings. */
function toHeaders(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null) return {};
  // fromEntries defines own properties, so a "__proto__" header stays a header.
  return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}
