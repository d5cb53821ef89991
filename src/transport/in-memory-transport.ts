import { stringOption } from '../check-option.js';
import { checkDuration, checkOutgoingMessages, checkReceiveOptions } from './check-transport-input.js';
import { ClosedGuard } from './closed-guard.js';
import { DueHeap } from './due-heap.js';
import { InMemoryDeadLetterStore } from './in-memory-dead-letter-store.js';
import type { DeadLetterReason, Delivery, OutgoingMessage, ReceiveOptions, Transport, TransportHealth, TransportMessage } from './transport.js';

/** Options of {@link InMemoryTransport}. */
export interface InMemoryTransportOptions {
  /**
   * The transport's name in logs and errors.
   * @default 'memory'
   */
  readonly name?: string | undefined;
}

/** One message held by the transport, with where it stands. */
interface Slot {
  readonly key: number;
  readonly message: TransportMessage;
  state: 'delayed' | 'ready' | 'leased';
  deliveryCount: number;
  /** Bumped on every change, so schedule entries made before it are ignored. */
  version: number;
}

/** A `receive` waiting for messages. */
interface Waiter {
  readonly options: ReceiveOptions;
  readonly finish: (deliveries: Delivery[]) => void;
}

/** The longest delay `setTimeout` accepts. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * A {@link Transport} held in this process's memory: the embedded default for development,
 * tests and single-process applications. It runs anywhere JavaScript runs (no Node.js APIs).
 *
 * It keeps the whole transport contract (delays, leases and their expiry, retries, dead letters)
 * but nothing survives the process. A receipt names one delivery: after its lease has passed to
 * a newer delivery, `extendLease` and `release` with the old one do nothing, while `ack`, `retry`
 * and `deadLetter` still act on the message. A retried message counts deliveries from 1 again.
 * One timer at most runs, only while a `receive` waits, for the next delay or lease to end.
 *
 * @example
 * ```ts
 * const transport = new InMemoryTransport();
 * await transport.send([{ id: '1', headers: {}, body: new Uint8Array([1]) }]);
 * const [delivery] = await transport.receive({ max: 1, leaseMs: 30_000, waitMs: 1_000 });
 * ```
 */
export class InMemoryTransport implements Transport {
  /** The name given in the options, `memory` by default. */
  readonly name: string;
  /** The dead letters, kept in memory. */
  readonly deadLetters: InMemoryDeadLetterStore;
  readonly #slots = new Map<number, Slot>();
  /** Deliverable slots, oldest first (a Map keeps insertion order). */
  readonly #ready = new Map<number, Slot>();
  readonly #schedule = new DueHeap<{ readonly slot: Slot; readonly version: number }>();
  #waiters: Waiter[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = Infinity;
  #nextKey = 1;
  readonly #guard: ClosedGuard;

  /** @throws {TypeError} when `name` is not a non-empty string. */
  constructor(options: InMemoryTransportOptions = {}) {
    const name = stringOption('InMemoryTransport', 'name', options.name, 'memory');
    this.name = name;
    this.#guard = new ClosedGuard(name);
    this.deadLetters = new InMemoryDeadLetterStore(name, (message) => {
      this.#add(message, 0);
      this.#wake();
    });
  }

  /** Nothing to create; resolves at once, or rejects once closed, as every transport's does. */
  setup(): Promise<void> {
    return this.#guard.refusal('set up') ?? Promise.resolve();
  }

