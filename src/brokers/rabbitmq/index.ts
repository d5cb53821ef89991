export { RabbitMqTransport } from './rabbitmq-transport.js';
export type { RabbitMqTransportOptions } from './options.js';
export type { AmqpConnection } from './connection.js';
export { RabbitMqDeadLetterStore } from './dead-letter-store.js';
export { RabbitMqClientMissingError, RabbitMqLeaseLimitError, RabbitMqTopologyError } from './errors.js';
export { TransportClosedError, TransportUnavailableError } from '../../transport/transport-errors.js';
