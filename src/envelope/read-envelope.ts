import type { Codec } from './codec.js';
import type { Envelope } from './envelope.js';
import { readAttempt, readErrorHistory, type ErrorRecord } from './error-history.js';
import { MessageDecodeError } from './message-decode-error.js';
import { MessageHeader } from './message-headers.js';
import type { TransportMessage } from '../transport/transport.js';

const TRACEPARENT = /^(?!ff)[\da-f]{2}-(?!0{32})[\da-f]{32}-(?!0{16})[\da-f]{16}-[\da-f]{2}$/;

/**
 * Whether a value is a W3C Trace Context `traceparent`: `version-traceid-parentid-flags` in
 * lowercase hex, version not `ff`, neither id all zeros.
 *
 * @internal
 */
export function isTraceparent(value: string): boolean {
  return TRACEPARENT.test(value);
}

/**
 * Reads and checks the envelope headers of a message (not its body).
 *
 * Rules: `message-name`, `message-id` (or the message's `id`), `message-version`, `content-type`
 * (equal to the codec's, parameters ignored) and `sent-at` are required; `attempt` and
 * `error-history` must be well formed when present; a malformed `traceparent` is ignored.
 *
 * @internal
 * @throws {MessageDecodeError} `undecodable`, naming the header.
 */
export function readEnvelope(message: TransportMessage, codec: Codec): Envelope {
  const headers = message.headers;
  const name = header(headers, MessageHeader.name);
  if (name === undefined) return malformed(name, `no ${MessageHeader.name} header, so it cannot be matched to a class`);
  const id =
    header(headers, MessageHeader.id) ?? (typeof message.id === 'string' && message.id !== '' ? message.id : malformed(name, `no ${MessageHeader.id} header`));
  const version = header(headers, MessageHeader.version);
  if (version === undefined || !VERSION.test(version))
    malformed(name, `a ${MessageHeader.version} header that is not a positive integer: ${JSON.stringify(version ?? null)}`);
  const contentType = header(headers, MessageHeader.contentType);
  if (!contentTypeMatches(contentType, codec.contentType)) {
    malformed(name, `content-type ${JSON.stringify(contentType ?? null)}, but this codec reads ${JSON.stringify(codec.contentType)}`);
  }
  const sentAtHeader = header(headers, MessageHeader.sentAt);
  const sentAtMs = sentAtHeader === undefined ? Number.NaN : parseTime(sentAtHeader);
  if (Number.isNaN(sentAtMs)) malformed(name, `a ${MessageHeader.sentAt} header that is not a date: ${JSON.stringify(sentAtHeader ?? null)}`);
  const traceparent = header(headers, MessageHeader.traceparent);
  const validTraceparent = traceparent !== undefined && isTraceparent(traceparent) ? traceparent : undefined;
  let attempt: number;
  let errorHistory: readonly ErrorRecord[];
  try {
    attempt = readAttempt(headers);
    errorHistory = headers[MessageHeader.errorHistory] === undefined ? NO_ERRORS : readErrorHistory(headers);
  } catch (error) {
    throw new MessageDecodeError(
      'undecodable',
      `The message ${JSON.stringify(name)} has a malformed header: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error, messageName: name },
    );
  }
  return {
    id,
    name,
    version: Number(version),
    sentAt: new Date(sentAtMs),
    correlationId: header(headers, MessageHeader.correlationId) ?? id,
    causationId: header(headers, MessageHeader.causationId),
    traceparent: validTraceparent,
    tracestate: validTraceparent === undefined ? undefined : header(headers, MessageHeader.tracestate),
    attempt,
    errorHistory,
    headers,
  };
}

const VERSION = /^[1-9]\d{0,8}$/;
/** The history of a message on its first attempt: one frozen empty list for all of them. */
const NO_ERRORS: readonly ErrorRecord[] = Object.freeze([]);

/** A header's value when it is a non-empty string. */
function header(headers: Readonly<Record<string, string>>, name: string): string | undefined {
  const value: unknown = headers[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function malformed(name: string | undefined, detail: string): never {
  throw new MessageDecodeError('undecodable', `The message${name === undefined ? '' : ` ${JSON.stringify(name)}`} has ${detail}.`, { messageName: name });
}

// One-entry caches: the messages of one batch mostly share their content type and sent-at.
let lastContentType: string | undefined;
let lastCodecType = '';
let lastMatch = false;
let lastTimeText = '';
let lastTimeMs = Number.NaN;

/** Whether the header names the codec's MIME type, parameters and case aside. */
function contentTypeMatches(contentType: string | undefined, codecType: string): boolean {
  if (contentType !== lastContentType || codecType !== lastCodecType) {
    lastMatch = contentType?.split(';')[0]?.trim().toLowerCase() === codecType.toLowerCase();
    lastContentType = contentType;
    lastCodecType = codecType;
  }
  return lastMatch;
}

/** `new Date(text).getTime()`, parsed once for a run of equal texts. */
function parseTime(text: string): number {
  if (text !== lastTimeText) {
    lastTimeMs = new Date(text).getTime();
    lastTimeText = text;
  }
  return lastTimeMs;
}
