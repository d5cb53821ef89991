/**
 * What the harness and its producer and consumer processes say to each other over IPC, and the
 * payload every subject carries.
 */

/** Where one run's producer and consumer meet, handed to every {@link Subject} factory and hook. */
export interface RunTarget {
  /** The broker's address (a URL, or `host:port` for NATS). */
  readonly url: string;
  /** The run's own stream, queue or table name, unique per run. */
  readonly key: string;
  /** Messages per batch a producer sends in one call, and most a consumer takes or runs at once. */
  readonly batch: number;
  /** Options laid over troopy's transport options (`--transport-options`), to measure a setting; none by default. */
  readonly transportOptions?: Readonly<Record<string, unknown>>;
}

/** How a child process is started: which broker module, which subject, which role, where. */
export interface ChildSetup {
  /** URL of the module whose default export is the broker definition. */
  readonly module: string;
  readonly subject: string;
  readonly role: 'producer' | 'consumer';
  readonly run: RunTarget;
}

/** A phase of one run: a warm-up, a flat-out throughput phase, or a paced latency phase. */
export interface Phase {
  readonly name: 'warm-up' | 'throughput' | 'paced';
  readonly count: number;
  /** Messages per second for a paced phase, sent one per send; `undefined` sends flat out in batches. */
  readonly ratePerSecond?: number;
}

/** Harness to child. */
export type ChildCommand = { readonly type: 'expect'; readonly phase: Phase } | { readonly type: 'produce'; readonly phase: Phase } | { readonly type: 'exit' };

/** Child to harness. */
export type ChildReply =
  | { readonly type: 'ready' }
  | { readonly type: 'expecting' }
  | { readonly type: 'produced'; readonly startedAt: number; readonly endedAt: number; readonly cpuMicros: number }
  | {
      readonly type: 'consumed';
      readonly lastAt: number;
      readonly p50: number;
      readonly p99: number;
      readonly duplicates: number;
      /** CPU time (user + system) this process used from `expect` to the last message, in µs. */
      readonly cpuMicros: number;
    }
  | { readonly type: 'failed'; readonly error: string };

/** Epoch milliseconds with sub-millisecond precision, comparable across processes on one machine. */
export function now(): number {
  return performance.timeOrigin + performance.now();
}

/** The payload every subject carries: about 200 bytes of JSON. */
export interface Payload {
  readonly seq: number;
  readonly sentAt: number;
  readonly pad: string;
}

const PAD = 'p'.repeat(150);

/** The payload of message `seq`, padded so that its JSON is about 200 bytes. */
export function payload(seq: number, sentAt: number): Payload {
  return { seq, sentAt, pad: PAD };
}
