import { expect } from 'vitest';
import { WorkCommand } from '../fixtures/work-command.js';
import type { ScenarioRun } from '../scenario-run.js';

/** What scenario 7 measured. */
export interface CompetingConsumersResult {
  readonly workers: number;
  readonly commands: number;
  readonly perWorker: readonly number[];
  readonly notExactlyOnce: number;
  readonly seconds: number;
  readonly perSecond: number;
}

/**
 * 7. Competing consumers: 4 worker processes share one queue of 10,000 commands, with no
 * crash: every command is delivered, run and acked exactly once, and every worker takes part.
 */
export async function competingConsumers(run: ScenarioRun): Promise<CompetingConsumersResult> {
  const workerCount = 4;
  const commands = 10_000;
  const settings = { concurrency: 8, leaseMs: 5_000 };
  const workers = await Promise.all(Array.from({ length: workerCount }, () => run.startWorker(settings, 60_000)));
  const started = Date.now();
  const receipts = await run.send(Array.from({ length: commands }, (_, seq) => new WorkCommand(seq)));
  const ids = receipts.map((receipt) => receipt.id);
  const finished = await run.waitHandled(ids, 120_000);
  // Give a duplicate the chance to show before counting.
  await run.waitFor('a quiet moment', 2_000, () => Date.now() - finished > 300);

  const { ledger } = run;
  const received = ledger.countById('received');
  const starts = ledger.countById('start');
  const handled = ledger.countById('handled');
  const wrong = ids.filter((id) => received.get(id) !== 1 || starts.get(id) !== 1 || handled.get(id) !== 1);
  expect(wrong.length, `commands not received, run and acked exactly once (first: ${wrong.slice(0, 5).join(', ')})`).toBe(0);
  expect(ledger.all('dead-lettered'), 'dead letters').toEqual([]);
  const perWorker = workers.map((worker) => ledger.all('handled', (entry) => entry.pid === worker.pid).length);
  expect(Math.min(...perWorker), `commands handled by the least busy worker (all: ${perWorker.join(', ')})`).toBeGreaterThan(0);
  const seconds = (finished - started) / 1_000;
  return { workers: workerCount, commands, perWorker, notExactlyOnce: wrong.length, seconds, perSecond: Math.round(commands / seconds) };
}
