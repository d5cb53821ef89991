export type {
  DeadLetter,
  DeadLetterReason,
  DeadLetterStore,
  Delivery,
  OutgoingMessage,
  ReceiveOptions,
  Transport,
  TransportHealth,
  TransportMessage,
} from './transport.js';
export { InMemoryTransport } from './in-memory-transport.js';
export type { InMemoryTransportOptions } from './in-memory-transport.js';
export { InMemoryDeadLetterStore } from './in-memory-dead-letter-store.js';
export { TransportClosedError, TransportUnavailableError } from './transport-errors.js';
export { Sender } from './sender.js';
export type { RoutedCommand, SenderOptions } from './sender.js';
export { routeToTransports } from './routing-middleware.js';
export type { CheckedRoute, CheckedRoutes, RoutedCommandMustResolveToVoid, TransportRoute } from './transport-routes.js';
export type { SendOptions, SendReceipt } from './send-receipt.js';
export { NoTransportRouteError, SendBatchError } from './send-errors.js';
export { UnrecoverableError } from './unrecoverable-error.js';
export { currentMessageContext, setMessageContextProvider } from './message-context.js';
export type { MessageContext, MessageContextProvider } from './message-context.js';
export { createMessageIdGenerator, newMessageId } from './message-id.js';
export { MessageRegistry, messageRegistry } from './message-registry.js';
export type { MessageDefinition, MessageNameOptions, MessageRegistration } from './message-registry.js';
export type { StandardSchema, StandardSchemaIssue, StandardSchemaResult } from './standard-schema.js';
export { createMessageNameDecorator, messageName } from './message-name.js';
export type { MessageNameDecorator } from './message-name.js';
export { DuplicateMessageNameError, MissingMessageNameError } from './message-name-errors.js';
export { DecodeError, DecodeErrorCode, EncodeError, EncodeErrorCode } from './codec.js';
export type { Codec } from './codec.js';
export { JsonCodec } from './json-codec.js';
export type { JsonCodecOptions } from './json-codec.js';
export { MessageHeader } from './message-headers.js';
export { decodeMessage, encodeMessage } from './envelope.js';
export type { DecodedMessage, EncodeMessageOptions, Envelope, MessageCodingOptions } from './envelope.js';
export { MessageDecodeError, MessageDecodeReason } from './message-decode-error.js';
export { appendErrorHistory, readAttempt, readErrorHistory } from './error-history.js';
export type { ErrorHistoryOptions, ErrorRecord } from './error-history.js';
