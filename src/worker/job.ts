import type { Delivery, Transport } from '../transport/transport.js';

/**
 * Where a {@link Job} is. `running` until its handler is done (or will not run); then `settling`
 * while its outcome (ack, retry, dead letter) is written. At shutdown a handler that outlives the
 * timeout is `given-up`: it may still run, and once it has settled its message is `released`.
 */
export type JobState = 'running' | 'settling' | 'given-up' | 'released';

/**
 * One delivery the worker is working on, from receipt to its outcome. Its state changes only
 * through its own methods, each allowed from one state: `running` → {@link settle} →
 * `settling`, or `running` → {@link giveUp} → `given-up` → {@link release} → `released`.
 *
 * Its `AbortSignal` is made only when someone asks for it (a handler reading `context.signal`,
 * or {@link giveUp}): most handlers never look, and a signal costs more to make than the rest of
 * a delivery's bookkeeping.
 */
export class Job {
  /** The transport the delivery came from. */
  readonly transport: Transport;
  /** The delivery itself. */
  readonly delivery: Delivery;
  /** Its processing, which resolves once its outcome is written (or failed to be); set once, as it starts. */
  done: Promise<void> | undefined;
  /** Its neighbours in the worker's list of jobs; only a `JobList` changes them. */
  previous: Job | undefined;
  next: Job | undefined;
  /** Whether the lease keeper keeps its lease (while its handler runs); only the `LeaseKeeper` changes it. */
  leaseKept = false;
  /** Whether a lease extension is on its way to the broker (the lease keeper sends one at a time). */
  extending = false;
  #state: JobState = 'running';
  #controller: AbortController | undefined;

  constructor(transport: Transport, delivery: Delivery) {
    this.transport = transport;
    this.delivery = delivery;
  }

  /** Where the job is; see {@link JobState}. */
  get state(): JobState {
    return this.#state;
  }

  /**
   * Its handler is done, or will not run: its outcome is written next. Returns `false`, and
   * changes nothing, when the job was given up (its message is released instead).
   */
  settle(): boolean {
    if (this.#state !== 'running') return false;
    this.#state = 'settling';
    return true;
  }

  /**
   * At shutdown, its handler outlived the timeout: aborts its signal with `reason`. Whatever the
   * handler returns from now on is ignored; its message is released once it has settled. Returns
   * `false`, and changes nothing, unless the job is `running`.
   */
  giveUp(reason: unknown): boolean {
    if (this.#state !== 'running') return false;
    this.#state = 'given-up';
    this.#controller ??= new AbortController();
    this.#controller.abort(reason);
    return true;
  }

  /**
   * Its handler has settled after it was given up: its message goes back to the broker now.
   * Returns `false`, and changes nothing, when the job was not given up.
   */
  release(): boolean {
    if (this.#state !== 'given-up') return false;
    this.#state = 'released';
    return true;
  }

  /**
   * Whether it was given up at shutdown. A method, not a property read, because it changes while
   * its processing awaits (TypeScript would keep a property narrowed across the `await`).
   */
  isGivenUp(): boolean {
    return this.#state === 'given-up';
  }

  /** Aborted when the worker gives up on the handler at shutdown. */
  get signal(): AbortSignal {
    this.#controller ??= new AbortController();
    return this.#controller.signal;
  }
}
