/**
 * What a broker brings to the end-to-end harness: how its bare loop, its peer (if any) and
 * troopy produce and consume, what a run creates and removes, and the words of its table. All
 * else (processes, phases, rounds, medians, the table) is the harness's.
 */
import type { Payload, RunTarget } from './protocol.js';

/** What a consumer calls for each message it handles, as the handler starts. */
export type OnMessage = (payload: Payload) => void;

/** The producing half of a subject, in the producer process. */
export interface Producer {
  /** Sends a batch in one call, resolving once the broker has durably taken all of it. */
  sendBatch(payloads: readonly Payload[]): Promise<void>;
  /** Sends one message on its own, resolving once the broker has durably taken it. */
  sendOne(payload: Payload): Promise<void>;
  close(): Promise<void>;
}

/** The consuming half of a subject, in the consumer process; handles messages from `start` until `close`. */
export interface Consumer {
  start(onMessage: OnMessage): Promise<void>;
  close(): Promise<void>;
}

/**
 * One way of moving messages through the broker. `producer` and `consumer` run in their own
 * processes; `prepare` and `cleanup` run in the harness, before the processes start (so the
 * two never race to create the queue) and after both exited.
 */
export interface Subject {
  /** The row's label, saying what runs and how it batches. */
  readonly label: string;
  producer(run: RunTarget): Promise<Producer>;
  consumer(run: RunTarget): Promise<Consumer>;
  prepare?(run: RunTarget): Promise<void>;
  cleanup?(run: RunTarget): Promise<void>;
}

/** Another library on the same broker that troopy is measured against, such as BullMQ. */
export interface PeerSubject extends Subject {
  /** Its id on the command line (`--subjects=`) and in progress lines. */
  readonly id: string;
  /** Its name in the target line. */
  readonly name: string;
}

/**
 * One broker's end-to-end benchmark. The module that builds it must default-export it: each
 * producer and consumer process imports `module` to find its subject.
 */
export interface EndToEndBroker {
  /** The id in progress lines, such as `redis`. */
  readonly id: string;
  /** `import.meta.url` of the module that default-exports this definition. */
  readonly module: string;
  /** The broker's name in the table heading, such as `NATS JetStream`. */
  readonly name: string;
  /** The broker address when the options give none, read from the environment. */
  defaultUrl(): string;
  /** The limit for this broker: the plainest client loop with the same durability and batching. */
  readonly bare: Subject;
  readonly peer?: PeerSubject;
  /**
   * Other plain client loops worth a row beside the bare one, such as the bare loop with the
   * guarantees troopy must give on this broker; the table says troopy's throughput divided by
   * each. They do not change the target, which is against the bare loop.
   */
  readonly references?: readonly PeerSubject[];
  readonly troopy: Subject;
  /**
   * Pause between the flat-out and the paced phase, for a consumer that counts a message
   * before its ack and bookkeeping are done, so that backlog is not measured as latency.
   * @default 0
   */
  readonly settleMs?: number;
  /**
   * Runs before each run of every subject, such as a CHECKPOINT, so that no run starts with
   * another's leftover work on the broker. @default nothing
   */
  beforeEachRun?(url: string): Promise<void>;
  /** The command name of the broker's server processes (as `ps -o comm` shows it), whose CPU time the table reports. */
  readonly serverProcess?: string;
  /** The words of the table that differ per broker. */
  readonly report: {
    /** After the message size in the heading, such as ` on a quorum queue`. @default '' */
    readonly queue?: string;
    /** After "Flat out: batches of 100 per send call, one call in flight" in the notes. */
    readonly flatOut: string;
    /** Who shares the machine with producer and consumer, such as `RabbitMQ (quorum queue, publisher confirms)`. */
    readonly server: string;
  };
}

/** The broker's subjects in table order (bare loop, references, peer, troopy), each with its id. */
export function subjectsOf(broker: EndToEndBroker): readonly (readonly [string, Subject])[] {
  return [
    ['bare', broker.bare],
    ...(broker.references ?? []).map((reference) => [reference.id, reference] as const),
    ...(broker.peer === undefined ? [] : [[broker.peer.id, broker.peer] as const]),
    ['troopy', broker.troopy],
  ];
}
