/**
 * The end-to-end harness every broker benchmark shares: producer and consumer in separate
 * processes, the broker's bare loop, its peer (if any) and troopy carrying the same messages
 * (about 200 bytes of JSON).
 *
 * Each subject runs `rounds` times, the order rotated every round; each run has a warm-up, a
 * flat-out phase (batches of 100, one batch in flight) for commands per second, and a paced
 * phase (one message per send at a fixed rate) for send-to-handled p50 and p99. The table gives
 * the medians, and each subject's throughput as a ratio of the bare loop's.
 */
import type { EndToEndBroker, Subject } from './broker.js';
import { subjectsOf } from './broker.js';
import { ChildHandle } from './child-handle.js';
import type { Phase, RunTarget } from './protocol.js';
import { ms, renderEndToEnd, type EndToEndRow } from './report.js';
import { serverCpuMicros } from './server-cpu.js';

/** Options of {@link runEndToEnd}; every one has a default. */
export interface EndToEndOptions {
  /** The broker to run against. @default the broker's `defaultUrl()` (its environment variable, or localhost) */
  readonly url?: string;
  /** Messages in the flat-out phase of each run. @default 20_000 */
  readonly messages?: number;
  /** Messages sent before the flat-out phase, unmeasured, so that both processes run compiled code. @default 2_000 */
  readonly warmUpMessages?: number;
  /** Runs per subject; medians are reported. @default 3 */
  readonly rounds?: number;
  /** Messages per second in the paced latency phase. @default 1_000 */
  readonly ratePerSecond?: number;
  /** Messages in the paced latency phase. @default 2_000 */
  readonly pacedMessages?: number;
  /** Which subjects to run, by id (the bare loop always runs, as the baseline). @default all */
  readonly subjects?: readonly string[];
  /** Options laid over troopy's transport options, to measure a setting (its row's label names them). @default none */
  readonly transportOptions?: Readonly<Record<string, unknown>>;
  /** Where progress lines go. @default stderr */
  readonly log?: (line: string) => void;
}

/** What {@link runEndToEnd} resolves with. */
export interface EndToEndReport {
  readonly rows: readonly EndToEndRow[];
  /** The table and its notes, in markdown. */
  readonly markdown: string;
  /** Whether troopy reached 0.7 × the bare loop and beat the peer. */
  readonly targetsMet: boolean;
}

const BATCH = 100;

interface Phases {
  readonly warmUp: Phase;
  readonly throughput: Phase;
  readonly paced: Phase;
}

interface RunFigures {
  readonly perSecond: number;
  readonly loadedP99: number;
  readonly producerCpu: number;
  readonly consumerCpu: number;
  /** The broker's CPU time per message in the flat-out phase, in µs; `undefined` when it cannot be read. */
  readonly serverCpu: number | undefined;
  readonly p50: number;
  readonly p99: number;
}

