/** The harness's side of one producer or consumer process (`child.ts`). */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ChildCommand, ChildReply, ChildSetup } from './protocol.js';

const CHILD = fileURLToPath(new URL('./child.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * A child process and a queue of its replies. `E2E_CPU_PROF=<dir>` writes a V8 CPU profile of
 * every child there, one directory per child (tsx's loader thread writes a profile of its own
 * beside the main thread's).
 */
export class ChildHandle {
  readonly #process: ChildProcess;
  readonly #replies: ChildReply[] = [];
  #wake: (() => void) | undefined;
  #exited = false;

  constructor(broker: string, setup: ChildSetup) {
    const profileDir = process.env.E2E_CPU_PROF || undefined;
    const profiling = profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}/${broker}-${setup.subject}-${setup.role}-${Date.now()}`];
    const env = { ...process.env, E2E_CHILD: JSON.stringify(setup) };
    this.#process = fork(CHILD, [], { cwd: REPO_ROOT, execArgv: ['--import', 'tsx', ...profiling], env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.#process.on('message', (message: ChildReply) => {
      this.#replies.push(message);
      this.#wake?.();
    });
    this.#process.once('exit', () => {
      this.#exited = true;
      this.#wake?.();
    });
  }

  send(command: ChildCommand): void {
    this.#process.send(command);
  }

  /** The next reply of the given type; rejects on a failure reply, an exit or after `timeoutMs`. */
  async next<T extends ChildReply['type']>(type: T, timeoutMs = 180_000): Promise<Extract<ChildReply, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const reply = this.#replies.shift();
      if (reply?.type === 'failed') throw new Error(`benchmark child failed: ${reply.error}`);
      if (reply?.type === type) return reply as Extract<ChildReply, { type: T }>;
      if (reply !== undefined) continue;
      if (this.#exited) throw new Error(`benchmark child exited while waiting for "${type}"`);
      if (Date.now() > deadline) throw new Error(`benchmark child sent no "${type}" within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        setTimeout(resolve, 200);
      });
      this.#wake = undefined;
    }
  }

  /** Asks the child to clean up and exit; kills it if it does not within 10 s. */
  async stop(): Promise<void> {
    if (this.#exited) return;
    const exited = new Promise((resolve) => this.#process.once('exit', resolve));
    try {
      this.send({ type: 'exit' });
    } catch {
      // Already gone.
    }
    const timer = setTimeout(() => this.#process.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}
