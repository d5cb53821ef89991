import { booleanOption, invalidOption, numberOption, objectOption } from '../check-option.js';
import type { DispatchContext } from '../context.js';
import { checkCodingOptions } from '../envelope/check-coding-options.js';
import type { Codec } from '../envelope/codec.js';
import type { MessageRegistry } from '../envelope/message-registry.js';
import type { Transport } from '../transport/transport.js';
import { RetryStrategy, type RetryOptions } from './retry-strategy.js';
import type { StopLimits } from './stop-limits.js';

/** Anything that dispatches a command to its handler: a `CommandBus` with or without middleware. */
export interface Dispatcher {
  /** Runs the command's handler with the given context; may return a value or a promise. */
  dispatch(command: object, context?: DispatchContext): unknown;
}

/**
 * How a consumer retries a broker that fails: capped exponential backoff with full jitter. The
 * wait after the n-th failure in a row is uniform in `[0, min(capMs, baseMs × 2^(n−1))]`.
 */
export interface ReconnectOptions {
  /** The longest wait after the first failure, in milliseconds. @default 100 */
  readonly baseMs?: number | undefined;
  /** The longest wait, in milliseconds. @default 30_000 */
  readonly capMs?: number | undefined;
}

/** Options of {@link Worker}. */
export interface WorkerOptions {
  /** The transports to consume, at least one. They are set up by the worker but not closed. */
  readonly transports: readonly Transport[];
  /**
   * Handles each received command. The worker dispatches with `context.receivedFrom` set, so a
   * bus whose middleware routes this command to a transport handles it here instead.
   */
  readonly bus: Dispatcher;
  /** Where message names are looked up when decoding. @default messageRegistry */
  readonly registry?: MessageRegistry | undefined;
  /** Decodes bodies. @default the JSON codec */
  readonly codec?: Codec | undefined;
  /**
   * Most handlers running at once, across all transports. A message whose handler is done frees
   * its place while its outcome (ack, retry, dead letter) is still on its way to the broker, but
   * the handlers of the next receive start only once the outcomes written before are confirmed.
   * @default 1
   */
  readonly concurrency?: number | undefined;
  /**
   * How long each delivery is leased; the lease is extended every `leaseMs / 3` while its
   * handler runs. A transport whose broker keeps one lease per queue (NATS) imposes its own
   * `leaseMs`: leave this out, or give the same value (another is refused with a `RangeError`).
   * @default the lease a transport imposes, else 30_000
   */
  readonly leaseMs?: number | undefined;
  /** A message delivered more often than this is dead-lettered before its handler runs (a crash loop). @default 10 */
  readonly maxDeliveries?: number | undefined;
  /** Retry policy for failed handlers: options or a {@link RetryStrategy}. @default new RetryStrategy() (5 attempts, 1 s base, factor 2, 1 h cap) */
  readonly retry?: RetryOptions | RetryStrategy | undefined;
  /** How long `stop()` waits for running handlers before aborting their signals; a message is released only once its handler has settled. @default 25_000 */
  readonly shutdownTimeoutMs?: number | undefined;
  /** Limits after which the worker stops by itself. @default none */
  readonly limits?: StopLimits | undefined;
  /** Stop gracefully on SIGTERM or SIGINT, and exit at once (code 1) on a second one. @default false */
  readonly handleSignals?: boolean | undefined;
  /** How long one receive waits for a message before asking again, in milliseconds. @default 1_000 */
  readonly receiveWaitMs?: number | undefined;
  /** Backoff while a broker fails. @default { baseMs: 100, capMs: 30_000 } */
  readonly reconnect?: ReconnectOptions | undefined;
  /** How many past errors a retried message keeps in its headers. @default 10 */
  readonly errorHistoryLimit?: number | undefined;
  /**
   * Whether handlers run in the message scope that `currentMessageContext()` reads, through
   * which a command sent from a handler inherits its correlation id, cause and trace. The scope
   * is an `AsyncLocalStorage`, which costs every promise of the process a little once entered;
   * by default the worker enters it only once the process has built a `Sender` (which reads it).
   * Set `true` to enter it always (to read `currentMessageContext()` yourself), `false` never.
   * @default entered once a `Sender` exists in the process
   */
  readonly messageScope?: boolean | undefined;
}

/** {@link WorkerOptions} checked, with every default filled in. */
export interface ResolvedWorkerOptions {
  readonly transports: readonly Transport[];
  readonly bus: Dispatcher;
  readonly registry: MessageRegistry | undefined;
  readonly codec: Codec | undefined;
  readonly concurrency: number;
  readonly leaseMs: number;
  readonly maxDeliveries: number;
  readonly retry: RetryStrategy;
  readonly shutdownTimeoutMs: number;
  readonly limits: { readonly [K in keyof StopLimits]-?: number };
  readonly handleSignals: boolean;
  readonly receiveWaitMs: number;
  readonly reconnect: { readonly [K in keyof ReconnectOptions]-?: number };
  readonly errorHistoryLimit: number;
  /** `undefined` while it follows whether a `Sender` exists. */
  readonly messageScope: boolean | undefined;
}

