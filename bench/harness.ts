import { do_not_optimize, measure } from 'mitata';
import { getHeapStatistics } from 'node:v8';

/** What a row of a comparison stands for; exactly one `baseline` per comparison. */
export type Role = 'baseline' | 'troopy' | 'peer' | 'reference';

/** One way of doing a comparison's operation. */
export interface Subject {
  readonly name: string;
  readonly role: Role;
  /**
   * Does the operation once and returns its result (or a promise of it). The harness consumes
   * the result, awaiting it when it is a promise, so the work cannot be optimised away.
   */
  readonly run: () => unknown;
  /** Printed under the table, for what a reader must know to read the row fairly. */
  readonly note?: string;
}

/** Subjects doing the same operation, printed as one table with ratios to its baseline. */
export interface Comparison {
  readonly title: string;
  /** The most a troopy row may cost, as a multiple of the baseline (the target). */
  readonly target?: number;
  /** Fails loudly when a subject does not do the work (checked once before measuring). */
  readonly verify: (subject: Subject) => Promise<void>;
  readonly subjects: readonly Subject[];
}

/** A scenario as a scenario module builds it; `close` releases what `setup` started. */
export interface ScenarioSetup {
  readonly comparisons: readonly Comparison[];
  readonly close?: () => Promise<void>;
}

export interface Scenario {
  /** Short name used by the command-line filter, such as `sync` or `events`. */
  readonly id: string;
  readonly number: number;
  readonly title: string;
  readonly setup: () => Promise<ScenarioSetup>;
}

/** How long and how often each subject is measured. */
export interface RunOptions {
  readonly rounds: number;
  /** Minimum CPU time mitata spends on one subject in one round, in nanoseconds. */
  readonly minCpuTime: number;
}

/** One round's measurement of one subject. */
export interface Sample {
  /** Median of mitata's batch means, in ns per operation. */
  readonly nsPerOp: number;
  /** Mean bytes allocated per operation, or undefined when mitata could not tell. */
  readonly bytesPerOp: number | undefined;
}

export interface SubjectResult {
  readonly name: string;
  readonly role: Role;
  readonly note: string | undefined;
  readonly samples: readonly Sample[];
  /** Per round: this subject's ns/op divided by the baseline's ns/op in the same round. */
  readonly ratios: readonly number[];
}

export interface ComparisonResult {
  readonly title: string;
  readonly target: number | undefined;
  readonly subjects: readonly SubjectResult[];
}

export interface ScenarioResult {
  readonly id: string;
  readonly number: number;
  readonly title: string;
  readonly comparisons: readonly ComparisonResult[];
}

const exposedGc = (globalThis as { gc?: () => void }).gc;

/** V8's heap in use, the figure mitata itself reads on Node. */
function heapInUse(): number {
  const statistics = getHeapStatistics();
  return statistics.used_heap_size + statistics.malloced_memory;
}

/** The function mitata times: runs the subject once and consumes the result. */
function timed(subject: Subject, isAsync: boolean): () => unknown {
  const run = subject.run;
  if (isAsync) {
    return async () => {
      do_not_optimize(await run());
    };
  }
  return () => {
    do_not_optimize(run());
  };
}

async function sample(subject: Subject, isAsync: boolean, options: RunOptions): Promise<Sample> {
  const stats = await measure(timed(subject, isAsync), {
    heap: heapInUse,
    // Without --expose-gc mitata would fall back to allocating 1 GiB to force a collection.
    gc: exposedGc ?? false,
    min_cpu_time: options.minCpuTime,
    // mitata calls the function 4 times per loop turn by default, and V8 inlines the 4 calls
    // into one function, so a callee's size would decide whether the 4th call is inlined (V8
    // stops inlining once 920 bytes of bytecode are taken in). One call per turn measures what
    // each row says; scenario 1 measures several dispatches in one function on purpose.
    batch_unroll: 1,
    // Operations slower than 10 µs are timed one by one (mitata batches up to 65 µs), so that
    // the two rows of a slow comparison, such as attaching 1,000 classes, are sampled alike.
    batch_threshold: 10_000,
  });
  const heap = stats.heap;
  return { nsPerOp: stats.p50, bytesPerOp: heap === undefined || !Number.isFinite(heap.avg) ? undefined : heap.avg };
}

/**
 * Measures every comparison of a scenario in `rounds` rounds. Round `r` starts with subject
 * `r` (mod the count) and goes on in order, so that no subject is always measured first, last,
 * or right after the same neighbour.
 */
export async function runScenario(scenario: Scenario, options: RunOptions, log: (line: string) => void): Promise<ScenarioResult> {
  const setup = await scenario.setup();
  try {
    const comparisons: ComparisonResult[] = [];
    for (const comparison of setup.comparisons) {
      const baselineIndex = comparison.subjects.findIndex((subject) => subject.role === 'baseline');
      if (baselineIndex < 0) throw new Error(`${comparison.title}: no baseline subject`);
      const kinds: boolean[] = [];
      for (const subject of comparison.subjects) {
        await comparison.verify(subject);
        kinds.push(await isAsyncSubject(subject));
      }
      const samples: Sample[][] = comparison.subjects.map(() => []);
      for (let round = 0; round < options.rounds; round++) {
        for (let step = 0; step < comparison.subjects.length; step++) {
          const index = (round + step) % comparison.subjects.length;
          const subject = comparison.subjects[index]!;
          log(`  ${scenario.number}. ${comparison.title} · round ${round + 1}/${options.rounds} · ${subject.name}`);
          samples[index]!.push(await sample(subject, kinds[index]!, options));
        }
      }
      const baseline = samples[baselineIndex]!;
      comparisons.push({
        title: comparison.title,
        target: comparison.target,
        subjects: comparison.subjects.map((subject, index) => ({
          name: subject.name,
          role: subject.role,
          note: subject.note,
          samples: samples[index]!,
          ratios: samples[index]!.map((own, round) => own.nsPerOp / baseline[round]!.nsPerOp),
        })),
      });
    }
    return { id: scenario.id, number: scenario.number, title: scenario.title, comparisons };
  } finally {
    await setup.close?.();
  }
}

async function isAsyncSubject(subject: Subject): Promise<boolean> {
  const result = subject.run();
  if (!(result instanceof Promise)) return false;
  await result;
  return true;
}

/** The median of some numbers (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Verifies that running a subject yields `expected` (awaited when it is a promise). */
export function expectResult(expected: unknown): (subject: Subject) => Promise<void> {
  return async (subject) => {
    const result: unknown = await subject.run();
    if (!Object.is(result, expected)) {
      throw new Error(`${subject.name} returned ${String(result)}, expected ${String(expected)}`);
    }
  };
}

/**
 * Verifies that a subject's run makes `counter()` grow by `perRun` once its promise settles
 * (for subjects whose work leaves no result, such as publishing an event).
 */
export function expectCount(counter: () => number, perRun: number): (subject: Subject) => Promise<void> {
  return async (subject) => {
    const before = counter();
    await subject.run();
    // Subjects that do not await their work (fire-and-forget buses) finish on later ticks.
    for (let tick = 0; tick < 20 && counter() - before < perRun; tick++) await new Promise((resolve) => setImmediate(resolve));
    const grown = counter() - before;
    if (grown !== perRun) throw new Error(`${subject.name} did ${grown} unit(s) of work per run, expected ${perRun}`);
  };
}
