import { describe } from '../../describe.js';
import type { OpenChannel } from './channel-slot.js';
import { DeadlineTimer } from './deadline-timer.js';
import type { AmqpMessage } from './connection.js';

/** A delivery pushed by the broker on one channel, and when it arrived. */
export interface Arrival {
  readonly message: AmqpMessage;
  readonly open: OpenChannel;
  /** Epoch milliseconds; the broker's `consumer_timeout` runs from about then. */
  readonly arrivedAt: number;
}

/** A delivery handed out by `receive`, leased until `deadline`. */
export interface Lease {
  readonly arrival: Arrival;
  /** The message id, for error messages and outcomes. */
  readonly id: string;
  /** The delivery count the delivery was handed out with. */
  readonly deliveryCount: number;
  deadline: number;
}

/** The receipt of a delivery: its channel's serial and its delivery tag. */
export function receiptOf(arrival: Arrival): string {
  return `${arrival.open.serial}.${arrival.message.fields.deliveryTag}`;
}

/**
 * Checks that a receive's `leaseMs` fits within `maxLeaseMs`, the bound the broker's
 * `consumer_timeout` sets, for the transport to call first.
 *
 * @throws {TypeError} naming the bound and the fix.
 */
export function checkLeaseBound(transport: string, leaseMs: number, maxLeaseMs: number): void {
  if (leaseMs <= maxLeaseMs) return;
  throw new TypeError(
    `${transport} receive option "leaseMs" must be at most ${maxLeaseMs} (the broker's consumer_timeout, option "consumerTimeoutMs", ` +
      `less a margin); got ${describe(leaseMs)}. Lower the worker's leaseMs, or raise consumer_timeout on the broker and consumerTimeoutMs together.`,
  );
}

/**
 * The leases of handed-out deliveries, by receipt, with one timer for the earliest deadline.
 *
 * RabbitMQ has no lease of its own (it redelivers only when a channel closes), so the
 * transport keeps one: a lease that runs out is handed to `onExpired`, which gives the message
 * back (nack with requeue). A lease never runs past `maxLeaseMs` after its arrival, the
 * bound the broker's `consumer_timeout` sets. An entry leaves the table exactly once (claimed
 * for an outcome, expired, or dropped with its channel), so a delivery tag is never settled twice.
 */
export class Leases {
  readonly #held = new Map<string, Lease>();
  readonly #maxLeaseMs: number;
  readonly #onExpired: (lease: Lease) => void;
  readonly #timer = new DeadlineTimer(() => {
    this.#sweep();
  }, true);

  constructor(maxLeaseMs: number, onExpired: (lease: Lease) => void) {
    this.#maxLeaseMs = maxLeaseMs;
    this.#onExpired = onExpired;
  }

  /** Leases a delivery for `leaseMs` from now (within the bound); returns its receipt. */
  add(arrival: Arrival, id: string, deliveryCount: number, leaseMs: number, now: number): string {
    const receipt = receiptOf(arrival);
    const lease = { arrival, id, deliveryCount, deadline: Math.min(now + leaseMs, arrival.arrivedAt + this.#maxLeaseMs) };
    this.#held.set(receipt, lease);
    this.#timer.arm(lease.deadline);
    return receipt;
  }

  /** Takes the lease out of the table to settle it; `undefined` when it is no longer held. */
  claim(receipt: string): Lease | undefined {
    const lease = this.#held.get(receipt);
    if (lease !== undefined) this.#held.delete(receipt);
    return lease;
  }

  /** Puts back a claimed lease whose outcome could not be written (its deadline unchanged). */
  restore(lease: Lease): void {
    this.#held.set(receiptOf(lease.arrival), lease);
    this.#timer.arm(lease.deadline);
  }

  /**
   * Moves the deadline to `leaseMs` from now, or to the bound if that is earlier. Returns
   * `held: false` when the lease is no longer held, and `clipped` when the bound cut it short.
   */
  extend(receipt: string, leaseMs: number): { readonly held: boolean; readonly clipped: boolean; readonly id: string } {
    const lease = this.#held.get(receipt);
    if (lease === undefined) return { held: false, clipped: false, id: '' };
    const wanted = Date.now() + leaseMs;
    const bound = lease.arrival.arrivedAt + this.#maxLeaseMs;
    lease.deadline = Math.min(wanted, bound);
    return { held: true, clipped: wanted > bound, id: lease.id };
  }

  /** How many leases are held for arrivals that `which` accepts. */
  count(which: (arrival: Arrival) => boolean): number {
    let count = 0;
    for (const lease of this.#held.values()) if (which(lease.arrival)) count++;
    return count;
  }

  /** Forgets the leases of a closed channel: the broker has requeued those messages already. */
  drop(open: OpenChannel): void {
    for (const [receipt, lease] of this.#held) if (lease.arrival.open === open) this.#held.delete(receipt);
  }

  /** Forgets every lease and stops the timer. */
  clear(): void {
    this.#held.clear();
    this.#timer.clear();
  }

  /** Gives back the leases past their deadline and arms the timer for the next one. */
  #sweep(): void {
    const now = Date.now();
    let next = Infinity;
    for (const [receipt, lease] of this.#held) {
      if (lease.deadline <= now) {
        this.#held.delete(receipt);
        this.#onExpired(lease);
      } else {
        next = Math.min(next, lease.deadline);
      }
    }
    if (next !== Infinity) this.#timer.arm(next);
  }
}
