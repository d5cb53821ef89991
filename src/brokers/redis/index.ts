export { RedisTransport } from './redis-transport.js';
export type { RedisTransportOptions } from './options.js';
export type { RedisClient } from './connection.js';
export { RedisDeadLetterStore } from './dead-letter-store.js';
export { RedisClientMissingError } from './errors.js';
export { TransportClosedError, TransportUnavailableError } from '../../transport/transport-errors.js';
