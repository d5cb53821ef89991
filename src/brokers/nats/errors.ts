/**
 * Thrown (as a rejection) by the first operation of a NATS transport when `@nats-io/transport-node`
 * or `@nats-io/jetstream` cannot be loaded. A connection given as option "connection" does not
 * spare them: the transport needs both packages either way.
 */
export class NatsClientMissingError extends Error {
  override name = 'NatsClientMissingError';

  constructor(cause: unknown) {
    super(
      'troopy/nats needs the packages "@nats-io/transport-node" and "@nats-io/jetstream" (version 3 or newer), which could not be loaded. ' +
        'Install them with `npm install @nats-io/transport-node @nats-io/jetstream` (option "connection" does not replace them).',
      { cause },
    );
  }
}

/**
 * Thrown (as a rejection) when JetStream answers a request with an error of its own: a stream
 * limit reached on publish, a consumer that cannot be changed, an account without JetStream...
 * The broker was reachable, so trying again unchanged will usually fail the same way.
 */
export class JetStreamRequestError extends Error {
  override name = 'JetStreamRequestError';

  /** The name of the transport, such as `nats:troopy-commands`. */
  readonly transport: string;
  /** JetStream's error code (`err_code`), such as 10058; 0 when the server gave none. */
  readonly apiCode: number;

  constructor(transport: string, operation: string, apiCode: number, description: string, options?: { readonly cause?: unknown }) {
    super(`Could not ${operation} on transport "${transport}": JetStream answered "${description}"${apiCode === 0 ? '' : ` (err_code ${apiCode})`}.`, options);
    this.transport = transport;
    this.apiCode = apiCode;
  }
}

/**
 * Thrown by `setup()` when a stream of the configured name exists with a setting that cannot be
 * changed in place (its retention or storage). Delete the stream, or choose another name.
 */
export class NatsSetupError extends Error {
  override name = 'NatsSetupError';

  /** The name of the transport, such as `nats:troopy-commands`. */
  readonly transport: string;

  constructor(transport: string, stream: string, setting: string, existing: unknown, wanted: unknown) {
    super(
      `Transport "${transport}" cannot use stream "${stream}": it exists with ${setting} ${JSON.stringify(existing)}, ` +
        `and the transport needs ${JSON.stringify(wanted)}, which JetStream cannot change on an existing stream. ` +
        `Delete the stream (nats stream rm ${stream}) or give the transport another "stream" name.`,
    );
    this.transport = transport;
  }
}
