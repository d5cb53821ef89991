import { isUtf8 } from 'node:buffer';
import type { DeadLetter, Delivery, TransportMessage } from '../../transport/transport.js';

// How messages are laid out in Redis, read and written here alone: the queue entry's one `m`
// field (the message frame), the named fields other tools write and dead letters keep, the
// delayed set's members, and what another producer may have put on the stream.

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
 * Lua for scripts writing entries: `frame(id, headers, body)` is the {@link messageFrame} of a
 * message whose headers are already JSON (the id must have no line breaks).
 */
export const luaFrame = `
local function frame(id, headers, body)
  return id .. '\\n' .. headers .. '\\n' .. body
end`;

let sequence = 0;

/** A token that keeps equal messages apart in the delayed set (a sorted set holds a member once). */
export function delayedToken(): string {
  return `${Date.now().toString(36)}.${(sequence++).toString(36)}.${Math.random().toString(36).slice(2, 8)}`;
}

/** The sorted-set member for a delayed message: `token \n` then its {@link messageFrame}. */
export function delayedMember(message: TransportMessage): string | Buffer {
  const frame = messageFrame(message);
  return typeof frame === 'string' ? `${delayedToken()}\n${frame}` : Buffer.concat([Buffer.from(`${delayedToken()}\n`), frame]);
}

/** The header a foreign entry is delivered with (see {@link deliveryOf}). */
export const FOREIGN_ENTRY_HEADER = 'redis-entry';

/**
 * The delivery in one `[id, [field, value, ...]]` entry, read straight from the reply (the hot
 * path of a receive); `undefined` for an entry deleted while pending. An entry in one of the
 * transport's layouts (see {@link messageFrame}) gives its message. Any other entry (another
 * producer's fields, headers that are not a JSON object of strings, a frame without its two
 * line breaks, text that is not UTF-8, a field given twice) is foreign: it is delivered whole,
 * so that nothing of it is lost, with the entry id as its id, the one header
 * `redis-entry: foreign`, and as its body every field name and value, in order, as a RESP array
 * of bulk strings (`*2\r\n$1\r\nx\r\n$5\r\nbytes\r\n` for `XADD stream * x bytes`).
 */
export function deliveryOf(entry: unknown, deliveryCount: number, leaseMs: number): RedisDelivery | undefined {
  if (!Array.isArray(entry)) return undefined;
  const [entryId, rawFields] = entry as unknown[];
  if (!Array.isArray(rawFields)) return undefined;
  const receipt = text(entryId);
  const message = rawFields.length === 2 && isField(rawFields[0], MESSAGE_FIELD) ? frameMessage(bytes(rawFields[1])) : namedMessage(rawFields);
  if (message === undefined) return new RedisDelivery(receipt, { [FOREIGN_ENTRY_HEADER]: 'foreign' }, respArray(rawFields), receipt, deliveryCount, leaseMs);
  return new RedisDelivery(message.id === '' ? receipt : message.id, message.headers, message.body, receipt, deliveryCount, leaseMs);
}

/** The message in a {@link messageFrame}, or `undefined` when it is not one. */
function frameMessage(frame: Buffer): TransportMessage | undefined {
  const first = frame.indexOf(10);
  const second = first === -1 ? -1 : frame.indexOf(10, first + 1);
  if (second === -1) return undefined;
  // The id and headers are read as text straight from the frame: only the body is a view.
  const id = utf8(frame, 0, first);
  const headers = id === undefined ? undefined : parseHeaderText(utf8(frame, first + 1, second));
  return headers === undefined || id === undefined ? undefined : { id, headers, body: frame.subarray(second + 1) };
}

/** The message of an entry with the fields `id`, `headers` and `body` (each optional, none twice, no other), or `undefined`. */
function namedMessage(rawFields: readonly unknown[]): TransportMessage | undefined {
  let id: Buffer | undefined;
  let headers: Buffer | undefined;
  let body: Buffer | undefined;
  for (let index = 0; index + 1 < rawFields.length; index += 2) {
    const name: unknown = rawFields[index];
    const value = bytes(rawFields[index + 1]);
    if (isField(name, 'id') && id === undefined) id = value;
    else if (isField(name, 'headers') && headers === undefined) headers = value;
    else if (isField(name, 'body') && body === undefined) body = value;
    else return undefined;
  }
  const idText = id === undefined ? '' : utf8(id, 0, id.length);
  const parsed = headers === undefined ? {} : parseHeaderText(utf8(headers, 0, headers.length));
  if (idText === undefined || parsed === undefined || rawFields.length % 2 !== 0) return undefined;
  return { id: idText, headers: parsed, body: body ?? Buffer.alloc(0) };
}

/** The bytes from `start` to `end` as text, or `undefined` when they are not UTF-8 (decoding would replace bytes). */
function utf8(buffer: Buffer, start: number, end: number): string | undefined {
  const decoded = buffer.toString('utf8', start, end);
  return decoded.includes('\uFFFD') && !isUtf8(buffer.subarray(start, end)) ? undefined : decoded;
}

/** The fields of an entry as a RESP array of bulk strings: `*<n>\r\n` then `$<length>\r\n<bytes>\r\n` for each name and value. */
function respArray(rawFields: readonly unknown[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${rawFields.length}\r\n`)];
  for (const raw of rawFields) {
    const value = bytes(raw);
    parts.push(Buffer.from(`$${value.length}\r\n`), value, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
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
    headers: parseHeaderText(entry.fields.get('headers')?.toString('utf8')) ?? {},
    body: entry.fields.get('body') ?? Buffer.alloc(0),
  };
}

/**
 * Headers from their JSON, or `undefined` when it is not an object of strings. The parsed object
 * is the headers, uncopied: `JSON.parse` makes every name an own property, `__proto__` included,
 * so headers come back as they were sent, whatever their names.
 */
function parseHeaderText(json: string | undefined): Readonly<Record<string, string>> | undefined {
  let parsed: unknown;
  try {
    parsed = json === undefined ? undefined : JSON.parse(json);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const object = parsed as Record<string, unknown>;
  // JSON.parse gives own properties only, so `for in` sees each name once, and allocates nothing.
  for (const name in object) if (typeof object[name] !== 'string') return undefined;
  return object as Record<string, string>;
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
