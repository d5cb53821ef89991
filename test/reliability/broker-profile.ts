import type { Transport } from '../../src/transport/transport.js';

/** Where one queue lives: the broker's connection string and the queue's name on it. */
export interface QueueAddress {
  /** The broker's connection string, such as `redis://127.0.0.1:6379`; a private broker gives its own. */
  readonly connection: string;
  /** A queue name unique to one scenario run. */
  readonly queue: string;
}

/** A message as raw bytes on the broker, written past troopy's sender and codec. */
export interface RawMessage {
  /** The broker-level message id (a transport may key or dedupe by it). */
  readonly id: string;
  /** Headers as they are stored; may lack or break envelope headers on purpose. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body bytes, stored as they are. */
  readonly body: Uint8Array;
}

/**
 * A broker instance the restart scenario owns: started on a spare port with durable storage,
 * crashed and started again on the same storage while workers are connected to it.
 */
export interface PrivateBroker {
  /** The connection string of this instance. */
  readonly connection: string;
  /** Kills the broker abruptly (SIGKILL or the nearest equivalent); resolves once it no longer accepts connections. */
  crash(): Promise<void>;
  /** Starts it again on the same port and storage; resolves once it accepts connections. */
  start(): Promise<void>;
  /** Stops it for good and removes its storage; safe to call twice and after a failure. */
  dispose(): Promise<void>;
}

/**
 * Everything the reliability scenarios need to know about one broker, so that the same
 * scenarios, with the same numeric criteria, run against every transport.
 *
 * A profile lives in a module that exports it as `profile`: the worker processes import that
 * module (by `moduleUrl`) to build their transport, so `createTransport` must work in a fresh
 * process from the address alone.
 *
 * Rules for implementers:
 * - `createTransport` returns a new, not yet set-up transport for the queue (with the worker's
 *   `leaseMs` when a worker process builds it, for brokers whose transport imposes the lease); each call gives a
 *   consumer identity of its own (two processes must never share one).
 * - `inject` writes straight into the broker, as another producer would, without troopy's
 *   sender or codec: the bytes and headers arrive at the consumer exactly as given.
 * - `cleanup` removes every trace of the queue (messages, pending entries, delayed ones, dead
 *   letters), and must succeed when the queue was never created.
 * - `startPrivateBroker` is optional; without it the broker-restart scenario is skipped with
 *   the reason `restartUnsupported` gives.
 */
export interface BrokerProfile {
  /** Short name used in test titles and queue names, such as `redis`. */
  readonly name: string;
  /** `import.meta.url` of the module that exports this profile as `profile`. */
  readonly moduleUrl: string;
  /** The shared broker's connection string (from the environment, with the CI default). */
  readonly connection: string;
  /** Resolves when the broker at `connection` answers; rejects with the reason otherwise. */
  probe(connection: string): Promise<void>;
  /** A new transport for the queue; the caller sets it up and closes it. */
  createTransport(address: QueueAddress, options?: { readonly leaseMs?: number | undefined }): Transport;
  /** Writes raw messages straight into the queue on the broker, in order. */
  inject(address: QueueAddress, messages: readonly RawMessage[]): Promise<void>;
  /** Removes the queue and everything that belongs to it from the broker. */
  cleanup(address: QueueAddress): Promise<void>;
  /** Starts a private, durable broker in `directory` on a spare port (for the restart scenario), through `spawnPrivateBroker`. */
  startPrivateBroker?(directory: string): Promise<PrivateBroker>;
  /** Why the restart scenario cannot run on this broker, when `startPrivateBroker` is absent. */
  readonly restartUnsupported?: string;
}
