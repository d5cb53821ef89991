import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { PrivateBroker } from './broker-profile.js';

/**
 * What one broker must say for a private instance of it to be run: everything else (spawning,
 * waiting for it to answer, SIGKILL, starting again, removing its storage) is the same for all.
 *
 * Rules for a profile:
 * - `command` runs the server in the foreground and keeps it in the spawned process's group (a
 *   start script may fork the server, as RabbitMQ's does; a server that leaves the group, as
 *   PostgreSQL's backends do, must quit by itself once its parent is killed).
 * - The server keeps all its storage in `directory`, which `dispose` removes.
 */
export interface PrivateBrokerSpec {
  /** The server's name in messages and in its log file's name, such as `redis-server`. */
  readonly name: string;
  /** The connection string of the instance, on the spare port(s) the profile chose. */
  readonly connection: string;
  /** The directory the instance stores into; its log is written there too. */
  readonly directory: string;
  /** The executable to spawn (a path, or a name found on the PATH). */
  readonly command: string;
  /** Its arguments. */
  readonly args: readonly string[];
  /** The environment it runs with. @default the test process's own */
  readonly env?: NodeJS.ProcessEnv;
  /** The user and group to run it as, for a server that refuses to run as root. */
  readonly user?: { readonly uid: number; readonly gid: number };
  /** How long a start may take before it counts as failed, in milliseconds. */
  readonly startTimeoutMs: number;
  /** Sets up `directory` once, before the first start (configuration files, `initdb`). */
  prepare?(): Promise<void>;
  /** Whether the broker at `connection` accepts work now; resolves `false` rather than rejecting. */
  answers(connection: string): Promise<boolean>;
}

/** How often a starting or crashed broker is asked whether it answers. */
const POLL_MS = 50;
/** How much of the broker's log a failed start quotes. */
const LOG_TAIL_CHARS = 2_000;
/** How long a killed broker may keep answering (its port open) before `crash` fails. */
const STOP_TIMEOUT_MS = 10_000;

/**
 * Prepares and starts a private broker, resolving once it answers; on any failure its process
 * is killed and its directory removed before the error is rethrown.
 *
 * @example
 * const port = await sparePort();
 * return spawnPrivateBroker({ name: 'redis-server', connection: `redis://127.0.0.1:${port}`, directory,
 *   command: 'redis-server', args: ['--port', String(port), '--dir', directory], startTimeoutMs: 10_000, answers });
 */
export async function spawnPrivateBroker(spec: PrivateBrokerSpec): Promise<PrivateBroker> {
  const broker = new PrivateBrokerProcess(spec);
  try {
    await spec.prepare?.();
    await broker.start();
  } catch (error) {
    await broker.dispose();
    throw error;
  }
  return broker;
}

/** One private broker's process group, crashed with SIGKILL and started again on the same storage. */
class PrivateBrokerProcess implements PrivateBroker {
  readonly connection: string;
  readonly #spec: PrivateBrokerSpec;
  readonly #log: string;
  #process: ChildProcess | undefined;
  /** The process group of the last start, kept after its leader exits: a forked server may outlive its start script. */
  #group: number | undefined;
  #disposed = false;
  // A test run that ends abruptly must not leave the broker running.
  readonly #killOnExit = (): void => {
    this.#kill();
  };

  constructor(spec: PrivateBrokerSpec) {
    this.#spec = spec;
    this.connection = spec.connection;
    this.#log = join(spec.directory, `${spec.name}.log`);
    process.once('exit', this.#killOnExit);
  }

  async start(): Promise<void> {
    const { name, command, args, env, user, startTimeoutMs, directory } = this.#spec;
    if (this.#process !== undefined) throw new Error(`the private ${name} at ${this.connection} is already running`);
    const log = openSync(this.#log, 'a');
    let child: ChildProcess;
    try {
      // detached: the broker leads a process group of its own, so one kill reaches every process a start script forks.
      child = spawn(command, args, { cwd: directory, env: env ?? process.env, stdio: ['ignore', log, log], detached: true, ...user });
    } finally {
      closeSync(log);
    }
    this.#process = child;
    this.#group = child.pid;
    let spawnError: Error | undefined;
    const gone = (): void => {
      if (this.#process === child) this.#process = undefined;
    };
    child.once('exit', gone);
    child.once('error', (error) => {
      spawnError = error;
      gone();
    });
    await this.#waitUntil(`${name} at ${this.connection} to answer`, startTimeoutMs, async () => {
      if (this.#process !== child) {
        const how = spawnError === undefined ? 'exited' : `could not be spawned (${spawnError.message})`;
        throw new Error(`${name} ${how} at start (is ${name} installed?)${this.#logTail()}`);
      }
      return this.#spec.answers(this.connection);
    });
  }

  async crash(): Promise<void> {
    const child = this.#process;
    const exited = child === undefined ? undefined : new Promise((resolve) => child.once('exit', resolve));
    this.#kill();
    this.#group = undefined;
    if (exited === undefined) return;
    await exited;
    await this.#waitUntil(
      `${this.#spec.name} at ${this.connection} to stop answering`,
      STOP_TIMEOUT_MS,
      async () => !(await this.#spec.answers(this.connection)),
    );
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    await this.crash().catch(() => undefined);
    process.off('exit', this.#killOnExit);
    rmSync(this.#spec.directory, { recursive: true, force: true });
  }

  /** SIGKILLs the broker's whole process group; does nothing when it is not running. */
  #kill(): void {
    if (this.#group === undefined) return;
    try {
      process.kill(-this.#group, 'SIGKILL');
    } catch {
      // The group is already gone.
    }
  }

  async #waitUntil(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${this.#logTail()}`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  /** The end of the broker's log, for an error message: the directory (and the log) goes with `dispose`. */
  #logTail(): string {
    try {
      return `; the end of its log:\n${readFileSync(this.#log, 'utf8').slice(-LOG_TAIL_CHARS)}`;
    } catch {
      return '';
    }
  }
}
