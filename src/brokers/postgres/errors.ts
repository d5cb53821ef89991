import { TransportUnavailableError } from '../../transport/transport-errors.js';

/** Thrown (as a rejection) by the first operation of a Postgres transport when the `pg` package cannot be loaded. */
export class PostgresDriverMissingError extends Error {
  override name = 'PostgresDriverMissingError';

  constructor(cause: unknown) {
    super(
      'troopy/postgres needs the "pg" package, which could not be loaded. ' + 'Install it with `npm install pg`, or pass your own pg.Pool as option "pool".',
      { cause },
    );
  }
}

/** Thrown (as a rejection) when the transport's tables do not exist in the database. */
export class PostgresSchemaMissingError extends Error {
  override name = 'PostgresSchemaMissingError';

  /** The name of the transport, such as `postgres:default`. */
  readonly transport: string;

  constructor(transport: string, operation: string, cause: unknown) {
    super(
      `Could not ${operation} on transport "${transport}": its tables do not exist. ` +
        'Call setup() once (the worker does), or run the SQL of postgresSchemaSql() in your migrations.',
      { cause },
    );
    this.transport = transport;
  }
}

const NETWORK_CODE = /^E[A-Z]+$/;
/** SQLSTATE classes of a lost or refused connection: 08 connection exception, 57 operator intervention, 53 insufficient resources. */
const UNAVAILABLE_STATE = /^(08|57|53)/;
const DRIVER_MESSAGE = /connection|terminated|timeout|timed out|not queryable|pool/i;

/** Whether the error says the database could not be reached or dropped the connection. */
export function isConnectionError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { readonly code?: unknown; readonly message?: unknown };
  if (typeof code === 'string') return NETWORK_CODE.test(code) || UNAVAILABLE_STATE.test(code);
  return typeof message === 'string' && DRIVER_MESSAGE.test(message);
}

/**
 * The error a transport operation rejects with: `TransportUnavailableError` for a database that
 * cannot be reached, `PostgresSchemaMissingError` for missing tables, the error itself otherwise.
 */
export function transportError(transport: string, operation: string, error: unknown): unknown {
  if (error instanceof PostgresDriverMissingError) return error;
  const code = typeof error === 'object' && error !== null ? (error as { readonly code?: unknown }).code : undefined;
  if (code === '42P01' || code === '3F000') return new PostgresSchemaMissingError(transport, operation, error);
  if (!isConnectionError(error)) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new TransportUnavailableError(transport, operation, `PostgreSQL is unreachable (${detail})`, { cause: error });
}
