/**
 * Runs one scenario in this process and sends its result to the parent (run.ts), which starts
 * one such process per scenario with `--expose-gc`.
 */
import { runScenario, type RunOptions, type ScenarioResult } from './harness.js';
import { scenarios } from './scenarios/index.js';

/** What run.ts sends to a scenario process. */
export interface ScenarioRequest {
  readonly id: string;
  readonly options: RunOptions;
}

/** What a scenario process sends back. */
export type ScenarioReply = { readonly result: ScenarioResult } | { readonly error: string };

process.once('message', (request: ScenarioRequest) => {
  void (async () => {
    let reply: ScenarioReply;
    try {
      const scenario = scenarios.find((candidate) => candidate.id === request.id);
      if (scenario === undefined) throw new Error(`no scenario "${request.id}"`);
      reply = { result: await runScenario(scenario, request.options, (line) => process.stderr.write(`${line}\n`)) };
    } catch (error) {
      reply = { error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
    }
    process.send?.(reply, () => process.exit(0));
  })();
});
