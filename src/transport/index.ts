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
export { Sender } from '../sending/sender.js';
export type { RoutedCommand, SenderOptions } from '../sending/sender.js';
export { routeToTransports } from '../sending/routing-middleware.js';
export type { CheckedRoute, CheckedRoutes, RoutedCommandMustResolveToVoid, TransportRoute } from '../sending/transport-routes.js';
export type { SendOptions, SendReceipt } from '../sending/send-receipt.js';
export { NoTransportRouteError, SendBatchError } from '../sending/send-errors.js';
export { UnrecoverableError } from './unrecoverable-error.js';
export { currentMessageContext, setMessageContextProvider } from '../sending/message-context.js';
export type { MessageContext, MessageContextProvider } from '../sending/message-context.js';
export { createMessageIdGenerator, newMessageId } from '../envelope/message-id.js';
export { MessageRegistry, messageRegistry } from '../envelope/message-registry.js';
export type { MessageDefinition, MessageNameOptions, MessageRegistration } from '../envelope/message-registry.js';
export type { StandardSchema, StandardSchemaIssue, StandardSchemaResult } from '../envelope/standard-schema.js';
export { createMessageNameDecorator, messageName } from '../envelope/message-name.js';
export type { MessageNameDecorator } from '../envelope/message-name.js';
export { DuplicateMessageNameError, MissingMessageNameError } from '../envelope/message-name-errors.js';
export { DecodeError, DecodeErrorCode, EncodeError, EncodeErrorCode } from '../envelope/codec.js';
export type { Codec } from '../envelope/codec.js';
export { JsonCodec } from '../envelope/json-codec.js';
export type { JsonCodecOptions } from '../envelope/json-codec.js';
export { MessageHeader } from '../envelope/message-headers.js';
export { decodeMessage, encodeMessage } from '../envelope/envelope.js';
export type { DecodedMessage, EncodeMessageOptions, Envelope, MessageCodingOptions } from '../envelope/envelope.js';
export { MessageDecodeError, MessageDecodeReason } from '../envelope/message-decode-error.js';
export { appendErrorHistory, readAttempt, readErrorHistory } from '../envelope/error-history.js';
export type { ErrorHistoryOptions, ErrorRecord } from '../envelope/error-history.js';
