import { Consumer } from './consumer.js';
import { installMessageScope } from './message-scope.js';
import { installSignalHandlers } from './signals.js';
import type { StopReason, WorkerEvents } from './worker-events.js';
import { workerHealth, type WorkerHealth, type WorkerState } from './worker-health.js';
import { resolveWorkerOptions, type ResolvedWorkerOptions, type WorkerOptions } from './worker-options.js';
import { WorkerRuntime } from './worker-runtime.js';

/**
 * Consumes transports and handles their commands with a bus: at least once, with leases kept
 * alive while handlers run, retries with backoff, dead letters, graceful shutdown and broker
 * reconnection. See {@link WorkerOptions} for every option and its default.
 *
 * Guarantees: a message is acknowledged only after its handler succeeded; one delivered more
 * than `maxDeliveries` times is dead-lettered before its handler runs; undecodable bytes,
 * unknown names and invalid payloads are dead-lettered at once with their bytes and a reason;
 * an `UnrecoverableError` is dead-lettered without retry; other errors are retried until
 * `retry.maxAttempts`. The worker never stops consuming by itself except at a stop limit.
 *
 * @example
 * const worker = new Worker({ transports: [redis], bus, concurrency: 8, handleSignals: true });
 * worker.on('dead-lettered', ({ messageId, reason }) => log.warn(messageId, reason));
 * await worker.run(); // until SIGTERM, stop() or a stop limit
 * await redis.close();
 */
export class Worker {
  readonly #options: ResolvedWorkerOptions;
  /** What the consumers and the processing share, and the receive path itself. */
  readonly #runtime: WorkerRuntime;
  readonly #consumers: readonly Consumer[];
  #state: WorkerState = 'idle';
  #fetching = new AbortController();
  #loops: Promise<unknown> = Promise.resolve();
  #stopping: Promise<void> | undefined;
  #finished: Promise<StopReason> = Promise.resolve('stop');
  #finish: (reason: StopReason) => void = () => undefined;
  #runtimeTimer: ReturnType<typeof setTimeout> | undefined;
  #removeSignalHandlers: () => void = () => undefined;

  /** @throws {TypeError} when an option breaks its rule, naming the option and the value received. */
  constructor(options: WorkerOptions) {
    this.#options = resolveWorkerOptions(options);
    installMessageScope();
    this.#runtime = new WorkerRuntime(this.#options, (reason) => void this.#stop(reason));
    this.#consumers = this.#options.transports.map((transport) => new Consumer(transport, this.#runtime));
  }

  /** Listens to a lifecycle event; returns a function that removes the listener. */
  on<E extends keyof WorkerEvents>(event: E, listener: (payload: WorkerEvents[E]) => void): () => void {
    return this.#runtime.events.on(event, listener);
  }

  /** Listens to the next occurrence of an event only; returns a function that removes the listener. */
  once<E extends keyof WorkerEvents>(event: E, listener: (payload: WorkerEvents[E]) => void): () => void {
    return this.#runtime.events.once(event, listener);
  }

  /** Removes a listener added with `on`. */
  off<E extends keyof WorkerEvents>(event: E, listener: (payload: WorkerEvents[E]) => void): void {
    this.#runtime.events.off(event, listener);
  }

  /**
   * Starts consuming every transport (setting each up first, retrying while the broker is
   * down) and returns at once. Does nothing while already running.
   */
  start(): void {
    if (this.#state === 'running' || this.#state === 'stopping') return;
    this.#state = 'running';
    this.#fetching = new AbortController();
    this.#runtime.startTaking();
    this.#finished = new Promise((resolve) => (this.#finish = resolve));
    if (this.#options.handleSignals) {
      this.#removeSignalHandlers = installSignalHandlers({ graceful: () => void this.#stop('signal'), immediate: () => process.exit(1) });
    }
    const { maxRuntimeMs } = this.#options.limits;
    if (Number.isFinite(maxRuntimeMs)) this.#runtimeTimer = setTimeout(() => void this.#stop('max-runtime'), maxRuntimeMs);
    const signal = this.#fetching.signal;
    this.#loops = Promise.all(this.#consumers.map((consumer) => consumer.run(signal)));
  }

  /**
   * Starts (unless running) and resolves with the reason once the worker has stopped: after
   * `stop()`, a signal (with `handleSignals`) or a stop limit.
   */
  run(): Promise<StopReason> {
    this.start();
    return this.#finished;
  }

  /**
   * Stops gracefully: stops receiving, waits up to `shutdownTimeoutMs` for running handlers to
   * finish (and be acknowledged), then aborts the signals of the others (with a
   * `ShutdownTimeoutError`) and resolves. Calling it again returns the same promise. Transports
   * are left open.
   *
   * A handler still running at the timeout keeps its message leased (the worker goes on
   * extending the lease) until it settles; what it returns is ignored and its message is then
   * released for immediate redelivery, so a shutdown never runs a message twice at the same
   * time. `health().inFlight` counts such handlers. Close the transports once it is 0: after a
   * close (or if the process ends), the lease of a handler still running runs out and its
   * message is delivered again after `leaseMs`.
   */
  stop(): Promise<void> {
    return this.#stop('stop');
  }

  /** The worker's state, in-flight count and each transport's connection state. */
  health(): WorkerHealth {
    return workerHealth(this.#state, this.#runtime.inFlight, this.#runtime.processed, this.#consumers);
  }

  #stop(reason: StopReason): Promise<void> {
    if (this.#state === 'idle' || this.#state === 'stopped') return Promise.resolve();
    this.#stopping ??= this.#shutdown(reason);
    return this.#stopping;
  }

  async #shutdown(reason: StopReason): Promise<void> {
    this.#state = 'stopping';
    this.#runtime.stopTaking();
    this.#fetching.abort();
    clearTimeout(this.#runtimeTimer);
    await this.#loops;
    await this.#runtime.drain(this.#options.shutdownTimeoutMs);
    // Kept until now, so that a second signal during the drain still exits at once.
    this.#removeSignalHandlers();
    this.#state = 'stopped';
    this.#stopping = undefined;
    this.#runtime.events.emit('stopped', { reason });
    this.#finish(reason);
  }
}