/** One run of one subject: its own queue, fresh consumer and producer processes, three phases. */
async function runOnce(
  broker: EndToEndBroker,
  [id, subject]: readonly [string, Subject],
  url: string,
  phases: Phases,
  transportOptions: RunTarget['transportOptions'],
): Promise<RunFigures> {
  const key = `troopy_bench_${id}_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const run: RunTarget = { url, key, batch: BATCH, ...(id === 'troopy' && transportOptions !== undefined ? { transportOptions } : {}) };
  await broker.beforeEachRun?.(url);
  await subject.prepare?.(run);
  const base = { module: broker.module, subject: id, run };
  const consumer = new ChildHandle(broker.id, { ...base, role: 'consumer' });
  const producer = new ChildHandle(broker.id, { ...base, role: 'producer' });
  try {
    await Promise.all([consumer.next('ready'), producer.next('ready')]);
    const phase = async (current: Phase) => {
      consumer.send({ type: 'expect', phase: current });
      await consumer.next('expecting');
      producer.send({ type: 'produce', phase: current });
      const [produced, consumed] = await Promise.all([producer.next('produced'), consumer.next('consumed')]);
      if (consumed.duplicates > 0) throw new Error(`${id}: ${consumed.duplicates} duplicate deliveries in the ${current.name} phase`);
      return { produced, consumed };
    };
    await phase(phases.warmUp);
    const serverBefore = broker.serverProcess === undefined ? undefined : serverCpuMicros(broker.serverProcess);
    const flat = await phase(phases.throughput);
    const serverAfter = broker.serverProcess === undefined ? undefined : serverCpuMicros(broker.serverProcess);
    if (broker.settleMs !== undefined) await new Promise((resolve) => setTimeout(resolve, broker.settleMs));
    const paced = await phase(phases.paced);
    const count = phases.throughput.count;
    return {
      perSecond: count / ((flat.consumed.lastAt - flat.produced.startedAt) / 1_000),
      loadedP99: flat.consumed.p99,
      producerCpu: flat.produced.cpuMicros / count,
      consumerCpu: flat.consumed.cpuMicros / count,
      serverCpu: serverBefore === undefined || serverAfter === undefined ? undefined : (serverAfter - serverBefore) / count,
      p50: paced.consumed.p50,
      p99: paced.consumed.p99,
    };
  } finally {
    await Promise.all([producer.stop(), consumer.stop()]);
    await subject.cleanup?.(run);
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * Runs one broker's end-to-end comparison and renders it as a markdown table. The bench runner
 * calls this and prints `markdown`; it throws when the broker does not answer.
 */
export async function runEndToEnd(broker: EndToEndBroker, options: EndToEndOptions = {}): Promise<EndToEndReport> {
  const url = options.url ?? broker.defaultUrl();
  const rounds = options.rounds ?? 3;
  const rate = options.ratePerSecond ?? 1_000;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const phases: Phases = {
    warmUp: { name: 'warm-up', count: options.warmUpMessages ?? 2_000 },
    throughput: { name: 'throughput', count: options.messages ?? 20_000 },
    paced: { name: 'paced', count: options.pacedMessages ?? 2_000, ratePerSecond: rate },
  };
  const chosen = subjectsOf(broker).filter(([id]) => id === 'bare' || options.subjects === undefined || options.subjects.includes(id));
  const figures = new Map<string, RunFigures[]>(chosen.map(([id]) => [id, []]));
  for (let round = 0; round < rounds; round++) {
    const order = chosen.map((_, index) => chosen[(index + round) % chosen.length]!);
    for (const subject of order) {
      const result = await runOnce(broker, subject, url, phases, options.transportOptions);
      figures.get(subject[0])!.push(result);
      log(
        `${broker.id} e2e round ${round + 1}/${rounds} ${subject[0]}: ${Math.round(result.perSecond)} commands/s ` +
          `(CPU ${Math.round(result.producerCpu)} + ${Math.round(result.consumerCpu)}${result.serverCpu === undefined ? '' : ` + broker ${Math.round(result.serverCpu)}`} µs/msg); paced p50 ${ms(result.p50)} ms, p99 ${ms(result.p99)} ms`,
      );
    }
  }
  const bare = median(figures.get('bare')!.map((run) => run.perSecond));
  const rows: EndToEndRow[] = chosen.map(([id, subject]) => {
    const runs = figures.get(id)!;
    const perSecond = runs.map((run) => Math.round(run.perSecond));
    const medianPerSecond = median(perSecond);
    return {
      subject: id,
      label:
        id === 'troopy' && options.transportOptions !== undefined
          ? `${subject.label}, transport options ${JSON.stringify(options.transportOptions)}`
          : subject.label,
      perSecond,
      medianPerSecond,
      ratioToBare: medianPerSecond / bare,
      p50Ms: median(runs.map((run) => run.p50)),
      p99Ms: median(runs.map((run) => run.p99)),
      loadedP99Ms: median(runs.map((run) => run.loadedP99)),
      producerCpuMicros: median(runs.map((run) => run.producerCpu)),
      consumerCpuMicros: median(runs.map((run) => run.consumerCpu)),
      serverCpuMicros: runs.every((run) => run.serverCpu !== undefined) ? median(runs.map((run) => run.serverCpu!)) : undefined,
    };
  });
  const { markdown, targetsMet } = renderEndToEnd(broker, rows, { messages: phases.throughput.count, rounds, ratePerSecond: rate });
  return { rows, markdown, targetsMet };
}
