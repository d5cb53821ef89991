/**
 * One producer or consumer of an end-to-end benchmark, in its own process, driven by the
 * harness over IPC. The setup comes as JSON in `E2E_CHILD`; the subject is found in the broker
 * definition that `setup.module` default-exports.
 */
import { subjectsOf, type Consumer, type EndToEndBroker, type Producer } from './broker.js';
import { now, payload, type ChildCommand, type ChildReply, type ChildSetup, type Phase } from './protocol.js';

const setup = JSON.parse(process.env.E2E_CHILD ?? '') as ChildSetup;

function reply(message: ChildReply): void {
  process.send?.(message);
}

function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!;
}

/** Counts one phase's messages and their send-to-handled latencies; replies once all arrived. */
class Tally {
  readonly #phase: Phase;
  readonly #latencies: Float64Array;
  readonly #seen: Uint8Array;
  readonly #cpu = process.cpuUsage();
  #count = 0;
  #duplicates = 0;

  constructor(phase: Phase) {
    this.#phase = phase;
    this.#latencies = new Float64Array(phase.count);
    this.#seen = new Uint8Array(phase.count);
  }

  record(seq: number, sentAt: number): void {
    const at = now();
    if (seq >= this.#phase.count || this.#seen[seq] === 1) {
      this.#duplicates++;
      return;
    }
    this.#seen[seq] = 1;
    this.#latencies[this.#count++] = at - sentAt;
    if (this.#count === this.#phase.count) {
      const sorted = this.#latencies.sort();
      const cpu = process.cpuUsage(this.#cpu);
      reply({
        type: 'consumed',
        lastAt: at,
        p50: percentile(sorted, 0.5),
        p99: percentile(sorted, 0.99),
        duplicates: this.#duplicates,
        cpuMicros: cpu.user + cpu.system,
      });
    }
  }
}

async function produce(producer: Producer, phase: Phase): Promise<void> {
  const cpu = process.cpuUsage();
  const startedAt = now();
  const { batch } = setup.run;
  if (phase.ratePerSecond === undefined) {
    for (let seq = 0; seq < phase.count; seq += batch) {
      const size = Math.min(batch, phase.count - seq);
      const sentAt = now();
      await producer.sendBatch(Array.from({ length: size }, (_, index) => payload(seq + index, sentAt)));
    }
  } else {
    // Paced: every message is sent on its own at its due time, without waiting for earlier ones.
    const interval = 1_000 / phase.ratePerSecond;
    const pending: Promise<void>[] = [];
    let seq = 0;
    while (seq < phase.count) {
      const due = Math.min(phase.count, Math.floor((now() - startedAt) / interval) + 1);
      for (; seq < due; seq++) pending.push(producer.sendOne(payload(seq, now())));
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await Promise.all(pending);
  }
  const used = process.cpuUsage(cpu);
  reply({ type: 'produced', startedAt, endedAt: now(), cpuMicros: used.user + used.system });
}

async function main(): Promise<void> {
  const { default: broker } = (await import(setup.module)) as { default: EndToEndBroker };
  const subject = subjectsOf(broker).find(([id]) => id === setup.subject)?.[1];
  if (subject === undefined) throw new Error(`the ${broker.id} benchmark has no subject "${setup.subject}"`);
  let tally: Tally | undefined;
  let producer: Producer | undefined;
  let consumer: Consumer | undefined;
  if (setup.role === 'producer') producer = await subject.producer(setup.run);
  else {
    consumer = await subject.consumer(setup.run);
    await consumer.start(({ seq, sentAt }) => tally?.record(seq, sentAt));
  }
  process.on('message', (command: ChildCommand) => {
    void (async () => {
      try {
        if (command.type === 'expect') {
          tally = new Tally(command.phase);
          reply({ type: 'expecting' });
        } else if (command.type === 'produce') {
          if (producer === undefined) throw new Error('this child is not a producer');
          await produce(producer, command.phase);
        } else {
          await producer?.close();
          await consumer?.close();
          process.disconnect();
          process.exit(0);
        }
      } catch (error) {
        reply({ type: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      }
    })();
  });
  reply({ type: 'ready' });
}

main().catch((error: unknown) => {
  reply({ type: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exitCode = 1;
});
