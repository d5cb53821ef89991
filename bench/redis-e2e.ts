/**
 * End-to-end throughput and latency on Redis, producer and consumer in separate processes:
 * troopy (Sender + RedisTransport + Worker) side by side with a bare ioredis loop (XADD
 * pipelined / XREADGROUP COUNT 100 / XACK: the limit for this broker) and BullMQ (Queue.addBulk
 * + Worker) on the same Redis, with the same messages (about 200 bytes of JSON).
 *
 * Each subject runs `rounds` times, the order rotated every round; each run has a warm-up, a
 * flat-out phase (batches of 100, one batch in flight) for commands per second, and a paced
 * phase (one message per send at a fixed rate) for send-to-handled p50 and p99. The table gives
 * the medians.
 *
 * Standalone: `npx tsx bench/redis-e2e.ts [--messages=N] [--rounds=N] [--rate=N] [--paced=N] [--subjects=bullmq,troopy]`
 * (REDIS_URL, default redis://127.0.0.1:6379). `REDIS_E2E_CPU_PROF=<dir>` writes a V8 CPU
 * profile of every child process there. From another runner: `runRedisEndToEnd(options)`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SUBJECTS, type ChildSetup, type Command, type Phase, type Reply, type SubjectId } from './redis-e2e/protocol.js';

/** Options of {@link runRedisEndToEnd}; every one has a default. */
export interface RedisEndToEndOptions {
  /** Redis to run against. @default process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' */
  readonly url?: string;
  /** Messages in the flat-out phase of each run. @default 20_000 */
  readonly messages?: number;
  /** Runs per subject; medians are reported. @default 3 */
  readonly rounds?: number;
  /** Messages per second in the paced latency phase. @default 1_000 */
  readonly ratePerSecond?: number;
  /** Messages in the paced latency phase. @default 2_000 */
  readonly pacedMessages?: number;
  /** Which subjects to run (the bare loop is always among them, as the baseline). @default all */
  readonly subjects?: readonly SubjectId[];
  /** Where progress lines go. @default stderr */
  readonly log?: (line: string) => void;
}

/** One subject's figures: per run and their medians. */
export interface RedisEndToEndRow {
  readonly subject: SubjectId;
  readonly label: string;
  /** Commands per second of each run (flat out), and their median. */
  readonly perSecond: readonly number[];
  readonly medianPerSecond: number;
  /** Median throughput divided by the bare loop's median. */
  readonly ratioToBare: number;
  /** Median of the runs' paced p50 and p99 send-to-handled latencies, in ms. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Median of the runs' p99 latency in the flat-out phase (queueing included), in ms. */
  readonly loadedP99Ms: number;
  /** Median CPU time per message in the flat-out phase, producer and consumer process, in µs. */
  readonly producerCpuMicros: number;
  readonly consumerCpuMicros: number;
}

/** What {@link runRedisEndToEnd} resolves with. */
export interface RedisEndToEndReport {
  readonly rows: readonly RedisEndToEndRow[];
  /** The table and its notes, in markdown. */
  readonly markdown: string;
  /** Whether troopy reached 0.7 × the bare loop and beat BullMQ. */
  readonly targetsMet: boolean;
}

