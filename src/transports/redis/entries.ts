import type { DeadLetter, TransportMessage } from '../../transport/transport.js';

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

/** The fields of a queued message: `id`, `headers` as JSON, `body` as raw bytes. */
export function messageFields(message: TransportMessage): (string | Buffer)[] {
  return ['id', message.id, 'headers', JSON.stringify(message.headers), 'body', toBuffer(message.body)];
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
 * The message an entry carries. Entries written by other tools are read without failing:
 * a missing id falls back to the entry id, missing or broken headers read as none (their
 * bytes stay in the stream, and a dead letter keeps them), a missing body reads as empty.
 */
export function messageOf(entry: StreamEntry): TransportMessage {
  const id = entry.fields.get('id')?.toString('utf8') ?? '';
  return {
    id: id === '' ? entry.entryId : id,
    headers: parseHeaders(entry.fields.get('headers')),
    body: entry.fields.get('body') ?? Buffer.alloc(0),
  };
}

/** Headers from their JSON; anything that is not an object of strings is left out. */
export function parseHeaders(raw: Buffer | undefined): Readonly<Record<string, string>> {
  let parsed: unknown;
  try {
    parsed = raw === undefined ? {} : JSON.parse(raw.toString('utf8'));
  } catch {
    return {};
  }
  const headers: Record<string, string> = {};
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return headers;
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
