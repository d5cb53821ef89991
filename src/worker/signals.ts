/** What the worker does on a termination signal. */
export interface SignalActions {
  /** The first SIGTERM or SIGINT: stop gracefully. */
  readonly graceful: (signal: NodeJS.Signals) => void;
  /** A second one while stopping: give up at once. */
  readonly immediate: (signal: NodeJS.Signals) => void;
}

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * Listens for SIGTERM and SIGINT: the first calls `graceful`, any later one `immediate`.
 * While installed, the signals no longer end the process by themselves.
 *
 * @returns a function that removes the listeners.
 */
export function installSignalHandlers(actions: SignalActions): () => void {
  let received = 0;
  const listener = (signal: NodeJS.Signals): void => {
    received++;
    if (received === 1) actions.graceful(signal);
    else actions.immediate(signal);
  };
  for (const signal of SIGNALS) process.on(signal, listener);
  return () => {
    for (const signal of SIGNALS) process.off(signal, listener);
  };
}