const CHILD = fileURLToPath(new URL('./redis-e2e/child.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));
const BATCH = 100;
const SETTLE_MS = 2_000;
const LABELS: Readonly<Record<SubjectId, string>> = {
  bare: 'bare ioredis loop (XADD pipelined / XREADGROUP COUNT 100 / XACK)',
  bullmq: 'BullMQ (Queue.addBulk + Worker, concurrency 100)',
  troopy: 'troopy (Sender.sendBatch + RedisTransport + Worker, concurrency 100)',
};

/** A child process and a queue of its replies. */
class Child {
  readonly #process: ChildProcess;
  readonly #replies: Reply[] = [];
  #wake: (() => void) | undefined;
  #exited = false;

  constructor(setup: ChildSetup) {
    const profileDir = process.env.REDIS_E2E_CPU_PROF || undefined;
    // One directory per child: tsx's loader thread writes a profile of its own beside the main thread's.
    const profiling = profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}/${setup.subject}-${setup.role}-${Date.now()}`];
    const execArgv = ['--import', 'tsx', ...profiling];
    this.#process = fork(CHILD, [], { cwd: REPO_ROOT, execArgv, env: { ...process.env, REDIS_E2E_CHILD: JSON.stringify(setup) }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.#process.on('message', (message: Reply) => {
      this.#replies.push(message);
      this.#wake?.();
    });
    this.#process.once('exit', () => {
      this.#exited = true;
      this.#wake?.();
    });
  }

  send(command: Command): void {
    this.#process.send(command);
  }

  /** The next reply of the given type; rejects on a failure reply, an exit or after `timeoutMs`. */
  async next<T extends Reply['type']>(type: T, timeoutMs = 120_000): Promise<Extract<Reply, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const reply = this.#replies.shift();
      if (reply?.type === 'failed') throw new Error(`benchmark child failed: ${reply.error}`);
      if (reply?.type === type) return reply as Extract<Reply, { type: T }>;
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

interface RunFigures {
  readonly perSecond: number;
  readonly loadedP99: number;
  readonly producerCpu: number;
  readonly consumerCpu: number;
  readonly p50: number;
  readonly p99: number;
}

/** One run of one subject: fresh key, fresh consumer and producer processes, three phases. */
async function runOnce(subject: SubjectId, url: string, phases: { warmUp: Phase; throughput: Phase; paced: Phase }): Promise<RunFigures> {
  const key = `troopy-bench-e2e-${subject}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const base = { subject, url, key, batch: BATCH };
  const consumer = new Child({ ...base, role: 'consumer' });
  const producer = new Child({ ...base, role: 'producer' });
  try {
    await Promise.all([consumer.next('ready'), producer.next('ready')]);
    const phase = async (current: Phase) => {
      consumer.send({ type: 'expect', phase: current });
      await consumer.next('expecting');
      producer.send({ type: 'produce', phase: current });
      const [produced, consumed] = await Promise.all([producer.next('produced'), consumer.next('consumed')]);
      if (consumed.duplicates > 0) throw new Error(`${subject}: ${consumed.duplicates} duplicate deliveries in the ${current.name} phase`);
      return { produced, consumed };
    };
    await phase(phases.warmUp);
    const flat = await phase(phases.throughput);
    // A consumer counts a message when its handler runs; let it finish the flat-out phase's
    // acks and bookkeeping before the latency phase, so that backlog is not measured as latency.
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const paced = await phase(phases.paced);
    const seconds = (flat.consumed.lastAt - flat.produced.startedAt) / 1_000;
    const count = phases.throughput.count;
    return {
      perSecond: count / seconds,
      loadedP99: flat.consumed.p99,
      producerCpu: flat.produced.cpuMicros / count,
      consumerCpu: flat.consumed.cpuMicros / count,
      p50: paced.consumed.p50,
      p99: paced.consumed.p99,
    };
  } finally {
    await Promise.all([producer.stop(), consumer.stop()]);
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const ms = (value: number): string => (value < 10 ? value.toFixed(2) : value.toFixed(1));

/**
 * Runs the Redis end-to-end comparison and renders it as a markdown table. The bench runner
 * calls this and prints `markdown`; it throws when Redis does not answer.
 */
export async function runRedisEndToEnd(options: RedisEndToEndOptions = {}): Promise<RedisEndToEndReport> {
  const url = options.url ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const rounds = options.rounds ?? 3;
  const rate = options.ratePerSecond ?? 1_000;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const phases = {
    warmUp: { name: 'warm-up', count: 2_000 } as const,
    throughput: { name: 'throughput', count: options.messages ?? 20_000 } as const,
    paced: { name: 'paced', count: options.pacedMessages ?? 2_000, ratePerSecond: rate } as const,
  };
  const chosen = SUBJECTS.filter((subject) => subject === 'bare' || (options.subjects ?? SUBJECTS).includes(subject));
  const figures = new Map<SubjectId, RunFigures[]>(chosen.map((subject) => [subject, []]));
  for (let round = 0; round < rounds; round++) {
    const order = chosen.map((_, index) => chosen[(index + round) % chosen.length]!);
    for (const subject of order) {
      const result = await runOnce(subject, url, phases);
      figures.get(subject)!.push(result);
      log(
        `redis e2e round ${round + 1}/${rounds} ${subject}: ${Math.round(result.perSecond)} commands/s ` +
          `(CPU ${Math.round(result.producerCpu)} + ${Math.round(result.consumerCpu)} µs/msg); paced p50 ${ms(result.p50)} ms, p99 ${ms(result.p99)} ms`,
      );
    }
  }
  const bare = median(figures.get('bare')!.map((run) => run.perSecond));
  const rows: RedisEndToEndRow[] = chosen.map((subject) => {
    const runs = figures.get(subject)!;
    const perSecond = runs.map((run) => Math.round(run.perSecond));
    const medianPerSecond = median(perSecond);
    return {
      subject,
      label: LABELS[subject],
      perSecond,
      medianPerSecond,
      ratioToBare: medianPerSecond / bare,
      p50Ms: median(runs.map((run) => run.p50)),
      p99Ms: median(runs.map((run) => run.p99)),
      loadedP99Ms: median(runs.map((run) => run.loadedP99)),
      producerCpuMicros: median(runs.map((run) => run.producerCpu)),
      consumerCpuMicros: median(runs.map((run) => run.consumerCpu)),
    };
  });
  const troopy = rows.find((row) => row.subject === 'troopy');
  const bull = rows.find((row) => row.subject === 'bullmq');
  const targetsMet = troopy !== undefined && troopy.ratioToBare >= 0.7 && (bull === undefined || troopy.medianPerSecond > bull.medianPerSecond);
  const table = [
    `### Redis end to end: ${phases.throughput.count.toLocaleString('en')} commands of ~200 B, producer and worker in separate processes`,
    '',
    `| subject | commands/s (median of ${rounds}) | runs | × bare loop | p50 / p99 at ${rate.toLocaleString('en')}/s (ms) | p99 flat out (ms) | CPU µs/msg producer + consumer |`,
    '|---|---:|---|---:|---:|---:|---:|',
    ...rows.map(
      (row) =>
        `| ${row.label} | ${row.medianPerSecond.toLocaleString('en')} | ${row.perSecond.join(', ')} | ${row.ratioToBare.toFixed(2)}× | ` +
        `${ms(row.p50Ms)} / ${ms(row.p99Ms)} | ${ms(row.loadedP99Ms)} | ${Math.round(row.producerCpuMicros)} + ${Math.round(row.consumerCpuMicros)} |`,
    ),
    '',
    `Target: troopy ≥ 0.70× the bare loop and ahead of BullMQ: ${targetsMet ? 'met' : 'NOT met'}` +
      ` (troopy ${troopy === undefined ? 'not run' : `${troopy.ratioToBare.toFixed(2)}×`}, BullMQ ${bull === undefined ? 'not run' : `${bull.ratioToBare.toFixed(2)}×`}).`,
    `Machine: ${cpus().length} cores, load average ${loadavg().map((value) => value.toFixed(1)).join(' / ')} at the end of the run.`,
    'Flat out: batches of 100 per send call, one call in flight; consumers take up to 100 at once. Paced: one message per send call at the given rate.',
    'Latency is from just before the send call to the start of the handler, across processes on one machine. Broker, producer and consumer share the machine.',
  ];
  return { rows, markdown: table.join('\n'), targetsMet };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const flags = new Map(process.argv.slice(2).map((argument) => argument.replace(/^--/, '').split('=', 2) as [string, string]));
  const number = (name: string): number | undefined => (flags.has(name) ? Number(flags.get(name)) : undefined);
  const options: RedisEndToEndOptions = Object.fromEntries(
    Object.entries({ messages: number('messages'), rounds: number('rounds'), ratePerSecond: number('rate'), pacedMessages: number('paced') }).filter(([, value]) => value !== undefined),
  );
  const only = flags.get('subjects');
  const run: RedisEndToEndOptions = only === undefined ? options : { ...options, subjects: only.split(',') as SubjectId[] };
  runRedisEndToEnd(run).then(
    (report) => process.stdout.write(`${report.markdown}\n`),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
