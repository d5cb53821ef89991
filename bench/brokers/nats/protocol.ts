/** The two ways of moving messages through NATS JetStream that the benchmark compares. */
export const SUBJECTS = ['bare', 'troopy'] as const;

/** One of {@link SUBJECTS}. */
export type SubjectId = (typeof SUBJECTS)[number];

/** How a child process is started: which subject, which role, where. */
export interface ChildSetup {
  readonly subject: SubjectId;
  readonly role: 'producer' | 'consumer';
  /** The NATS server, such as `127.0.0.1:4222`. */
  readonly servers: string;
  /** The stream (and subject) of this run, unique per run. */
  readonly stream: string;
  /** Messages per batch of publishes in flight (bare) or per `sendBatch` (troopy); the consumer's pull size or concurrency. */
  readonly batch: number;
}

/** A phase of one run: a warm-up, a flat-out throughput phase, or a paced latency phase. */
export interface Phase {
  readonly name: 'warm-up' | 'throughput' | 'paced';
  readonly count: number;
  /** Messages per second for a paced phase, sent one per send; `undefined` sends flat out in batches. */
  readonly ratePerSecond?: number;
}

/** Parent to child. */
export type Command = { readonly type: 'expect'; readonly phase: Phase } | { readonly type: 'produce'; readonly phase: Phase } | { readonly type: 'exit' };

/** Child to parent. */
export type Reply =
  | { readonly type: 'ready' }
  | { readonly type: 'expecting' }
  | { readonly type: 'produced'; readonly startedAt: number; readonly endedAt: number; readonly cpuMicros: number }
  | { readonly type: 'consumed'; readonly lastAt: number; readonly p50: number; readonly p99: number; readonly duplicates: number; readonly cpuMicros: number }
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

/** Pads a payload so that its JSON is about 200 bytes. */
export const PAD = 'p'.repeat(150);
