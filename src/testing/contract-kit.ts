import type { Delivery, OutgoingMessage, ReceiveOptions, Transport } from '../transport/transport.js';
import { check, checkBytes, checkHeaders, checkEqual } from './contract-assert.js';

/** What every contract case gets: a set-up transport and helpers bound to it. */
export interface ContractContext {
  /** A fresh transport, already set up; closed and cleaned up after the case. */
  readonly transport: Transport;
  /** The lease the case receives with, in milliseconds. */
  readonly leaseMs: number;
  /** How long a case waits for something that must happen, in milliseconds. */
  readonly patienceMs: number;
  /** A message with a unique id, a few tricky headers and bytes that are not valid UTF-8. */
  readonly message: (
    label: string,
    extra?: { readonly notBefore?: number | undefined; readonly headers?: Record<string, string> | undefined },
  ) => OutgoingMessage;
  /** Receives with `max` 10, the case's lease and its patience, unless overridden. */
  readonly receive: (options?: Partial<ReceiveOptions>) => Promise<Delivery[]>;
  /** Receives exactly one delivery of `expected`, with its headers and bytes, or fails. */
  readonly receiveOne: (expected: OutgoingMessage, what: string, options?: Partial<ReceiveOptions>) => Promise<Delivery>;
  /** Fails if anything is delivered within `waitMs`. */
  readonly expectNothing: (waitMs: number, what: string, options?: Partial<ReceiveOptions>) => Promise<void>;
  /** Writes messages onto the queue as another producer could (see `TransportContractOptions.writeForeign`); only for cases that require it. */
  readonly writeForeign?: (() => Promise<readonly ForeignMessage[]>) | undefined;
}

/**
 * A message another producer wrote onto a transport's queue, past the transport (a raw XADD,
 * a plain publish), with the headers and body the transport documents it delivers for it.
 */
export interface ForeignMessage {
  /** Its shape in a few words, for failure messages, such as `XADD stream * x bytes`. */
  readonly shape: string;
  /** The headers the transport delivers it with. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body the transport delivers it with: every byte that arrived, in the transport's documented form. */
  readonly body: Uint8Array;
}

/**
 * One case of the contract suite. Within a case every receive uses the same `leaseMs`: some
 * brokers (Redis) measure a lease against the `leaseMs` of the consumer that reclaims it.
 */
export interface ContractCase {
  /** What the case proves, used as the test's name. */
  readonly name: string;
  /** Runs the case; throws `ContractViolationError` when the transport breaks the rule. */
  readonly run: (context: ContractContext) => Promise<void>;
  /** An option of `transportContract` the case needs; without it the case is skipped, saying so. */
  readonly requires?: 'writeForeign' | undefined;
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

const encoder = new TextEncoder();

/** Builds the context for one case. */
export function contractContext(
  transport: Transport,
  leaseMs: number,
  patienceMs: number,
  writeForeign?: (transport: Transport) => Promise<readonly ForeignMessage[]>,
): ContractContext {
  const run = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const receive = (options: Partial<ReceiveOptions> = {}): Promise<Delivery[]> => transport.receive({ max: 10, leaseMs, waitMs: patienceMs, ...options });
  return {
    ...(writeForeign === undefined ? {} : { writeForeign: () => writeForeign(transport) }),
    transport,
    leaseMs,
    patienceMs,
    message: (label, extra = {}) => {
      const headers = extra.headers ?? { 'message-name': 'contract.test', label, note: 'žluťoučký kůň 🐎 "quoted"\n', empty: '' };
      const body = new Uint8Array([0, 1, 127, 128, 255, 0xc3, 0x28, ...encoder.encode(label)]);
      const message = { id: `contract-${run}-${label}`, headers, body };
      return extra.notBefore === undefined ? message : { ...message, notBefore: extra.notBefore };
    },
    receive,
    receiveOne: async (expected, what, options) => {
      const deliveries = await receive(options);
      check(deliveries.length > 0, `${what}: expected message "${expected.id}" to be delivered, but nothing was.`);
      const ids = deliveries.map((delivery) => delivery.id);
      checkEqual(deliveries.length, 1, `${what}: number of deliveries (ids ${ids.join(', ')})`);
      const [delivery] = deliveries as [Delivery];
      checkEqual(delivery.id, expected.id, `${what}: delivered message id`);
      checkHeaders(delivery.headers, expected.headers, `${what}: headers of "${expected.id}"`);
      checkBytes(delivery.body, expected.body, `${what}: body of "${expected.id}"`);
      check(typeof delivery.receipt === 'string' && delivery.receipt !== '', `${what}: the delivery has no receipt.`);
      return delivery;
    },
    expectNothing: async (waitMs, what, options) => {
      const deliveries = await receive({ ...options, waitMs: Math.max(0, Math.round(waitMs)) });
      const shown = deliveries.map((delivery) => `"${delivery.id}" (deliveryCount ${delivery.deliveryCount})`).join(', ');
      check(deliveries.length === 0, `${what}: expected no delivery within ${Math.round(waitMs)} ms, got ${shown}.`);
    },
  };
}
