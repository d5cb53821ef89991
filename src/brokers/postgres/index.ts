export { PostgresTransport } from './postgres-transport.js';
export type { PostgresTransportOptions, PostgresTableOptions } from './options.js';
export { postgresSchemaSql } from './setup.js';
export { PostgresDeadLetterStore } from './dead-letter-store.js';
export { withOutbox } from './outbox.js';
export { PostgresInbox, InboxTransactionError } from './inbox.js';
export type { PostgresInboxOptions } from './inbox.js';
export { PostgresDriverMissingError, PostgresSchemaMissingError } from './errors.js';
export type { PostgresClient, PostgresPool, PostgresListenClient, Row } from './connection.js';
