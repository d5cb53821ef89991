import { backoffDelay } from '../transport/backoff.js';
import type { Delivery, Transport, TransportHealth } from '../transport/transport.js';
import { sleep } from './sleep.js';
import type { WorkerActivity } from './worker-events.js';
import type { WorkerRuntime } from './worker-runtime.js';

/**
 * Receives from one transport for as long as the worker runs: sets the transport up, receives
 * as many deliveries as there are free slots and, once the outcomes written before are confirmed
 * ({@link WorkerRuntime.outcomesWritten}), hands each to {@link WorkerRuntime.take}. A failing
 * broker (setup or receive) is retried for ever after a `backoffDelay` (capped exponential, full
 * jitter: workers that lost the same broker do not come back in lockstep), with the state
 * `reconnecting` meanwhile; the consumer never stops by itself.
 */
export class Consumer {
  /** The transport this consumer receives from. */
  readonly transport: Transport;
  readonly #runtime: WorkerRuntime;
  #reconnecting = false;

  constructor(transport: Transport, runtime: WorkerRuntime) {
    this.transport = transport;
    this.#runtime = runtime;
  }

  /** `reconnecting` while the broker keeps failing, otherwise what the transport reports. */
  health(): TransportHealth {
    return this.#reconnecting ? 'reconnecting' : this.transport.health();
  }

  /** Receives until `signal` aborts; resolves once no receive is pending any more. */
  async run(signal: AbortSignal): Promise<void> {
    const runtime = this.#runtime;
    const { slots } = runtime;
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
        const wanted = 1 + slots.take(Math.min(slots.size, runtime.remaining()) - 1);
        const asked = Date.now();
        const deliveries = await this.#receive(wanted, signal);
        slots.release(wanted - deliveries.length);
        failures = 0;
        this.#setReconnecting(false);
        if (deliveries.length > 0) await runtime.outcomesWritten();
        for (const delivery of deliveries) runtime.take(this.transport, delivery);
        // An empty answer before waitMs (a closed transport) must not turn the loop into a spin.
        if (deliveries.length === 0) await sleep(runtime.options.receiveWaitMs - (Date.now() - asked), signal);
      } catch (error) {
        if (signal.aborted) break;
        failures++;
        ready = false;
        this.#setReconnecting(true);
        runtime.report(this.transport, during, error);
        await sleep(backoffDelay(failures, runtime.options.reconnect), signal);
      }
    }
  }

  async #receive(wanted: number, signal: AbortSignal): Promise<Delivery[]> {
    try {
      const { leaseMs, receiveWaitMs } = this.#runtime.options;
      return await this.transport.receive({ max: wanted, leaseMs, waitMs: receiveWaitMs, signal });
    } catch (error) {
      this.#runtime.slots.release(wanted);
      throw error;
    }
  }

  #setReconnecting(reconnecting: boolean): void {
    if (this.#reconnecting === reconnecting) return;
    this.#reconnecting = reconnecting;
    this.#runtime.events.emit('health', { transport: this.transport.name, status: this.health() });
  }
}
