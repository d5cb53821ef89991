import type { Delivery, Transport } from '../transport/transport.js';

/**
 * One delivery the worker is working on, from receipt to its outcome.
 *
 * Its `AbortSignal` is made only when someone asks for it (a handler reading
 * `context.signal`, or the shutdown aborting it): most handlers never look, and a signal costs
 * more to make than the rest of a delivery's bookkeeping.
 */
export class Job {
  /** The transport the delivery came from. */
  readonly transport: Transport;
  /** The delivery itself. */
  readonly delivery: Delivery;
  /**
   * `running` while the handler may run, `settling` while its outcome is written, `released` once
   * the worker gave up on it at shutdown (its handler may still run; its message is released once
   * the handler has settled) or gave it back.
   */
  state: 'running' | 'settling' | 'released' = 'running';
  /** Whether the lease keeper keeps its lease (while its handler runs). */
  leaseKept = false;
  /** What processing it resolves with once its outcome is written; `undefined` only while it starts. */
  done: Promise<void> | undefined;
  /** The release of a job given up at shutdown, once its handler has settled. */
  released: Promise<void> | undefined;
  /** Its neighbours in the worker's list of jobs (a `JobList`). */
  previous: Job | undefined;
  next: Job | undefined;
  /** Whether a lease extension is on its way to the broker (the lease keeper sends one at a time). */
  extending = false;
  #controller: AbortController | undefined;

  constructor(transport: Transport, delivery: Delivery) {
    this.transport = transport;
    this.delivery = delivery;
  }

  /** Aborted when the worker gives up on the handler at shutdown. */
  get signal(): AbortSignal {
    this.#controller ??= new AbortController();
    return this.#controller.signal;
  }

  /** Aborts the signal with `reason`, now or, if nobody asked for it yet, already when someone does. */
  abort(reason: unknown): void {
    this.#controller ??= new AbortController();
    this.#controller.abort(reason);
  }
}
