import { invalidOption, stringOption } from '../check-option.js';
import { describe, describeThrown, nameOf } from '../describe.js';
import type { MessageClass } from '../message-router.js';
import type { Codec } from './codec.js';
import type { ErrorRecord } from './error-history.js';
import { JsonCodec } from './json-codec.js';
import { MessageDecodeError } from './message-decode-error.js';
import { MessageHeader } from './message-headers.js';
import { newMessageId } from './message-id.js';
import { messageRegistry, type MessageDefinition, type MessageRegistry } from './message-registry.js';
import { isTraceparent, readEnvelope } from './read-envelope.js';
import { revive } from './revive.js';
import type { TransportMessage } from '../transport/transport.js';
import { validatePayload } from './validate-payload.js';

/** What a decoded message carries besides the command, read from its headers. */
export interface Envelope {
  /** The message id (UUIDv7 when written by troopy). */
  readonly id: string;
  /** The message name. */
  readonly name: string;
  /** The payload version. */
  readonly version: number;
  /** When the message was first sent. */
  readonly sentAt: Date;
  /** The conversation's id: the header, or the message's own id when there is none. */
  readonly correlationId: string;
  /** The id of the message whose handler sent this one, if any. */
  readonly causationId: string | undefined;
  /** The W3C `traceparent`, if present and well formed (a malformed one is ignored, as the W3C spec asks). */
  readonly traceparent: string | undefined;
  /** The W3C `tracestate`, if present. */
  readonly tracestate: string | undefined;
  /** Which handling attempt this is, starting at 1 (raised by `appendErrorHistory`). */
  readonly attempt: number;
  /** The errors of earlier attempts, oldest first. */
  readonly errorHistory: readonly ErrorRecord[];
  /** Every header, as received. */
  readonly headers: Readonly<Record<string, string>>;
}

/** A command revived into its class, with its envelope. */
export interface DecodedMessage {
  /** An instance of the registered class (`instanceof` holds). */
  readonly command: object;
  /** The message id, name, version, times and headers it came with. */
  readonly envelope: Envelope;
}

/** Where names and bytes come from, for {@link encodeMessage} and {@link decodeMessage}. */
export interface MessageCodingOptions {
  /** The registry of message names. @default messageRegistry */
  readonly registry?: MessageRegistry | undefined;
  /** The body codec. @default a shared `new JsonCodec()` */
  readonly codec?: Codec | undefined;
}

/** Options of {@link encodeMessage}. */
export interface EncodeMessageOptions extends MessageCodingOptions {
  /** The message id. @default newMessageId() */
  readonly id?: string | undefined;
  /** The sent-at time, as a Date or epoch milliseconds. @default now */
  readonly now?: Date | number | undefined;
  /** The conversation's id; a command sent from a handler passes the handled message's. @default the new message's id */
  readonly correlationId?: string | undefined;
  /** The id of the handled message, for a command sent from a handler. @default none */
  readonly causationId?: string | undefined;
  /** A W3C `traceparent` (`00-<32 hex>-<16 hex>-<2 hex>`). @default none */
  readonly traceparent?: string | undefined;
  /** A W3C `tracestate`, sent only beside a `traceparent`. @default none */
  readonly tracestate?: string | undefined;
  /**
   * More headers to send. They may carry `correlation-id`, `causation-id`, `traceparent` and
   * `tracestate` (the options above win over them), but not the other {@link MessageHeader} names.
   * @default none
   */
  readonly headers?: Readonly<Record<string, string>> | undefined;
}

const defaultCodec = new JsonCodec();
const NO_HEADERS: Readonly<Record<string, string>> = {};
const PROPAGATED: ReadonlySet<string> = new Set([MessageHeader.correlationId, MessageHeader.causationId, MessageHeader.traceparent, MessageHeader.tracestate]);
const RESERVED: ReadonlySet<string> = new Set([
  MessageHeader.id,
  MessageHeader.name,
  MessageHeader.version,
  MessageHeader.contentType,
  MessageHeader.sentAt,
  MessageHeader.attempt,
  MessageHeader.errorHistory,
]);

const OWNER = 'encodeMessage';