const W = 'Worker';

/**
 * Checks the worker's options and fills in the defaults.
 *
 * @throws {TypeError} naming the option, the rule and the value received.
 */
export function resolveWorkerOptions(options: WorkerOptions): ResolvedWorkerOptions {
  const given = objectOption(W, 'options', options);
  const transports = given['transports'];
  if (!Array.isArray(transports) || transports.length === 0 || !transports.every(isTransport)) {
    throw invalidOption(W, 'transports', 'a non-empty array of transports (objects with receive, ack, retry...)', transports);
  }
  const bus = given['bus'];
  if (typeof bus !== 'object' || bus === null || typeof (bus as Partial<Dispatcher>).dispatch !== 'function') {
    throw invalidOption(W, 'bus', 'a CommandBus (an object with a dispatch method)', bus);
  }
  const retry = given['retry'];
  const { registry, codec } = checkCodingOptions(W, given['registry'], given['codec']);
  const limits = objectOption(W, 'limits', given['limits']);
  const reconnect = objectOption(W, 'reconnect', given['reconnect']);
  return {
    transports,
    bus: bus as Dispatcher,
    registry,
    codec,
    concurrency: numberOption(W, 'concurrency', given['concurrency'], 1, { min: 1, integer: true }),
    leaseMs: leaseOption(
      transports,
      given['leaseMs'] === undefined ? undefined : numberOption(W, 'leaseMs', given['leaseMs'], undefined, { min: 3, integer: true }),
    ),
    maxDeliveries: numberOption(W, 'maxDeliveries', given['maxDeliveries'], 10, { min: 1, integer: true, infinite: true }),
    retry: retry instanceof RetryStrategy ? retry : new RetryStrategy(objectOption(W, 'retry', retry)),
    shutdownTimeoutMs: numberOption(W, 'shutdownTimeoutMs', given['shutdownTimeoutMs'], 25_000, { min: 0 }),
    limits: {
      maxMessages: numberOption(W, 'limits.maxMessages', limits['maxMessages'], Infinity, { min: 1, integer: true, infinite: true }),
      maxRuntimeMs: numberOption(W, 'limits.maxRuntimeMs', limits['maxRuntimeMs'], Infinity, { min: 0, infinite: true }),
      maxMemoryMb: numberOption(W, 'limits.maxMemoryMb', limits['maxMemoryMb'], Infinity, { min: 1, infinite: true }),
    },
    handleSignals: booleanOption(W, 'handleSignals', given['handleSignals'], false),
    receiveWaitMs: numberOption(W, 'receiveWaitMs', given['receiveWaitMs'], 1_000, { min: 0 }),
    reconnect: {
      baseMs: numberOption(W, 'reconnect.baseMs', reconnect['baseMs'], 100, { min: 1 }),
      capMs: numberOption(W, 'reconnect.capMs', reconnect['capMs'], 30_000, { min: 1 }),
    },
    errorHistoryLimit: numberOption(W, 'errorHistoryLimit', given['errorHistoryLimit'], 10, { min: 1, integer: true }),
    messageScope: given['messageScope'] === undefined ? undefined : booleanOption(W, 'messageScope', given['messageScope'], undefined),
  };
}

/**
 * The worker's lease: its own `leaseMs`, or else the one lease its transports impose (a broker
 * that keeps one lease per queue, such as NATS JetStream's `AckWait`, says so through
 * `Transport.leaseMs`), or else 30 s. A transport's lease is the one source of truth: a worker
 * `leaseMs` that differs from it, or transports that impose different ones, are refused.
 */
function leaseOption(transports: readonly Transport[], given: number | undefined): number {
  const imposed = transports.filter((transport): transport is Transport & { leaseMs: number } => typeof transport.leaseMs === 'number');
  const [first] = imposed;
  if (first === undefined) return given ?? 30_000;
  for (const transport of imposed) {
    const expected = given ?? first.leaseMs;
    if (transport.leaseMs === expected) continue;
    const rule = `${W} option "leaseMs" must equal the lease transport "${transport.name}" imposes, ${transport.leaseMs} ms (the leaseMs of its options: its broker keeps one lease for all workers of a queue)`;
    throw new RangeError(
      given === undefined
        ? `${rule}, but transport "${first.name}" imposes ${expected} ms. Give every transport of one worker the same leaseMs.`
        : `${rule}; got ${given} ms. Set leaseMs once, on the transport, and leave it out of the worker's options.`,
    );
  }
  return given ?? first.leaseMs;
}

function isTransport(value: unknown): value is Transport {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return ['setup', 'receive', 'ack', 'retry', 'deadLetter', 'extendLease', 'release', 'health'].every((method) => typeof candidate[method] === 'function');
}
