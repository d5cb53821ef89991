import type { StandardSchemaIssue } from './standard-schema.js';

/** Why a message could not be decoded: the `reason` of a {@link MessageDecodeError}. */
export const MessageDecodeReason = {
  /** The body or the headers cannot be read (size, encoding, JSON, missing or malformed header). */
  undecodable: 'undecodable',
  /** No class is registered under the message's name, or not at the message's version. */
  unknownMessage: 'unknown-message',
  /** The payload does not pass the registered schema, or is not an object of fields. */
  invalidPayload: 'invalid-payload',
} as const;

/** One of the {@link MessageDecodeReason} values. */
export type MessageDecodeReason = (typeof MessageDecodeReason)[keyof typeof MessageDecodeReason];

/**
 * Thrown by `decodeMessage` when a message cannot become a command. A worker dead-letters such
 * a message at once, with `reason` as the dead-letter code: trying again cannot help.
 */
export class MessageDecodeError extends Error {
  override name = 'MessageDecodeError';

  /** Why the message was refused. */
  readonly reason: MessageDecodeReason;
  /** The message's name, when its headers had one. */
  readonly messageName: string | undefined;
  /** The schema's issues, for `invalid-payload` from a schema; empty otherwise. */
  readonly issues: readonly StandardSchemaIssue[];

  constructor(
    reason: MessageDecodeReason,
    message: string,
    options?: ErrorOptions & { readonly messageName?: string | undefined; readonly issues?: readonly StandardSchemaIssue[] | undefined },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.reason = reason;
    this.messageName = options?.messageName;
    this.issues = options?.issues ?? [];
  }
}
