/**
 * `npm run bench [-- [--quick] [--rounds=N] [--time=MS] [scenario...]]`
 *
 * Runs the scenarios of issue 3, each in its own Node process, and prints markdown tables.
 * A scenario is chosen by number or id (`npm run bench -- 4`, `npm run bench -- events`).
 * Progress goes to stderr, the tables to stdout.
 */
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { RunOptions, ScenarioResult } from './harness.js';
import { renderHeader, renderScenario, renderVerdicts, type Verdict } from './report.js';
import type { ScenarioReply, ScenarioRequest } from './scenario-process.js';
import { brokerBenches } from './brokers/index.js';
import { scenarios } from './scenarios/index.js';

const usage = `usage: npm run bench -- [--quick] [--rounds=N] [--time=MS] [scenario...]
  --quick      3 rounds of at least 100 ms per row (default: 11 rounds of at least 150 ms)
  --rounds=N   rounds per row
  --time=MS    minimum sampling time per row and round, in milliseconds
  scenario     a number or id: ${scenarios.map((scenario) => `${scenario.number} ${scenario.id}`).join(', ')}
               or a broker: ${brokerBenches.map((broker) => broker.id).join(', ')} (end to end, 3 rounds unless --rounds; --quick sends 5,000 commands once)
  --in-process only the in-process scenarios; --brokers only the broker benchmarks`;

interface Cli {
  readonly options: RunOptions;
  readonly selected: typeof scenarios;
  readonly brokers: typeof brokerBenches;
  readonly quick: boolean;
  /** `--rounds` as given, for the broker benchmarks (their own default is 3). */
  readonly brokerRounds: number | undefined;
}

function positiveInteger(value: string | undefined, flag: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw new Error(`${flag} expects a positive integer; got ${String(value)}.\n${usage}`);
  return parsed;
}

function parse(argv: readonly string[]): Cli {
  let rounds = 11;
  let time = 150;
  let explicitRounds: number | undefined;
  let explicitTime: number | undefined;
  const filters: string[] = [];
  let quick = false;
  let only: 'in-process' | 'brokers' | undefined;
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index]!;
    const [flag, inline] = argument.split('=', 2) as [string, string | undefined];
    const value = (): string | undefined => inline ?? argv[++index];
    if (flag === '--in-process') only = 'in-process';
    else if (flag === '--brokers') only = 'brokers';
    else if (flag === '--quick') {
      quick = true;
      rounds = 3;
      time = 100;
    } else if (flag === '--rounds') explicitRounds = positiveInteger(value(), '--rounds');
    else if (flag === '--time') explicitTime = positiveInteger(value(), '--time');
    else if (flag === '--help' || flag === '-h') {
      process.stdout.write(`${usage}\n`);
      process.exit(0);
    } else if (flag.startsWith('-')) throw new Error(`unknown option ${flag}.\n${usage}`);
    else filters.push(argument);
  }
  const isScenario = (filter: string): boolean => scenarios.some((scenario) => filter === scenario.id || filter === String(scenario.number));
  const isBroker = (filter: string): boolean => brokerBenches.some((broker) => broker.id === filter);
  const unknown = filters.filter((filter) => !isScenario(filter) && !isBroker(filter));
  if (unknown.length > 0) throw new Error(`no scenario ${unknown.map((filter) => `"${filter}"`).join(', ')}.\n${usage}`);
  const all = filters.length === 0;
  const selected =
    only === 'brokers' ? [] : scenarios.filter((scenario) => all || filters.some((filter) => filter === scenario.id || filter === String(scenario.number)));
  const brokers = only === 'in-process' ? [] : brokerBenches.filter((broker) => all || filters.includes(broker.id));
  return { options: { rounds: explicitRounds ?? rounds, minCpuTime: (explicitTime ?? time) * 1e6 }, selected, brokers, quick, brokerRounds: explicitRounds };
}

/** Runs one scenario in a fresh process, so no scenario's JIT state or registries leak into another. */
function runInProcess(id: string, options: RunOptions): Promise<ScenarioResult> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(new URL('./scenario-process.ts', import.meta.url)), [], {
      // tsx's loader flags, as this process was started with them, plus a real gc for mitata.
      execArgv: [...process.execArgv, '--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let reply: ScenarioReply | undefined;
    child.once('message', (message: ScenarioReply) => (reply = message));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (reply === undefined) reject(new Error(`scenario "${id}" exited with code ${String(code)} without a result`));
      else if ('error' in reply) reject(new Error(`scenario "${id}" failed: ${reply.error}`));
      else resolve(reply.result);
    });
    const request: ScenarioRequest = { id, options };
    child.send(request);
  });
}

function mitataVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../node_modules/mitata/package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return String(manifest.version);
}

async function main(): Promise<void> {
  const { options, selected, brokers, quick, brokerRounds } = parse(process.argv.slice(2));
  const argv = process.argv.slice(2);
  const header = renderHeader(
    {
      date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
      node: process.versions.node,
      v8: process.versions.v8,
      cpu: cpus()[0]?.model.trim() ?? 'unknown CPU',
      cores: cpus().length,
      loadAverage: loadavg(),
      mitata: mitataVersion(),
      command: `npm run bench${argv.length === 0 ? '' : ` -- ${argv.join(' ')}`}`,
    },
    options,
  );
  process.stdout.write(`${header}\n`);
  const all: Verdict[] = [];
  for (const scenario of selected) {
    process.stderr.write(`scenario ${scenario.number}: ${scenario.title}\n`);
    const result = await runInProcess(scenario.id, options);
    const rendered = renderScenario(result, options.rounds);
    all.push(...rendered.verdicts);
    process.stdout.write(`\n${rendered.markdown}\n`);
  }
  if (selected.length > 0) process.stdout.write(`\n${renderVerdicts(all)}\n`);
  for (const broker of brokers) {
    process.stderr.write(`broker: ${broker.title}\n`);
    const report = await broker.run(quick ? { messages: 5_000, rounds: brokerRounds ?? 1 } : brokerRounds === undefined ? {} : { rounds: brokerRounds });
    process.stdout.write(`\n${report.markdown}\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
