import type { Delivery, Transport, TransportHealth } from '../transport/transport.js';
import { sleep } from './sleep.js';
import type { Slots } from './slots.js';
import type { WorkerActivity } from './worker-events.js';
import type { ReconnectOptions } from './worker-options.js';

/** What a {@link Consumer} needs from its worker. */
export interface ConsumerHost {
  /** The worker-wide concurrency limit. */
  readonly slots: Slots;
  /** How many more messages may be taken before a stop limit; `Infinity` without one. */
  remaining(): number;
  /** Handles one delivery; one slot is already taken for it and must be released when it is done. */
  handle(consumer: Consumer, delivery: Delivery): void;
  /** Resolves once the outcomes being written now are written; `undefined` when none is. */
  outcomesWritten(): Promise<void> | undefined;
  /** Reports an error the consumer survives. */
  error(transport: Transport, during: WorkerActivity, error: unknown): void;
  /** Reports a change of the consumer's connection state. */
  health(transport: Transport, status: TransportHealth): void;
}

/** Timing of a {@link Consumer}. */
export interface ConsumerTiming {
  readonly leaseMs: number;
  readonly receiveWaitMs: number;
  readonly reconnect: { readonly [K in keyof ReconnectOptions]-?: number };
}

/**
 * Receives from one transport for as long as the worker runs: sets the transport up, takes as
 * many deliveries as there are free slots, and hands each to the worker. A failing broker
 * (setup or receive) is retried with capped exponential backoff for ever, with the state
 * `reconnecting` meanwhile; the consumer never stops by itself.
 */
export class Consumer {
  /** The transport this consumer receives from. */
  readonly transport: Transport;
  readonly #timing: ConsumerTiming;
  readonly #host: ConsumerHost;
  #reconnecting = false;

  constructor(transport: Transport, timing: ConsumerTiming, host: ConsumerHost) {
    this.transport = transport;
    this.#timing = timing;
    this.#host = host;
  }

  /** `reconnecting` while the broker keeps failing, otherwise what the transport reports. */
  health(): TransportHealth {
    return this.#reconnecting ? 'reconnecting' : this.transport.health();
  }

  /** Receives until `signal` aborts; resolves once no receive is pending any more. */
  async run(signal: AbortSignal): Promise<void> {
    const { slots } = this.#host;
    let failures = 0;
    let ready = false;
    while (!signal.aborted) {
      let during: WorkerActivity = 'setup';
      try {
        if (!ready) {
          await this.transport.setup();
          ready = true;
        }
        during = 'receive';
        const waited = slots.taken >= slots.size;
        if (!(await slots.acquire(signal))) break;
        // Handlers finishing together free their slots one after the other: one turn of the
        // event loop lets them all, so they are filled by one receive rather than several.
        if (waited) await new Promise((resolve) => setImmediate(resolve));
        const wanted = 1 + slots.take(Math.min(slots.size, this.#host.remaining()) - 1);
        const asked = Date.now();
        const deliveries = await this.#receive(wanted, signal);
        slots.release(wanted - deliveries.length);
        failures = 0;
        this.#setReconnecting(false);
        if (deliveries.length > 0) await this.#host.outcomesWritten();
        for (const delivery of deliveries) this.#host.handle(this, delivery);
        // An empty answer before waitMs (a closed transport) must not turn the loop into a spin.
        if (deliveries.length === 0) await sleep(this.#timing.receiveWaitMs - (Date.now() - asked), signal);
      } catch (error) {
        if (signal.aborted) break;
        failures++;
        ready = false;
        this.#setReconnecting(true);
        this.#host.error(this.transport, during, error);
        await sleep(this.#backoff(failures), signal);
      }
    }
  }

  async #receive(wanted: number, signal: AbortSignal): Promise<Delivery[]> {
    try {
      return await this.transport.receive({ max: wanted, leaseMs: this.#timing.leaseMs, waitMs: this.#timing.receiveWaitMs, signal });
    } catch (error) {
      this.#host.slots.release(wanted);
      throw error;
    }
  }

  #setReconnecting(reconnecting: boolean): void {
    if (this.#reconnecting === reconnecting) return;
    this.#reconnecting = reconnecting;
    this.#host.health(this.transport, this.health());
  }

  /** Capped exponential backoff with half jitter, so it never spins and never waits in lockstep. */
  #backoff(failures: number): number {
    const { baseMs, capMs } = this.#timing.reconnect;
    const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(failures - 1, 30));
    return ceiling / 2 + (Math.random() * ceiling) / 2;
  }
}
