import { isUtf8 } from 'node:buffer';
import type { DeadLetter, Delivery, TransportMessage } from '../../transport/transport.js';

/** A stream entry as the transport reads it: its stream id and its fields by name. */
export interface StreamEntry {
  readonly entryId: string;
  readonly fields: ReadonlyMap<string, Buffer>;
}

/** Lua for scripts reading entries: `field(fields, name)` is the value of `name` in a flat `{name, value, ...}` list, or nil. */
export const luaField = `
local function field(fields, name)
  for i = 1, #fields, 2 do if fields[i] == name then return fields[i + 1] end end
  return nil
end`;

/**
 * Lua for scripts reading queue entries in either layout: `message(fields)` returns the id,
 * headers and body of an entry (each nil when missing), from its `m` field (`id \n headers \n
 * body`) or its `id`, `headers` and `body` fields; a field given twice keeps its last value.
 */
export const luaMessage = `
local function message(fields)
  local id, headers, body
  for i = 1, #fields - 1, 2 do
    local name, value = fields[i], fields[i + 1]
    if name == 'm' then
      local a = string.find(value, '\\n', 1, true)
      local b = a and string.find(value, '\\n', a + 1, true)
      if b then id, headers, body = string.sub(value, 1, a - 1), string.sub(value, a + 1, b - 1), string.sub(value, b + 1)
      else id, headers, body = nil, nil, value end
    elseif name == 'id' then id = value elseif name == 'headers' then headers = value elseif name == 'body' then body = value end
  end
  return id, headers, body
end`;

/** A reply that must be an array (`null` reads as empty). */
export function list(reply: unknown): unknown[] {
  return Array.isArray(reply) ? (reply as unknown[]) : [];
}

/** A bulk string or integer reply as text. */
export function text(reply: unknown): string {
  if (Buffer.isBuffer(reply)) return reply.toString('utf8');
  return typeof reply === 'string' || typeof reply === 'number' ? String(reply) : '';
}

/** A bulk string reply as bytes. */
export function bytes(reply: unknown): Buffer {
  if (Buffer.isBuffer(reply)) return reply;
  return Buffer.from(typeof reply === 'string' ? reply : '');
}

