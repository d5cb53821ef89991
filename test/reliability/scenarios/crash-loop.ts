import { expect } from 'vitest';
import { WorkCommand, WorkKind } from '../fixtures/work-command.js';
import type { WorkerProcess } from '../processes.js';
import type { ScenarioRun } from '../scenario-run.js';

/** What scenario 2 measured. */
export interface CrashLoopResult {
  readonly maxDeliveries: number;
  readonly poisonStarts: number;
  readonly restarts: number;
  readonly deadLetterCode: string | undefined;
  readonly othersHandled: number;
  readonly others: number;
}

/**
 * 2. Crash loop: one command's handler SIGKILLs its own process. A supervisor (this test)
 * restarts the worker whenever it dies. The command is started exactly `maxDeliveries` times,
 * then dead-lettered (`max-deliveries`) before its handler runs again; every other command
 * completes; the worker died exactly `maxDeliveries` times.
 *
 * Concurrency is 1: a crash takes down every message the process holds, so a message leased
 * beside the poison would share its fate (and its delivery count) on every crash.
 */
export async function crashLoop(run: ScenarioRun): Promise<CrashLoopResult> {
  const maxDeliveries = 3;
  const settings = { concurrency: 1, leaseMs: 1_000, maxDeliveries };
  const others = 30;
  const poisonSeq = 10;
  const commands = Array.from({ length: others + 1 }, (_, seq) => new WorkCommand(seq, seq === poisonSeq ? WorkKind.crash : WorkKind.ok, 5));
  const receipts = await run.send(commands);
  const poisonId = receipts[poisonSeq]!.id;
  const otherIds = receipts.filter((_, seq) => seq !== poisonSeq).map((receipt) => receipt.id);
  const { ledger } = run;

  // The supervisor: restart the worker whenever it dies, a bounded number of times.
  const maxRestarts = maxDeliveries + 2;
  let restarts = 0;
  let current: WorkerProcess | undefined = await run.startWorker(settings);
  let startFailure: Error | undefined;
  const done = (): boolean => {
    if (ledger.all('dead-lettered', (entry) => entry.id === poisonId).length === 0) return false;
    const handled = ledger.countById('handled');
    return otherIds.every((id) => handled.has(id));
  };
  await run.waitFor('the poison to be dead-lettered and the others handled', 60_000, () => {
    if (startFailure !== undefined) throw startFailure;
    if (done()) return true;
    if (current !== undefined && !current.alive) {
      if (restarts >= maxRestarts) throw new Error(`the worker died ${restarts + 1} times; the crash loop was not broken`);
      restarts++;
      current = undefined;
      // Started in the background, so that this loop keeps watching the ledger meanwhile.
      run.startWorker(settings).then(
        (worker) => (current = worker),
        (error: unknown) => (startFailure = error instanceof Error ? error : new Error(String(error))),
      );
    }
    return false;
  });

  const poisonStarts = ledger.all('start', (entry) => entry.id === poisonId);
  expect(
    poisonStarts.map((entry) => entry.dc),
    'delivery counts of the poison message at each start',
  ).toEqual(Array.from({ length: maxDeliveries }, (_, index) => index + 1));
  expect(restarts, 'worker restarts (one per crash)').toBe(maxDeliveries);
  const deadLettered = ledger.all('dead-lettered', (entry) => entry.id === poisonId);
  expect(
    deadLettered.map((entry) => entry.code),
    'dead-letter reason of the poison',
  ).toEqual(['max-deliveries']);

  const transport = await run.transport();
  const letter = await transport.deadLetters.get(poisonId);
  expect(letter?.reason.code, 'reason kept in the dead-letter store').toBe('max-deliveries');
  expect(letter?.deliveryCount, 'delivery count kept in the dead-letter store').toBe(maxDeliveries + 1);

  const handled = ledger.countById('handled');
  const othersHandled = otherIds.filter((id) => handled.get(id) === 1).length;
  expect(othersHandled, 'other commands handled exactly once').toBe(others);
  return { maxDeliveries, poisonStarts: poisonStarts.length, restarts, deadLetterCode: letter?.reason.code, othersHandled, others };
}
