import { invalidOption, numberOption } from '../check-option.js';
import { describe } from '../describe.js';
import type { MessageClass } from '../message-router.js';
import type { Codec } from '../envelope/codec.js';
import { checkCodingOptions } from '../envelope/check-coding-options.js';
import { encodeMessage, HEADER_RECORD_RULE, isHeaderRecord } from '../envelope/envelope.js';
import { currentMessageContext, registerMessageContextReader } from './message-context.js';
import { MessageHeader } from '../envelope/message-headers.js';
import type { MessageRegistry } from '../envelope/message-registry.js';
import { NoTransportRouteError, SendBatchError } from './send-errors.js';
import type { SendOptions, SendReceipt } from './send-receipt.js';
import { buildRouteMap, type CheckedRoutes, type TransportRoute } from './transport-routes.js';
import type { OutgoingMessage, Transport } from '../transport/transport.js';

/** Options of {@link Sender}. */
export interface SenderOptions<Routes extends readonly TransportRoute[]> {
  /**
   * Which command classes go to which transport, as `[CommandClass, transport]` pairs. Each
   * class must extend `Command<Promise<void>>`, or the configuration does not compile.
   */
  readonly routes: CheckedRoutes<Routes>;
  /** Where message names are looked up. @default messageRegistry */
  readonly registry?: MessageRegistry | undefined;
  /** Encodes bodies. @default the JSON codec */
  readonly codec?: Codec | undefined;
}

/** An instance of one of the routed classes. */
export type RoutedCommand<Routes extends readonly TransportRoute[]> = InstanceType<Routes[number][0]>;

/**
 * Sends commands to the transports their classes are routed to: the sending half of
 * asynchronous commands. Use it directly for delays and batches, or through
 * {@link routeToTransports} so that `bus.dispatch` sends routed commands by itself.
 *
 * Each send resolves once the broker has durably accepted the message and rejects otherwise
 * (never silently). A command sent while a worker handles another message inherits that
 * message's correlation id and trace, and names it as its causation.
 *
 * @example
 * const redis = new RedisTransport({ url });
 * const sender = new Sender({ routes: [[SendEmail, redis], [BuildReport, redis]] });
 * const receipt = await sender.send(new SendEmail('tom@example.com'), { delayMs: 60_000 });
 */
export class Sender<const Routes extends readonly TransportRoute[] = readonly TransportRoute[]> {
  /** Every transport a class is routed to, each once, in the order of the routes. */
  readonly transports: readonly Transport[];
  readonly #routes: Map<MessageClass, Transport>;
  readonly #registry: MessageRegistry | undefined;
  readonly #codec: Codec | undefined;

