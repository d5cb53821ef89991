import type { StopReason } from './worker-events.js';

/** Optional limits after which a worker stops by itself, so a supervisor can recycle it. */
export interface StopLimits {
  /** Stop after this many messages were taken (whatever their outcome). @default Infinity */
  readonly maxMessages?: number | undefined;
  /** Stop after running this long, in milliseconds. @default Infinity */
  readonly maxRuntimeMs?: number | undefined;
  /** Stop once the process's resident memory exceeds this many mebibytes. @default Infinity */
  readonly maxMemoryMb?: number | undefined;
}

/** Counts what the limits measure and says which one, if any, is reached. */
export class StopLimitTracker {
  readonly #maxMessages: number;
  readonly #maxMemoryBytes: number;
  readonly #deadline: number;
  readonly #memory: () => number;
  #taken = 0;

  constructor(limits: { readonly [K in keyof StopLimits]-?: number }, memory: () => number = () => process.memoryUsage.rss()) {
    this.#maxMessages = limits.maxMessages;
    this.#maxMemoryBytes = limits.maxMemoryMb * 1024 * 1024;
    this.#deadline = Date.now() + limits.maxRuntimeMs;
    this.#memory = memory;
  }

  /** How many more messages may be taken before `maxMessages` is reached. */
  get remaining(): number {
    return this.#maxMessages - this.#taken;
  }

  /** Milliseconds left before `maxRuntimeMs`, or `Infinity`. */
  get runtimeLeftMs(): number {
    return this.#deadline - Date.now();
  }

  /** Records `count` messages taken. */
  took(count: number): void {
    this.#taken += count;
  }

  /** The first limit reached, or `undefined`. */
  reached(): StopReason | undefined {
    if (this.#taken >= this.#maxMessages) return 'max-messages';
    if (Date.now() >= this.#deadline) return 'max-runtime';
    if (Number.isFinite(this.#maxMemoryBytes) && this.#memory() > this.#maxMemoryBytes) return 'max-memory';
    return undefined;
  }
}
