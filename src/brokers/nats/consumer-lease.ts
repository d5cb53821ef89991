import type { Delivery } from '../../transport/transport.js';
import type { NatsConnection } from './connection.js';
import type { ResolvedNatsOptions } from './options.js';
import { setLease } from './setup.js';

/**
 * The one lease of the queue's consumer: JetStream keeps one `AckWait` per consumer, for every
 * delivery it made and makes. This holds the `AckWait` as far as this transport knows it,
 * changes it on the consumer when a receive asks for another, and notes when the lease of each
 * delivery made here runs out by this process's clock, so that the outcomes can tell a delivery
 * whose message may be with another consumer by now.
 */
export class ConsumerLease {
  readonly #connection: NatsConnection;
  readonly #options: ResolvedNatsOptions;
  #ms: number;
  #change: Promise<void> = Promise.resolve();
  /** When the lease of each delivery made here runs out, by this process's clock (performance.now()), less a margin. */
  readonly #ends = new WeakMap<Delivery, number>();

  constructor(connection: NatsConnection, options: ResolvedNatsOptions) {
    this.#connection = connection;
    this.#options = options;
    this.#ms = options.leaseMs;
  }

  /** The consumer's `AckWait` in milliseconds, as far as this transport knows. */
  get ms(): number {
    return this.#ms;
  }

  /** Takes note of the consumer's `AckWait`, as `setup()` read it. */
  set ms(leaseMs: number) {
    this.#ms = leaseMs;
  }

  /** Sets the consumer's `AckWait` to `leaseMs` unless it is that already; concurrent changes run one after another. */
  async use(leaseMs: number): Promise<void> {
    if (leaseMs === this.#ms) return;
    await this.#change.catch(() => undefined);
    if (leaseMs === this.#ms) return;
    this.#change = setLease(this.#connection, this.#options, leaseMs).then(() => {
      this.#ms = leaseMs;
    });
    await this.#change;
  }

  /** Notes that the delivery's lease starts now (it was just received). */
  started(delivery: Delivery): void {
    this.#ends.set(delivery, this.#end());
  }

  /** Notes that the delivery's lease was renewed now (an in-progress acknowledgement was sent). */
  renewed(delivery: Delivery): void {
    if (this.#ends.has(delivery)) this.#ends.set(delivery, this.#end());
  }

  /**
   * Whether the delivery's lease may still run: `false` once it has run out by this process's
   * clock (less a margin of a tenth of the lease, at most 1 s, for the time the delivery took to
   * arrive), when JetStream may already have given the message to another consumer. `true` for
   * a delivery this transport did not receive (it cannot tell).
   */
  running(delivery: Delivery): boolean {
    const end = this.#ends.get(delivery);
    return end === undefined || performance.now() < end;
  }

  #end(): number {
    return performance.now() + this.#ms - Math.min(1_000, this.#ms / 10);
  }
}