  /**
   * @throws {TypeError} when `routes` is not an array of `[CommandClass, transport]` pairs or
   * routes a class twice, or `registry` or `codec` is not one (such as the `JsonCodec` class
   * instead of an instance).
   */
  constructor(options: SenderOptions<Routes>) {
    if (typeof options !== 'object' || (options as unknown) === null) {
      throw invalidOption('Sender', 'options', 'an object { routes, registry?, codec? }', options);
    }
    const { registry, codec } = checkCodingOptions('Sender', options.registry, options.codec);
    this.#routes = buildRouteMap('Sender', options.routes);
    this.transports = [...new Set(this.#routes.values())];
    this.#registry = registry;
    this.#codec = codec;
    registerMessageContextReader();
  }

  /** The transport the class is routed to, or `undefined` when it is handled in process. */
  transportFor(messageClass: MessageClass): Transport | undefined {
    return this.#routes.get(messageClass);
  }

  /**
   * Sends one command to its transport.
   *
   * @throws {NoTransportRouteError} when its class is not routed.
   * @throws {MissingMessageNameError} when its class has no message name.
   * @throws {TypeError} for invalid options (such as `headers` that are not an object of
   * strings), or `delayMs` together with `notBefore`.
   * @throws whatever the transport rejects with when the broker did not confirm (such as `TransportUnavailableError`).
   */
  async send(command: RoutedCommand<Routes>, options?: SendOptions): Promise<SendReceipt> {
    const receipts = await this.sendBatch([command], options);
    return receipts[0] as SendReceipt;
  }

  /**
   * Sends several commands, one `send` per transport (all of them at once). Resolves with their
   * receipts, in order, once every transport confirmed. Nothing is sent when a command cannot
   * be encoded or is not routed.
   *
   * @throws {SendBatchError} when some transports confirmed and others did not.
   * @throws the same errors as {@link send} when nothing was sent.
   */
  async sendBatch(commands: readonly RoutedCommand<Routes>[], options: SendOptions = {}): Promise<SendReceipt[]> {
    if (!Array.isArray(commands)) throw new TypeError(`sendBatch expects an array of commands; got ${describe(commands)}.`);
    const notBefore = dueTime(options);
    if (options.headers !== undefined && !isHeaderRecord(options.headers)) {
      throw invalidOption('send', 'headers', HEADER_RECORD_RULE, options.headers);
    }
    const groups = new Map<Transport, { message: OutgoingMessage; index: number }[]>();
    commands.forEach((command: object, index) => {
      const transport = typeof command === 'object' && command !== null ? this.#routes.get(command.constructor as MessageClass) : undefined;
      if (transport === undefined) throw unrouted(command);
      const encoded = this.#encode(command, options);
      const message = notBefore === undefined ? encoded : { ...encoded, notBefore };
      const group = groups.get(transport);
      if (group === undefined) groups.set(transport, [{ message, index }]);
      else group.push({ message, index });
    });
    const receipts: (SendReceipt | undefined)[] = commands.map(() => undefined);
    const outcomes = await Promise.allSettled(
      [...groups].map(async ([transport, group]) => {
        await transport.send(group.map(({ message }) => message));
        for (const { message, index } of group) receipts[index] = { id: message.id, transport: transport.name };
      }),
    );
    const errors = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as unknown] : []));
    if (errors.length === 0) return receipts as SendReceipt[];
    if (errors.length === outcomes.length) throw errors[0];
    throw new SendBatchError(errors, receipts);
  }

  #encode(command: object, options: SendOptions) {
    const handled = currentMessageContext();
    const headers = options.headers;
    return encodeMessage(command, {
      registry: this.#registry,
      codec: this.#codec,
      headers,
      correlationId: options.correlationId ?? headers?.[MessageHeader.correlationId] ?? handled?.correlationId,
      causationId: headers?.[MessageHeader.causationId] ?? handled?.messageId,
      traceparent: headers?.[MessageHeader.traceparent] ?? handled?.traceparent,
      tracestate: headers?.[MessageHeader.traceparent] === undefined ? handled?.tracestate : headers[MessageHeader.tracestate],
    });
  }
}

/** The earliest delivery time of a send, or `undefined` for at once. */
function dueTime(options: SendOptions): number | undefined {
  const { delayMs, notBefore } = options;
  if (delayMs !== undefined && notBefore !== undefined) {
    throw new TypeError('send takes either "delayMs" or "notBefore", not both; pick one.');
  }
  if (delayMs !== undefined) {
    numberOption('send', 'delayMs', delayMs, undefined, { min: 0 });
    return delayMs === 0 ? undefined : Date.now() + delayMs;
  }
  if (notBefore === undefined) return undefined;
  const at = notBefore instanceof Date ? notBefore.getTime() : notBefore;
  if (typeof at !== 'number' || !Number.isFinite(at)) {
    throw invalidOption('send', 'notBefore', 'a valid Date or epoch milliseconds', notBefore);
  }
  return at;
}

function unrouted(command: unknown): Error {
  if (typeof command === 'object' && command !== null) return new NoTransportRouteError(command.constructor as MessageClass);
  return new TypeError(`send expects a command, an instance of a routed class; got ${describe(command)}.`);
}
