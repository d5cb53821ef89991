import type { DeadLetterReason, TransportHealth } from '../transport/transport.js';

/** Why a worker stopped. */
export type StopReason = 'stop' | 'signal' | 'max-messages' | 'max-runtime' | 'max-memory';

/** What the worker was doing when an {@link WorkerEvents.error} happened. */
export type WorkerActivity = 'setup' | 'receive' | 'ack' | 'retry' | 'dead-letter' | 'extend-lease' | 'release' | 'listener';

/**
 * The worker's lifecycle events and their payloads, for logs and metrics:
 * `worker.on('handled', ({ messageName, durationMs }) => metrics.observe(messageName, durationMs))`.
 */
export interface WorkerEvents {
  /** A delivery was taken from a transport, before anything else is done with it. */
  received: { readonly transport: string; readonly messageId: string; readonly deliveryCount: number };
  /** A handler succeeded and its message was acknowledged. */
  handled: { readonly transport: string; readonly messageId: string; readonly messageName: string; readonly durationMs: number };
  /** A handler threw; `retried` or `dead-lettered` follows. */
  failed: {
    readonly transport: string;
    readonly messageId: string;
    readonly messageName: string;
    readonly attempt: number;
    readonly error: unknown;
  };
  /** A failed message was scheduled again; `attempt` is the number of the coming attempt. */
  retried: { readonly transport: string; readonly messageId: string; readonly attempt: number; readonly delayMs: number };
  /** A message went to the dead letters. */
  'dead-lettered': { readonly transport: string; readonly messageId: string; readonly reason: DeadLetterReason };
  /** A handler outlived the shutdown timeout: its signal was aborted and its message given back. */
  released: { readonly transport: string; readonly messageId: string };
  /** A consumer's connection state changed (connected, reconnecting, failed). */
  health: { readonly transport: string; readonly status: TransportHealth };
  /** The worker stopped; nothing more will be received. */
  stopped: { readonly reason: StopReason };
  /**
   * Something went wrong that the worker survives: a broker call failed, or a listener threw.
   * Without an `error` listener the worker writes these to `console.error`, never silently.
   */
  error: { readonly transport: string | undefined; readonly during: WorkerActivity; readonly error: unknown };
}
