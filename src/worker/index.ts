// Draft entry point of `troopy/worker` (Node.js only: it uses AsyncLocalStorage and process signals).
export { Worker } from './worker.js';
export type { WorkerHealth, WorkerState } from './worker-health.js';
export type { Dispatcher, ReconnectOptions, WorkerOptions } from './worker-options.js';
export type { StopReason, WorkerActivity, WorkerEvents } from './worker-events.js';
export type { StopLimits } from './stop-limits.js';
export { RetryStrategy } from './retry-strategy.js';
export type { RetryOptions } from './retry-strategy.js';
export { FailureStore } from './failure-store.js';
export type { FailedMessage } from './failure-store.js';
export { ShutdownTimeoutError } from './shutdown-timeout-error.js';
export { UnrecoverableError } from '../transport/unrecoverable-error.js';
