import type { Codec } from './codec.js';
import type { Envelope } from './envelope.js';
import { readAttempt, readErrorHistory, type ErrorRecord } from './error-history.js';
import { MessageDecodeError } from './message-decode-error.js';
import { MessageHeader } from './message-headers.js';
import type { TransportMessage } from './transport.js';

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
  const header = (name: string): string | undefined => {
    const value: unknown = headers[name];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const name = header(MessageHeader.name);
  const messageName = name;
  const fail = (detail: string): never => {
    throw new MessageDecodeError('undecodable', `The message${name === undefined ? '' : ` ${JSON.stringify(name)}`} has ${detail}.`, { messageName });
  };
  if (name === undefined) return fail(`no ${MessageHeader.name} header, so it cannot be matched to a class`);
  const id = header(MessageHeader.id) ?? (typeof message.id === 'string' && message.id !== '' ? message.id : fail(`no ${MessageHeader.id} header`));
  const version = header(MessageHeader.version);
  if (version === undefined || !/^[1-9]\d{0,8}$/.test(version)) fail(`a ${MessageHeader.version} header that is not a positive integer: ${JSON.stringify(version ?? null)}`);
  const contentType = header(MessageHeader.contentType);
  if (contentType?.split(';')[0]?.trim().toLowerCase() !== codec.contentType.toLowerCase()) {
    fail(`content-type ${JSON.stringify(contentType ?? null)}, but this codec reads ${JSON.stringify(codec.contentType)}`);
  }
  const sentAtHeader = header(MessageHeader.sentAt);
  const sentAt = sentAtHeader === undefined ? new Date(Number.NaN) : new Date(sentAtHeader);
  if (Number.isNaN(sentAt.getTime())) fail(`a ${MessageHeader.sentAt} header that is not a date: ${JSON.stringify(sentAtHeader ?? null)}`);
  const traceparent = header(MessageHeader.traceparent);
  const validTraceparent = traceparent !== undefined && isTraceparent(traceparent) ? traceparent : undefined;
  let attempt: number;
  let errorHistory: ErrorRecord[];
  try {
    attempt = readAttempt(headers);
    errorHistory = readErrorHistory(headers);
  } catch (error) {
    throw new MessageDecodeError('undecodable', `The message ${JSON.stringify(name)} has a malformed header: ${error instanceof Error ? error.message : String(error)}`, { cause: error, messageName });
  }
  return {
    id,
    name,
    version: Number(version),
    sentAt,
    correlationId: header(MessageHeader.correlationId) ?? id,
    causationId: header(MessageHeader.causationId),
    traceparent: validTraceparent,
    tracestate: validTraceparent === undefined ? undefined : header(MessageHeader.tracestate),
    attempt,
    errorHistory,
    headers,
  };
}
