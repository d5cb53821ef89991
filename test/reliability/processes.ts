import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { WORKER_SETTINGS_ENV, type WorkerSettings } from './fixtures/worker-settings.js';

const WORKER_SCRIPT = fileURLToPath(new URL('./fixtures/worker-process.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** How a process ended. */
export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Epoch milliseconds when the parent saw it end. */
  readonly at: number;
}

/** One worker process: a single Node process (no tsx wrapper), so its pid is the worker's own. */
export class WorkerProcess {
  readonly label: string;
  readonly pid: number;
  /** Resolves when the process has ended, with its code or signal. */
  readonly exited: Promise<Exit>;
  #exit: Exit | undefined;
  readonly #child: ChildProcess;

  constructor(settings: WorkerSettings, logFile: string) {
    this.label = settings.label;
    const log = openSync(logFile, 'a');
    try {
      this.#child = spawn(process.execPath, ['--import', 'tsx', WORKER_SCRIPT], {
        cwd: REPO_ROOT,
        env: { ...process.env, [WORKER_SETTINGS_ENV]: JSON.stringify(settings) },
        stdio: ['ignore', log, log],
      });
    } finally {
      closeSync(log);
    }
    if (this.#child.pid === undefined) throw new Error(`worker ${settings.label} could not be spawned`);
    this.pid = this.#child.pid;
    this.exited = new Promise((resolve) => {
      this.#child.once('exit', (code, signal) => {
        this.#exit = { code, signal, at: Date.now() };
        resolve(this.#exit);
      });
    });
  }

  /** Whether the process is still running. */
  get alive(): boolean {
    return this.#exit === undefined;
  }

  /** How it ended, or `undefined` while it runs. */
  get exit(): Exit | undefined {
    return this.#exit;
  }

  /** Sends a signal; does nothing once the process has ended. */
  signal(signal: NodeJS.Signals): void {
    if (this.alive) this.#child.kill(signal);
  }

  /** SIGKILLs the process and resolves once it is gone. */
  async kill(): Promise<Exit> {
    this.signal('SIGKILL');
    return this.exited;
  }
}

/** Every process a scenario started, so that none outlives it, whatever happens. */
export class ProcessGroup {
  readonly #processes: WorkerProcess[] = [];

  add(process: WorkerProcess): WorkerProcess {
    this.#processes.push(process);
    return process;
  }

  /** The processes still running. */
  get running(): readonly WorkerProcess[] {
    return this.#processes.filter((process) => process.alive);
  }

  /** SIGKILLs every process still running and waits for each to end. */
  async killAll(): Promise<void> {
    await Promise.all(this.#processes.map((process) => process.kill()));
  }
}