/**
 * Turns a command into a message for a transport: its own enumerable fields encoded by the
 * codec as the body, and the envelope in the headers (id, name, version, content type, sent-at,
 * correlation id, and causation id, traceparent and tracestate when given).
 *
 * The command's class must have a message name (see `messageName`); the name, never the class
 * name, goes on the wire.
 *
 * @throws {TypeError} when `command` is not a class instance, or an option or header is not valid.
 * @throws {MissingMessageNameError} when the command's class has no message name.
 * @throws {EncodeError} when the codec cannot encode the command's fields.
 * @example
 * const message = encodeMessage(new SendInvoice('inv-1'), { correlationId: handled.envelope.correlationId, causationId: handled.envelope.id });
 * await transport.send([message]);
 */
export function encodeMessage(command: object, options: EncodeMessageOptions = {}): TransportMessage {
  const messageClass = commandClassOf(command);
  const definition = (options.registry ?? messageRegistry).definitionOf(messageClass);
  const codec = options.codec ?? defaultCodec;
  const id = stringOption(OWNER, 'id', options.id ?? newMessageId(), undefined);
  const sentAtMs = options.now === undefined ? Date.now() : new Date(options.now).getTime();
  if (Number.isNaN(sentAtMs)) throw invalidOption(OWNER, 'now', 'a valid Date or epoch milliseconds', options.now);

  const given: unknown = options.headers === undefined ? NO_HEADERS : options.headers;
  if (!isHeaderRecord(given)) {
    throw invalidOption(OWNER, 'headers', HEADER_RECORD_RULE, given);
  }
  const headers: Record<string, string> = {};
  for (const key in given) {
    if (!Object.hasOwn(given, key)) continue;
    if (RESERVED.has(key.toLowerCase())) {
      throw new TypeError(`encodeMessage sets the ${JSON.stringify(key)} header itself; remove it from headers.`);
    }
    if (!PROPAGATED.has(key)) headers[key] = headerValue(key, given[key]);
  }
  const traceparent = options.traceparent ?? given[MessageHeader.traceparent];
  if (traceparent !== undefined && !isTraceparent(headerValue(MessageHeader.traceparent, traceparent))) {
    throw invalidOption(OWNER, 'traceparent', 'a W3C traceparent 00-<32 hex>-<16 hex>-<2 hex>', traceparent);
  }
  setHeader(headers, MessageHeader.correlationId, options.correlationId ?? given[MessageHeader.correlationId] ?? id);
  setHeader(headers, MessageHeader.causationId, options.causationId ?? given[MessageHeader.causationId]);
  setHeader(headers, MessageHeader.traceparent, traceparent);
  // A tracestate means nothing without the traceparent it belongs to.
  if (traceparent !== undefined) setHeader(headers, MessageHeader.tracestate, options.tracestate ?? given[MessageHeader.tracestate]);

  headers[MessageHeader.id] = id;
  headers[MessageHeader.name] = definition.name;
  headers[MessageHeader.version] = String(definition.version);
  headers[MessageHeader.contentType] = codec.contentType;
  headers[MessageHeader.sentAt] = isoTime(sentAtMs);

  // The spread copies own enumerable fields as data properties (an own `__proto__` included, so
  // the codec refuses it), reading each getter once.
  return { id, headers, body: codec.encode({ ...command }) };
}

let lastIsoMs = Number.NaN;
let lastIso = '';

/** `new Date(ms).toISOString()`, computed once per millisecond: a batch is mostly sent within one. */
function isoTime(ms: number): string {
  if (ms !== lastIsoMs) {
    lastIso = new Date(ms).toISOString();
    lastIsoMs = ms;
  }
  return lastIso;
}

/**
 * Turns a message from a transport back into its command, revived into the registered class
 * without calling its constructor, and its envelope. When the class was registered with a
 * Standard Schema, the payload is validated first and the schema's output becomes the data
 * (an output that already is an instance of the class is used as it is).
 *
 * Every header `encodeMessage` writes is required. The body is untrusted and the codec's
 * rules apply (size limit, no prototype pollution).
 *
 * @throws {TypeError} when `message` is not a message with headers and Uint8Array body.
 * @throws {MessageDecodeError} `undecodable` for unreadable bytes or missing or malformed
 * headers, `unknown-message` for a name not registered or a version other than the registered
 * one, `invalid-payload` when the schema refuses the payload or it is not an object of fields.
 * @example
 * const { command, envelope } = await decodeMessage(delivery);
 * await bus.dispatch(command);
 */
export async function decodeMessage(message: TransportMessage, options: MessageCodingOptions = {}): Promise<DecodedMessage> {
  return decodeMessageSoon(message, options);
}

