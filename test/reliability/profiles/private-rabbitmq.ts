import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as amqplib from 'amqplib';
import type { PrivateBroker } from '../broker-profile.js';

/** Debian and Ubuntu keep the real start script here; `/usr/sbin/rabbitmq-server` would switch to the rabbitmq user. */
const SERVER_SCRIPT = existsSync('/usr/lib/rabbitmq/bin/rabbitmq-server') ? '/usr/lib/rabbitmq/bin/rabbitmq-server' : 'rabbitmq-server';


/** Whether a RabbitMQ at `connection` completes an AMQP handshake. */
export async function amqpAnswers(connection: string): Promise<boolean> {
  try {
    const model = await amqplib.connect(connection, { timeout: 1_000 });
    await model.close();
    return true;
  } catch {
    return false;
  }
}

async function waitUntil(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * A RabbitMQ node of its own, beside the shared one: its own node name, AMQP and distribution
 * ports, Mnesia and quorum-queue storage, log and Erlang cookie, all in one temporary directory.
 * `crash` SIGKILLs the Erlang VM (no clean shutdown, so quorum queues recover from their
 * write-ahead log); `start` boots it again on the same storage, which takes 5 to 8 s here.
 */
export class PrivateRabbitMq implements PrivateBroker {
  readonly connection: string;
  readonly #directory: string;
  readonly #env: NodeJS.ProcessEnv;
  #wrapper: ChildProcess | undefined;
  #disposed = false;
  readonly #killOnExit = (): void => {
    this.#kill();
  };

  constructor(port: number, distributionPort: number, directory: string) {
    this.#directory = directory;
    this.connection = `amqp://guest:guest@127.0.0.1:${port}`;
    writeFileSync(join(directory, 'rabbitmq.conf'), `listeners.tcp.local = 127.0.0.1:${port}\n`);
    writeFileSync(join(directory, 'enabled_plugins'), '[].\n');
    this.#env = {
      ...process.env,
      HOME: directory,
      RABBITMQ_NODENAME: `troopy-reliability-${port}@localhost`,
      RABBITMQ_NODE_PORT: String(port),
      RABBITMQ_DIST_PORT: String(distributionPort),
      RABBITMQ_MNESIA_BASE: join(directory, 'mnesia'),
      RABBITMQ_LOG_BASE: join(directory, 'log'),
      RABBITMQ_CONFIG_FILE: join(directory, 'rabbitmq'),
      RABBITMQ_ADVANCED_CONFIG_FILE: join(directory, 'advanced.config'),
      RABBITMQ_ENABLED_PLUGINS_FILE: join(directory, 'enabled_plugins'),
      RABBITMQ_PID_FILE: join(directory, 'pid'),
    };
    process.once('exit', this.#killOnExit);
  }

  async start(): Promise<void> {
    if (this.#wrapper !== undefined) throw new Error(`the private RabbitMQ at ${this.connection} is already running`);
    rmSync(join(this.#directory, 'pid'), { force: true });
    const log = openSync(join(this.#directory, 'server.log'), 'a');
    let wrapper: ChildProcess;
    try {
      wrapper = spawn(SERVER_SCRIPT, [], { cwd: this.#directory, env: this.#env, stdio: ['ignore', log, log] });
    } finally {
      closeSync(log);
    }
    this.#wrapper = wrapper;
    wrapper.once('exit', () => {
      if (this.#wrapper === wrapper) this.#wrapper = undefined;
    });
    await waitUntil(`the private RabbitMQ at ${this.connection} to answer`, 60_000, async () => {
      if (this.#wrapper !== wrapper) throw new Error(`rabbitmq-server exited at start; see ${join(this.#directory, 'server.log')}`);
      return amqpAnswers(this.connection);
    });
  }

  async crash(): Promise<void> {
    const wrapper = this.#wrapper;
    if (wrapper === undefined) return;
    const exited = new Promise((resolve) => wrapper.once('exit', resolve));
    this.#kill();
    await exited;
    await waitUntil(`the private RabbitMQ at ${this.connection} to stop answering`, 10_000, async () => !(await amqpAnswers(this.connection)));
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    await this.crash();
    process.off('exit', this.#killOnExit);
    rmSync(this.#directory, { recursive: true, force: true });
  }

  /** SIGKILLs the Erlang VM (its pid is in the pid file) and the start script around it. */
  #kill(): void {
    try {
      const pid = Number(readFileSync(join(this.#directory, 'pid'), 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0) process.kill(pid, 'SIGKILL');
    } catch {
      // No pid file yet: the VM has not started, or is gone.
    }
    this.#wrapper?.kill('SIGKILL');
  }
}
