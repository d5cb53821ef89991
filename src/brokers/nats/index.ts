export { NatsTransport } from './nats-transport.js';
export type { NatsTransportOptions } from './options.js';
export type { NatsClientConnection, NatsConnectOptions } from './connection.js';
export { NatsDeadLetterStore } from './dead-letter-store.js';
export { JetStreamRequestError, NatsClientMissingError, NatsSetupError } from './errors.js';
export { TransportClosedError, TransportUnavailableError } from '../../transport/transport-errors.js';
