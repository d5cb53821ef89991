import { invalidOption, numberOption } from '../check-option.js';
import { describeThrown } from '../describe.js';
import { MessageDecodeError } from './message-decode-error.js';
import { MessageHeader } from './message-headers.js';

/** One failed attempt, as kept in the `error-history` header. */
export interface ErrorRecord {
  /** The error's `name`, such as `TypeError`; `non-error` when something other than an Error was thrown. */
  readonly name: string;
  /** The error's message, cut to `maxMessageLength`. */
  readonly message: string;
  /** When the attempt failed. */
  readonly at: Date;
}

/** Options of {@link appendErrorHistory}. */
export interface ErrorHistoryOptions {
  /** How many of the latest errors are kept; older ones are dropped so headers stay small. @default 10 */
  readonly limit?: number | undefined;
  /** How many characters of each error message are kept. @default 500 */
  readonly maxMessageLength?: number | undefined;
  /** The failure time, as a Date or epoch milliseconds. @default now */
  readonly now?: Date | number | undefined;
}

const OWNER = 'appendErrorHistory';
const INTEGER = { min: 1, integer: true } as const;

/**
 * Returns new headers for retrying a failed message: `attempt` one higher, and the error added
 * to `error-history`, keeping the last `limit` errors. The given headers are not changed.
 *
 * @throws {TypeError} when an option is not valid.
 * @throws {MessageDecodeError} `undecodable` when the existing `attempt` or `error-history` header is malformed.
 * @example
 * const headers = appendErrorHistory(delivery.headers, error, { limit: 5 });
 * await transport.retry(delivery, delayMs, headers);
 */
export function appendErrorHistory(headers: Readonly<Record<string, string>>, error: unknown, options: ErrorHistoryOptions = {}): Record<string, string> {
  const limit = numberOption(OWNER, 'limit', options.limit, 10, INTEGER);
  const maxMessageLength = numberOption(OWNER, 'maxMessageLength', options.maxMessageLength, 500, INTEGER);
  const at = options.now === undefined ? new Date() : new Date(options.now);
  if (Number.isNaN(at.getTime())) throw invalidOption(OWNER, 'now', 'a valid Date or epoch milliseconds', options.now);

  const thrown = describeThrown(error);
  // Strings whatever was thrown, so the history written is always one readErrorHistory accepts.
  const record = { name: cut(thrown.name, 100), message: cut(thrown.message, maxMessageLength), at: at.toISOString() };
  const history = readErrorHistory(headers).map((entry) => ({ ...entry, at: entry.at.toISOString() }));
  history.push(record);
  return {
    ...headers,
    [MessageHeader.attempt]: String(readAttempt(headers) + 1),
    [MessageHeader.errorHistory]: JSON.stringify(history.slice(-limit)),
  };
}

/**
 * The attempt number in the headers: 1 when there is no `attempt` header.
 *
 * @throws {MessageDecodeError} `undecodable` when the header is not a positive integer.
 */
export function readAttempt(headers: Readonly<Record<string, string>>): number {
  const value = headers[MessageHeader.attempt];
  if (value === undefined) return 1;
  if (!/^[1-9]\d{0,8}$/.test(value)) throw malformed(MessageHeader.attempt, value, 'a positive integer');
  return Number(value);
}

/**
 * The errors in the `error-history` header, oldest first; empty when there is none.
 *
 * @throws {MessageDecodeError} `undecodable` when the header is not a JSON array of `{ name, message, at }`.
 */
export function readErrorHistory(headers: Readonly<Record<string, string>>): ErrorRecord[] {
  const value = headers[MessageHeader.errorHistory];
  if (value === undefined) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    throw malformed(MessageHeader.errorHistory, value, 'a JSON array', error);
  }
  if (!Array.isArray(parsed)) throw malformed(MessageHeader.errorHistory, value, 'a JSON array');
  return parsed.map((entry: unknown) => {
    const { name, message, at } = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
    const date = typeof at === 'string' ? new Date(at) : undefined;
    if (typeof name !== 'string' || typeof message !== 'string' || date === undefined || Number.isNaN(date.getTime())) {
      throw malformed(MessageHeader.errorHistory, value, 'entries of { name, message, at } with string name and message and an ISO date');
    }
    return { name, message, at: date };
  });
}

/**
 * What was thrown, in one line for a dead letter's reason: `Name: message` for an Error (its
 * name alone when the message is empty), the message alone for a non-error, cut to `maxLength`.
 * Never throws, whatever was thrown.
 *
 * @internal
 */
export function summarizeError(error: unknown, maxLength = 500): string {
  const { name, message } = describeThrown(error);
  return cut(name === 'non-error' ? message : message === '' ? name : `${name}: ${message}`, maxLength);
}

/** The text cut to `length` characters with an ellipsis, never between the two halves of a surrogate pair. */
function cut(text: string, length: number): string {
  if (text.length <= length) return text;
  const end = length - 1;
  const code = text.charCodeAt(end - 1);
  return `${text.slice(0, code >= 0xd800 && code <= 0xdbff ? end - 1 : end)}…`;
}

function malformed(header: string, value: string, expected: string, cause?: unknown): MessageDecodeError {
  const preview = value.length > 60 ? `${value.slice(0, 60)}…` : value;
  return new MessageDecodeError('undecodable', `The ${header} header must be ${expected}; got ${JSON.stringify(preview)}.`, { cause });
}
