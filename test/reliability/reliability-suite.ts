import { afterAll, afterEach, beforeAll, describe, it, type TestContext } from 'vitest';
import { requireService } from '../support/services.js';
import type { BrokerProfile, PrivateBroker } from './broker-profile.js';
import { alwaysFailing } from './scenarios/always-failing.js';
import { brokerRestart } from './scenarios/broker-restart.js';
import { competingConsumers } from './scenarios/competing-consumers.js';
import { crashLoop } from './scenarios/crash-loop.js';
import { gracefulShutdown } from './scenarios/graceful-shutdown.js';
import { keepalive } from './scenarios/keepalive.js';
import { malformedInput } from './scenarios/malformed-input.js';
import { sigkillMidHandle } from './scenarios/sigkill-mid-handle.js';
import { ScenarioRun } from './scenario-run.js';

/** Which scenarios to leave out for a broker, each with the reason printed in the test name. */
export type SkippedScenarios = Partial<Record<ScenarioId, string>>;

/** The scenario ids, in the order of issue 4's list. */
export type ScenarioId = 'sigkill' | 'crash-loop' | 'malformed' | 'always-failing' | 'graceful-shutdown' | 'keepalive' | 'competing' | 'restart';

const SCENARIOS: readonly {
  readonly id: ScenarioId;
  readonly title: string;
  readonly timeoutMs: number;
  readonly run: (run: ScenarioRun) => Promise<object>;
}[] = [
  {
    id: 'sigkill',
    title: '1. SIGKILL mid-handle: 0 lost, duplicates <= in flight, orphans redelivered within 2 x lease',
    timeoutMs: 90_000,
    run: sigkillMidHandle,
  },
  { id: 'crash-loop', title: '2. crash loop: dead-lettered after exactly maxDeliveries starts, all others complete', timeoutMs: 90_000, run: crashLoop },
  {
    id: 'malformed',
    title: '3. malformed input: each dead-lettered after one delivery with reason and bytes, worker stays up',
    timeoutMs: 60_000,
    run: malformedInput,
  },
  {
    id: 'always-failing',
    title: '4. always-failing handler: maxAttempts attempts within backoff bounds, dead-lettered, redriven once',
    timeoutMs: 60_000,
    run: alwaysFailing,
  },
  {
    id: 'graceful-shutdown',
    title: '5. SIGTERM: short handlers finish and are acked, long ones aborted and redelivered at once, exit 0',
    timeoutMs: 60_000,
    run: gracefulShutdown,
  },
  { id: 'keepalive', title: '6. keepalive: a handler running 3.5 x lease is not redelivered while its worker lives', timeoutMs: 60_000, run: keepalive },
  { id: 'competing', title: '7. competing consumers: 4 workers, 10,000 commands, each handled exactly once', timeoutMs: 180_000, run: competingConsumers },
];

/**
 * Registers the reliability scenarios of issue 4 for one broker, as vitest tests with real
 * worker processes. Call it once per broker from a `*.reliability.test.ts` file:
 *
 * ```ts
 * import { profile } from './profiles/redis-profile.js';
 * defineReliabilitySuite(profile);
 * ```
 *
 * The broker must answer at `profile.connection`; when it does not, the suite is skipped with
 * a loud warning, or fails when `CI` is set. Each scenario prints what it measured; every
 * worker process, private broker and queue is removed after each test, also after a failure
 * (a failed test keeps its ledger directory and says where it is).
 */
export function defineReliabilitySuite(profile: BrokerProfile, skipped: SkippedScenarios = {}): void {
  const measured: { readonly title: string; readonly result: object; readonly seconds: number }[] = [];
  let available = false;
  let run: ScenarioRun | undefined;
  let broker: PrivateBroker | undefined;

  describe(`reliability on ${profile.name} (real worker processes)`, () => {
    beforeAll(async () => {
      available = await requireService(profile.name, profile.connection);
      if (available) await profile.probe(profile.connection);
    });

    afterEach(async (context) => {
      const failed = context.task.result?.state === 'fail';
      // RELIABILITY_KEEP=1 keeps every ledger, to study a passing run too.
      const keep = failed || process.env.RELIABILITY_KEEP === '1';
      const current = run;
      run = undefined;
      const currentBroker = broker;
      broker = undefined;
      if (current !== undefined) {
        if (keep) console.warn(`reliability: ${context.task.name} ${failed ? 'failed' : 'passed'}; its ledger and logs are kept in ${current.directory}`);
        await current.dispose({ keepFiles: keep });
      }
      await currentBroker?.dispose();
    });

    afterAll(() => {
      if (measured.length === 0) return;
      const lines = measured.map(({ title, result, seconds }) => `- ${title} (${seconds.toFixed(1)} s)\n  ${JSON.stringify(result)}`);
      console.log(`reliability on ${profile.name}, measured:\n${lines.join('\n')}`);
    });

    const scenario = (id: ScenarioId, title: string, timeoutMs: number, body: (context: TestContext) => Promise<object>): void => {
      const reason = skipped[id];
      if (reason !== undefined) {
        it.skip(`${title} (skipped on ${profile.name}: ${reason})`, () => undefined);
        return;
      }
      it(title, { timeout: timeoutMs }, async (context) => {
        if (!available) context.skip(`${profile.name} is not reachable at ${profile.connection}`);
        const started = Date.now();
        const result = await body(context);
        measured.push({ title, result, seconds: (Date.now() - started) / 1_000 });
      });
    };

    for (const { id, title, timeoutMs, run: body } of SCENARIOS) {
      scenario(id, title, timeoutMs, () => {
        run = new ScenarioRun(profile, id);
        return body(run);
      });
    }

    const restartTitle = '8. broker restart: every confirmed send handled, sends during the outage reject, workers resume';
    if (profile.startPrivateBroker === undefined && skipped.restart === undefined) {
      it.skip(`${restartTitle} (skipped on ${profile.name}: ${profile.restartUnsupported ?? 'the profile cannot start a private broker'})`, () => undefined);
    } else {
      scenario('restart', restartTitle, 90_000, () =>
        brokerRestart(profile, (started, privateBroker) => {
          run = started;
          broker = privateBroker;
        }),
      );
    }
  });
}