/** The bytes of a body, without copying when they already are a Buffer's. */
export function toBuffer(body: Uint8Array): Buffer {
  return Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

/** The one field of a queue entry written by this transport; its value is {@link messageFrame}. */
export const MESSAGE_FIELD = 'm';

/** Bodies up to this size are checked for UTF-8 and framed as text; larger ones as bytes. */
const TEXT_BODY_BYTES = 16 * 1024;

/**
 * A message as the value of one stream field: `id \n headers-json \n body`. One field costs
 * Redis and both clients less than three (the layout with `id`, `headers` and `body` fields is
 * still read, for entries written by other tools). Sends refuse ids with line breaks, and
 * JSON has none. The frame is text when the body is valid UTF-8 (ioredis writes string-only
 * commands in one piece, byte for byte the same), else bytes.
 */
export function messageFrame(message: TransportMessage): string | Buffer {
  const head = `${message.id}\n${JSON.stringify(message.headers)}\n`;
  const body = toBuffer(message.body);
  return body.byteLength <= TEXT_BODY_BYTES && isUtf8(body) ? head + body.toString('utf8') : Buffer.concat([Buffer.from(head), body]);
}

/**
 * The delivery in one `[id, [field, value, ...]]` entry, read straight from the reply (the hot
 * path of a receive), in either layout (see {@link messageFrame}); `undefined` for an entry
 * deleted while pending.
 */
export function deliveryOf(entry: unknown, deliveryCount: number, leaseMs: number): RedisDelivery | undefined {
  if (!Array.isArray(entry)) return undefined;
  const [entryId, rawFields] = entry as unknown[];
  if (!Array.isArray(rawFields)) return undefined;
  if (rawFields.length === 2 && isField(rawFields[0], MESSAGE_FIELD)) {
    const frame = bytes(rawFields[1]);
    const first = frame.indexOf(10);
    const second = first === -1 ? -1 : frame.indexOf(10, first + 1);
    if (second !== -1) {
      // The id and headers are read as text straight from the frame: only the body is a view.
      const receipt = text(entryId);
      const id = frame.toString('utf8', 0, first);
      const headers = parseHeaderText(frame.toString('utf8', first + 1, second));
      return new RedisDelivery(id === '' ? receipt : id, headers, frame.subarray(second + 1), receipt, deliveryCount, leaseMs);
    }
  }
  let id: unknown;
  let headers: unknown;
  let body: unknown;
  // Like a Map of the fields: a name given twice keeps its last value.
  for (let index = 0; index + 1 < rawFields.length; index += 2) {
    const name: unknown = rawFields[index];
    const value: unknown = rawFields[index + 1];
    if (isField(name, MESSAGE_FIELD)) [id, headers, body] = splitFrame(bytes(value));
    else if (isField(name, 'id')) id = value;
    else if (isField(name, 'headers')) headers = value;
    else if (isField(name, 'body')) body = value;
  }
  return deliveryFrom(entryId, id, headers, body, deliveryCount, leaseMs);
}

/** The id, headers and body bytes of a {@link messageFrame}; a frame without two line breaks is all body. */
function splitFrame(frame: Buffer): [Buffer | undefined, Buffer | undefined, Buffer] {
  const first = frame.indexOf(10);
  const second = first === -1 ? -1 : frame.indexOf(10, first + 1);
  if (second === -1) return [undefined, undefined, frame];
  return [frame.subarray(0, first), frame.subarray(first + 1, second), frame.subarray(second + 1)];
}

/**
 * The delivery of an entry from its id and the values of its `id`, `headers` and `body` fields
 * (`undefined` or `null` for a missing one), as {@link deliveryOf} and the take script find them.
 */
export function deliveryFrom(entryId: unknown, id: unknown, headers: unknown, body: unknown, deliveryCount: number, leaseMs: number): RedisDelivery {
  const messageId = id === undefined || id === null ? '' : bytes(id).toString('utf8');
  const receipt = text(entryId);
  return new RedisDelivery(
    messageId === '' ? receipt : messageId,
    parseHeaders(headers === undefined || headers === null ? undefined : bytes(headers)),
    body === undefined || body === null ? Buffer.alloc(0) : bytes(body),
    receipt,
    deliveryCount,
    leaseMs,
  );
}

/**
 * A delivery read from the stream. It remembers the lease it was received with, the one other
 * consumers reclaim it after, which `extendLease` renews up to; a copy of it (a spread) does not.
 */
export class RedisDelivery implements Delivery {
  readonly id: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
  readonly receipt: string;
  readonly deliveryCount: number;
  readonly #leaseMs: number;

  constructor(id: string, headers: Readonly<Record<string, string>>, body: Uint8Array, receipt: string, deliveryCount: number, leaseMs: number) {
    this.id = id;
    this.headers = headers;
    this.body = body;
    this.receipt = receipt;
    this.deliveryCount = deliveryCount;
    this.#leaseMs = leaseMs;
  }

  /** The lease `delivery` was received with, or `undefined` for a delivery this transport did not make. */
  static leaseOf(delivery: Delivery): number | undefined {
    return #leaseMs in delivery ? delivery.#leaseMs : undefined;
  }
}

/** Whether a field name in a reply (bytes, or text from a script) is `name`. */
function isField(raw: unknown, name: 'm' | 'id' | 'headers' | 'body'): boolean {
  if (!Buffer.isBuffer(raw)) return text(raw) === name;
  if (raw.length !== name.length) return false;
  for (let index = 0; index < name.length; index++) if (raw[index] !== name.charCodeAt(index)) return false;
  return true;
}

/** Reads one `[id, [field, value, ...]]` entry; `undefined` for an entry deleted while pending. */
export function parseEntry(entry: unknown): StreamEntry | undefined {
  const [id, rawFields] = list(entry);
  if (!Array.isArray(rawFields)) return undefined;
  const fields = new Map<string, Buffer>();
  for (let index = 0; index + 1 < rawFields.length; index += 2) {
    fields.set(text(rawFields[index]), bytes(rawFields[index + 1]));
  }
  return { entryId: text(id), fields };
}

/**
 * The message a dead-letter entry carries, from its named fields (`id`, `headers`, `body`).
 * Entries written by other tools are read without failing: a missing id falls back to the
 * entry id, missing or broken headers read as none, a missing body reads as empty.
 */
export function messageOf(entry: StreamEntry): TransportMessage {
  const id = entry.fields.get('id')?.toString('utf8') ?? '';
  return {
    id: id === '' ? entry.entryId : id,
    headers: parseHeaders(entry.fields.get('headers')),
    body: entry.fields.get('body') ?? Buffer.alloc(0),
  };
}

/** Headers from their JSON bytes; anything that is not an object of strings is left out. */
export function parseHeaders(raw: Buffer | undefined): Readonly<Record<string, string>> {
  return parseHeaderText(raw?.toString('utf8'));
}

/** Headers from their JSON; anything that is not an object of strings is left out. */
function parseHeaderText(json: string | undefined): Readonly<Record<string, string>> {
  let parsed: unknown;
  try {
    parsed = json === undefined ? {} : JSON.parse(json);
  } catch {
    return {};
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
  const object = parsed as Record<string, unknown>;
  // Headers written by a transport are all strings: then the parsed object is the headers, uncopied.
  for (const name in object) {
    if (Object.hasOwn(object, name) && (typeof object[name] !== 'string' || name === '__proto__')) return stringHeaders(object);
  }
  return object as Record<string, string>;
}

/** The string-valued own entries of an object, `__proto__` left out. */
function stringHeaders(parsed: object): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed)) {
    // Assigning a string to `__proto__` would be dropped silently; leave it out explicitly.
    if (typeof value === 'string' && name !== '__proto__') headers[name] = value;
  }
  return headers;
}

/** A dead letter from its entry in the dead-letter stream. */
export function deadLetterOf(entry: StreamEntry): DeadLetter {
  const field = (name: string): string => entry.fields.get(name)?.toString('utf8') ?? '';
  return {
    ...messageOf(entry),
    reason: { code: field('reason-code'), message: field('reason-message') },
    failedAt: Number(field('failed-at')),
    deliveryCount: Number(field('delivery-count')),
  };
}
