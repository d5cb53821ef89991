/**
 * troopy's side of every end-to-end benchmark: Sender.sendBatch / Sender.send on the broker's
 * transport, and a Worker whose concurrency is the bare consumer's batch. A broker only says
 * how to build its transport and what a run leaves behind.
 */
import { Command } from '../../src/command.js';
import { CommandBus } from '../../src/command-bus.js';
import { MessageRouter } from '../../src/message-router.js';
import { MessageRegistry } from '../../src/envelope/message-registry.js';
import { Sender } from '../../src/sending/sender.js';
import type { Transport } from '../../src/transport/transport.js';
import { Worker } from '../../src/worker/worker.js';
import type { Subject } from './broker.js';
import type { RunTarget } from './protocol.js';

class BenchCommand extends Command<Promise<void>> {
  constructor(
    readonly seq: number,
    readonly sentAt: number,
    readonly pad: string,
  ) {
    super();
  }
}

const registry = new MessageRegistry();
registry.register(BenchCommand, { name: 'bench.e2e' });

/** How {@link troopySubject} builds and cleans up after the broker's transport. */
export interface TroopySubjectOptions {
  /** The transport's class name, for the row's label. */
  readonly transportName: string;
  /** A new transport on the run's stream or queue; each process and `prepare` build their own. */
  readonly transport: (run: RunTarget) => Transport;
  /** Removes what the transport left on the broker (dead letters, delay queues, rows). */
  readonly cleanup: (run: RunTarget) => Promise<void>;
}

/** troopy as a subject: `prepare` runs the transport's `setup`, as each process does again. */
export function troopySubject({ transportName, transport: create, cleanup }: TroopySubjectOptions): Subject {
  return {
    label: `troopy (Sender.sendBatch + ${transportName} + Worker, concurrency 100)`,
    async prepare(run) {
      const transport = create(run);
      await transport.setup();
      await transport.close();
    },
    async producer(run) {
      const transport = create(run);
      await transport.setup();
      const sender = new Sender({ routes: [[BenchCommand, transport]], registry });
      return {
        async sendBatch(payloads) {
          await sender.sendBatch(payloads.map(({ seq, sentAt, pad }) => new BenchCommand(seq, sentAt, pad)));
        },
        async sendOne({ seq, sentAt, pad }) {
          await sender.send(new BenchCommand(seq, sentAt, pad));
        },
        close: () => transport.close(),
      };
    },
    async consumer(run) {
      const transport = create(run);
      await transport.setup();
      let worker: Worker | undefined;
      return {
        async start(onMessage) {
          const router = new MessageRouter();
          router.attach(BenchCommand, (command: BenchCommand) => {
            onMessage(command);
            return Promise.resolve();
          });
          worker = new Worker({ transports: [transport], bus: new CommandBus({ router }), registry, concurrency: run.batch });
          worker.start();
        },
        async close() {
          await worker?.stop();
          await transport.close();
        },
      };
    },
    cleanup,
  };
}
