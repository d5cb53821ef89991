import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sender } from '../../src/sending/sender.js';
import type { SendReceipt } from '../../src/sending/send-receipt.js';
import type { Transport } from '../../src/transport/transport.js';
import type { BrokerProfile, QueueAddress, RawMessage } from './broker-profile.js';
import type { WorkerSettings } from './fixtures/worker-settings.js';
import { WorkCommand, workRegistry } from './fixtures/work-command.js';
import { Ledger } from './ledger.js';
import { ProcessGroup, WorkerProcess } from './processes.js';

/** The worker settings a scenario may change; the rest comes from the run. */
export type WorkerOverrides = Partial<Omit<WorkerSettings, 'profileModule' | 'queue' | 'ledgerFile' | 'fixFile' | 'label'>>;

const DEFAULTS = {
  concurrency: 4,
  leaseMs: 2_000,
  maxDeliveries: 5,
  retry: { maxAttempts: 3, baseMs: 100, factor: 2, capMs: 1_000 },
  shutdownTimeoutMs: 2_000,
  receiveWaitMs: 200,
  reconnect: { baseMs: 50, capMs: 500 },
  held: false,
} as const;

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * One scenario's world: a fresh queue on the profile's broker, a ledger directory, the worker
 * processes it starts, and a sender in the test process. `dispose` tears everything down (kills
 * the workers, closes the transport, removes the queue and the files), also after a failure.
 */
export class ScenarioRun {
  readonly profile: BrokerProfile;
  readonly address: QueueAddress;
  readonly ledger: Ledger;
  readonly fixFile: string;
  readonly processes = new ProcessGroup();
  readonly directory: string;
  #transport: Transport | undefined;
  #sender: Sender | undefined;
  #labels = 0;
  #disposed = false;

  constructor(profile: BrokerProfile, scenario: string, connection = profile.connection) {
    this.profile = profile;
    const unique = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    this.address = { connection, queue: `troopy-reliability-${scenario}-${unique}` };
    this.directory = mkdtempSync(join(tmpdir(), `troopy-${profile.name}-${scenario}-`));
    this.ledger = new Ledger(this.directory);
    this.fixFile = join(this.directory, 'fixed');
  }

  /** The test process's own transport for the queue (set up on first use): for sends and dead letters. */
  async transport(): Promise<Transport> {
    if (this.#transport === undefined) {
      this.#transport = this.profile.createTransport(this.address);
      await this.#transport.setup();
    }
    return this.#transport;
  }

  /** Sends commands in batches of `batch`, resolving with the receipts in order. */
  async send(commands: readonly WorkCommand[], batch = 500): Promise<SendReceipt[]> {
    const sender = await this.sender();
    const receipts: SendReceipt[] = [];
    for (let index = 0; index < commands.length; index += batch) {
      receipts.push(...(await sender.sendBatch(commands.slice(index, index + batch))));
    }
    return receipts;
  }

  /** A sender routing {@link WorkCommand} to this run's queue. */
  async sender(): Promise<Sender> {
    this.#sender ??= new Sender({ routes: [[WorkCommand, await this.transport()]], registry: workRegistry });
    return this.#sender;
  }

  /** Starts a worker process and waits until it has set up its transport and said so in the ledger. */
  async startWorker(overrides: WorkerOverrides = {}, readyWithinMs = 30_000): Promise<WorkerProcess> {
    const label = `worker-${++this.#labels}`;
    const settings: WorkerSettings = {
      ...DEFAULTS,
      ...overrides,
      connection: overrides.connection ?? this.address.connection,
      profileModule: this.profile.moduleUrl,
      queue: this.address.queue,
      label,
      ledgerFile: this.ledger.fileFor(label),
      fixFile: this.fixFile,
    };
    writeFileSync(settings.ledgerFile, '');
    const worker = this.processes.add(new WorkerProcess(settings, join(this.directory, `${label}.log`)));
    await this.waitFor(`worker ${label} (pid ${worker.pid}) to be ready`, readyWithinMs, () => {
      if (!worker.alive) throw new Error(`worker ${label} exited before it was ready:\n${this.logOf(worker)}`);
      return this.ledger.all('ready', (entry) => entry.pid === worker.pid).length > 0;
    });
    return worker;
  }

  /** What the worker wrote to stdout and stderr, for failure messages. */
  logOf(worker: WorkerProcess): string {
    try {
      return readFileSync(join(this.directory, `${worker.label}.log`), 'utf8').slice(-4_000);
    } catch {
      return '(no log)';
    }
  }

  /** Polls `condition` every 20 ms until it holds; fails with `what` after `timeoutMs`. */
  async waitFor(what: string, timeoutMs: number, condition: () => boolean): Promise<number> {
    const started = Date.now();
    for (;;) {
      if (condition()) return Date.now();
      if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await sleep(20);
    }
  }

  /** Waits until every id has a `handled` entry in the ledger (handler succeeded and acked). */
  async waitHandled(ids: readonly string[], timeoutMs: number): Promise<number> {
    return this.waitFor(`${ids.length} messages to be handled`, timeoutMs, () => {
      const handled = this.ledger.countById('handled');
      return ids.every((id) => handled.has(id));
    });
  }

  /** Writes raw messages straight into the broker, after setting the queue up (so a consumer group sees them). */
  async inject(messages: readonly RawMessage[]): Promise<void> {
    await this.transport();
    await this.profile.inject(this.address, messages);
  }

  /**
   * Kills every worker, closes the transport, removes the queue and (unless `keepFiles`) the
   * ledger directory; safe after a failure and when called twice.
   */
  async dispose(options: { readonly keepFiles?: boolean } = {}): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    await this.processes.killAll();
    const transport = this.#transport;
    this.#transport = undefined;
    await transport?.close().catch(() => undefined);
    await this.profile.cleanup(this.address).catch((error: unknown) => {
      console.warn(`reliability: could not clean up queue ${this.address.queue}:`, error);
    });
    if (options.keepFiles !== true) rmSync(this.directory, { recursive: true, force: true });
  }
}