  /** Stores copies of the messages; resolves once all are stored. */
  send(messages: readonly OutgoingMessage[]): Promise<void> {
    return this.#run('send', () => {
      checkOutgoingMessages(this.name, messages);
      for (const message of messages) {
        const copy = { id: message.id, headers: Object.freeze({ ...message.headers }), body: message.body.slice() };
        this.#add(copy, message.notBefore ?? 0);
      }
      this.#wake();
    });
  }

  /** Leases up to `max` deliverable messages, waiting up to `waitMs` for the first one. */
  receive(options: ReceiveOptions): Promise<Delivery[]> {
    return new Promise((resolve) => {
      resolve(this.#receive(options));
    });
  }

  #receive(options: ReceiveOptions): Promise<Delivery[]> {
    checkReceiveOptions(this.name, options);
    if (this.#guard.closing || options.signal?.aborted === true) return Promise.resolve([]);
    this.#promote(Date.now());
    const taken = this.#take(options);
    if (taken.length > 0 || options.waitMs === 0) return Promise.resolve(taken);
    return new Promise((resolve) => {
      const finish = (deliveries: Delivery[]): void => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', abort);
        this.#waiters = this.#waiters.filter((waiter) => waiter.finish !== finish);
        resolve(deliveries);
        this.#arm();
      };
      const abort = (): void => {
        finish([]);
      };
      const timer = setTimeout(abort, options.waitMs);
      options.signal?.addEventListener('abort', abort, { once: true });
      this.#waiters.push({ options, finish });
      this.#arm();
    });
  }

  /** Removes the message for good. */
  ack(delivery: Delivery): Promise<void> {
    return this.#run('ack', () => {
      this.#remove(this.#find(delivery, false));
    });
  }

  /** Replaces the message by one with `headers` and the same body, deliverable after `delayMs`. */
  retry(delivery: Delivery, delayMs: number, headers: Readonly<Record<string, string>>): Promise<void> {
    return this.#run('retry', () => {
      checkDuration(this.name, 'retry', 'delayMs', delayMs, 0);
      const slot = this.#find(delivery, false);
      if (slot === undefined) return;
      this.#remove(slot);
      this.#add({ id: slot.message.id, headers: Object.freeze({ ...headers }), body: slot.message.body }, Date.now() + delayMs);
      this.#wake();
    });
  }

  /** Moves the message, with the bytes and the headers it was delivered with (or `headers`), to {@link deadLetters}. */
  deadLetter(delivery: Delivery, reason: DeadLetterReason, headers?: Readonly<Record<string, string>>): Promise<void> {
    return this.#run('dead-letter', () => {
      const slot = this.#find(delivery, false);
      if (slot === undefined) return;
      this.#remove(slot);
      const { code, message } = reason;
      const kept = headers === undefined ? slot.message.headers : Object.freeze({ ...headers });
      this.deadLetters.add({ ...slot.message, headers: kept, reason: { code, message }, failedAt: Date.now(), deliveryCount: slot.deliveryCount });
    });
  }

  /** Moves the lease end to `leaseMs` from now, if this delivery still holds the lease. */
  extendLease(delivery: Delivery, leaseMs: number): Promise<void> {
    return this.#run('extend a lease', () => {
      checkDuration(this.name, 'extendLease', 'leaseMs', leaseMs, 1);
      const slot = this.#find(delivery, true);
      if (slot !== undefined) this.#lease(slot, Date.now() + leaseMs);
    });
  }

  /** Makes the message deliverable at once, if this delivery still holds the lease. */
  release(delivery: Delivery): Promise<void> {
    return this.#run('release', () => {
      const slot = this.#find(delivery, true);
      if (slot === undefined) return;
      this.#makeReady(slot);
      this.#wake();
    });
  }

  /** Always `connected`: there is no connection to lose. */
  health(): TransportHealth {
    return 'connected';
  }

  /** Resolves pending receives with no deliveries and refuses further sends; safe to call twice. */
  close(): Promise<void> {
    return this.#guard.close(() => {
      for (const waiter of [...this.#waiters]) waiter.finish([]);
      this.#arm();
      return Promise.resolve();
    });
  }

  #run(operation: string, action: () => void): Promise<void> {
    // A throw inside the executor becomes the rejection.
    return new Promise((resolve) => {
      this.#guard.check(operation);
      action();
      resolve();
    });
  }

  #add(message: TransportMessage, dueAt: number): void {
    const slot: Slot = { key: this.#nextKey++, message, state: 'delayed', deliveryCount: 0, version: 0 };
    this.#slots.set(slot.key, slot);
    if (dueAt > Date.now()) this.#schedule.push(dueAt, { slot, version: slot.version });
    else this.#makeReady(slot);
  }

  #remove(slot: Slot | undefined): void {
    if (slot === undefined) return;
    slot.version++;
    this.#slots.delete(slot.key);
    this.#ready.delete(slot.key);
  }

  /** The slot a delivery's receipt names; with `current`, only while that delivery holds the lease. */
  #find(delivery: Delivery, current: boolean): Slot | undefined {
    const [key, count] = delivery.receipt.split('.').map(Number);
    const slot = key === undefined ? undefined : this.#slots.get(key);
    if (slot === undefined || !current) return slot;
    return slot.state === 'leased' && slot.deliveryCount === count ? slot : undefined;
  }

  #makeReady(slot: Slot): void {
    slot.version++;
    slot.state = 'ready';
    this.#ready.set(slot.key, slot);
  }

  #lease(slot: Slot, until: number): void {
    slot.version++;
    slot.state = 'leased';
    this.#schedule.push(until, { slot, version: slot.version });
  }

  /** Moves delayed messages and expired leases whose time has come to the ready queue. */
  #promote(now: number): void {
    for (let next = this.#schedule.peek(); next !== undefined && next.at <= now; next = this.#schedule.peek()) {
      this.#schedule.pop();
      const { slot, version } = next.value;
      if (slot.version === version && this.#slots.has(slot.key)) this.#makeReady(slot);
    }
  }

  #take(options: ReceiveOptions): Delivery[] {
    const deliveries: Delivery[] = [];
    const leaseEnd = Date.now() + options.leaseMs;
    for (const slot of this.#ready.values()) {
      if (deliveries.length >= options.max) break;
      this.#ready.delete(slot.key);
      slot.deliveryCount++;
      this.#lease(slot, leaseEnd);
      const { id, headers, body } = slot.message;
      deliveries.push({ id, headers, body: body.slice(), receipt: `${slot.key}.${slot.deliveryCount}`, deliveryCount: slot.deliveryCount });
    }
    return deliveries;
  }

  /** Hands ready messages to waiting receives, oldest waiter first. */
  #wake(): void {
    this.#promote(Date.now());
    while (this.#ready.size > 0) {
      const waiter = this.#waiters[0];
      if (waiter === undefined) break;
      waiter.finish(this.#take(waiter.options));
    }
    this.#arm();
  }

  /** Keeps one timer for the next due time, and only while a receive waits. */
  #arm(): void {
    let next = this.#schedule.peek();
    while (next !== undefined && (next.value.slot.version !== next.value.version || !this.#slots.has(next.value.slot.key))) {
      this.#schedule.pop();
      next = this.#schedule.peek();
    }
    const at = this.#waiters.length > 0 && next !== undefined ? next.at : Infinity;
    if (at === this.#timerAt) return;
    clearTimeout(this.#timer);
    this.#timerAt = at;
    if (at === Infinity) return;
    this.#timer = setTimeout(
      () => {
        this.#timerAt = Infinity;
        this.#wake();
      },
      Math.min(MAX_TIMER_MS, Math.max(0, at - Date.now())),
    );
  }
}