/**
 * {@link decodeMessage} without a promise where none is needed: the decoded message at once,
 * unless the class has a schema, whose validation may answer later.
 *
 * @internal
 * @throws the same errors as {@link decodeMessage} rejects with, synchronously when no schema runs.
 */
export function decodeMessageSoon(message: TransportMessage, options: MessageCodingOptions = {}): DecodedMessage | Promise<DecodedMessage> {
  if (typeof message !== 'object' || (message as unknown) === null || !isRecord(message.headers) || !(message.body instanceof Uint8Array)) {
    throw notAMessage(message);
  }
  const codec = options.codec ?? defaultCodec;
  const envelope = readEnvelope(message, codec);
  const definition = (options.registry ?? messageRegistry).findByName(envelope.name);
  const messageName = envelope.name;
  if (definition?.version !== envelope.version) {
    throw new MessageDecodeError(
      'unknown-message',
      definition === undefined
        ? `No class is registered under the message name ${JSON.stringify(messageName)} in this process; register one with @messageName(${JSON.stringify(messageName)}).`
        : `The message ${JSON.stringify(messageName)} is version ${envelope.version}, but this process registers version ${definition.version} (${nameOf(definition.messageClass)}).`,
      { messageName },
    );
  }
  let payload: unknown;
  try {
    payload = codec.decode(message.body);
  } catch (error) {
    throw new MessageDecodeError('undecodable', `The body of ${JSON.stringify(messageName)} cannot be decoded: ${describeThrown(error).message}`, {
      cause: error,
      messageName,
    });
  }
  if (definition.schema === undefined) return decoded(definition, payload, envelope);
  return validatePayload(definition.schema, messageName, payload).then((data) => decoded(definition, data, envelope));
}

function decoded(definition: MessageDefinition, data: unknown, envelope: Envelope): DecodedMessage {
  if (data instanceof definition.messageClass) return { command: data, envelope };
  if (!isPlainObject(data)) {
    throw new MessageDecodeError(
      'invalid-payload',
      `The payload of ${JSON.stringify(envelope.name)} must be an object of the command's fields; got ${describe(data)}.`,
      {
        messageName: envelope.name,
      },
    );
  }
  return { command: revive(definition.messageClass, data, envelope.name), envelope };
}

function commandClassOf(command: unknown): MessageClass {
  const proto: unknown = typeof command === 'object' && command !== null ? Object.getPrototypeOf(command) : undefined;
  if (proto === undefined || proto === null || proto === Object.prototype || Array.isArray(command)) {
    throw new TypeError(`encodeMessage expects a command, an instance of a class with a message name (new SendInvoice(...)); got ${describe(command)}.`);
  }
  return (command as { constructor: MessageClass }).constructor;
}

function setHeader(headers: Record<string, string>, name: string, value: string | undefined): void {
  if (value !== undefined) headers[name] = headerValue(name, value);
}

function headerValue(name: string, value: unknown): string {
  if (typeof value !== 'string' || value === '')
    throw new TypeError(`encodeMessage expects the ${JSON.stringify(name)} header to be a non-empty string; got ${describe(value)}.`);
  return value;
}

/**
 * What `headers` must be, in an option error: a plain object (or one with a null prototype),
 * not null, an array, a string or a `Map`, whose keys would not be the headers. Its values are
 * checked one by one as they are copied.
 *
 * @internal
 */
export const HEADER_RECORD_RULE = "an object of header names to strings, such as { tenant: 'acme' }";

/**
 * Whether a value can be given as `headers` to send: see {@link HEADER_RECORD_RULE}.
 *
 * @internal
 */
export function isHeaderRecord(value: unknown): value is Readonly<Record<string, string>> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** The error for a `decodeMessage` argument that is not a message, naming the part that is wrong. */
function notAMessage(message: unknown): TypeError {
  const given = message as Partial<TransportMessage> | null;
  const problem =
    typeof given !== 'object' || given === null
      ? describe(given)
      : isRecord(given.headers)
        ? `a body that is ${describe(given.body)}`
        : `headers that are ${describe(given.headers)}`;
  return new TypeError(`decodeMessage expects a message { id, headers, body: Uint8Array }; got ${problem}.`);
}

/** Whether a value can be a record of headers: an object, not null, not an array. */
function isRecord(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPlainObject(value: unknown): value is object {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
