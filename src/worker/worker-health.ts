import type { TransportHealth } from '../transport/transport.js';
import type { Consumer } from './consumer.js';

/** Where a worker is in its life: `idle` before `start`, `stopped` after `stop` (it may be started again). */
export type WorkerState = 'idle' | 'running' | 'stopping' | 'stopped';

/** What `Worker.health()` reports, for readiness probes and dashboards. */
export interface WorkerHealth {
  readonly state: WorkerState;
  /** `connected` when every transport is, else `failed` if one has failed, else `reconnecting`. */
  readonly status: TransportHealth;
  /** Handlers running (or writing their outcome) now. */
  readonly inFlight: number;
  /** Messages taken to an outcome since the worker was built. */
  readonly processed: number;
  /** Each consumed transport's state, in the order of the `transports` option. */
  readonly transports: readonly { readonly name: string; readonly status: TransportHealth }[];
}

/** Builds a {@link WorkerHealth} from the worker's counters and its consumers' states. */
export function workerHealth(state: WorkerState, inFlight: number, processed: number, consumers: readonly Consumer[]): WorkerHealth {
  const transports = consumers.map((consumer) => ({ name: consumer.transport.name, status: consumer.health() }));
  const statuses = new Set(transports.map(({ status }) => status));
  const status = statuses.has('failed') ? 'failed' : statuses.has('reconnecting') ? 'reconnecting' : 'connected';
  return { state, status, inFlight, processed, transports };
}
