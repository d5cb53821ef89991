import { expect } from 'vitest';
import { WorkCommand, WorkKind } from '../fixtures/work-command.js';
import type { ScenarioRun } from '../scenario-run.js';

/** What scenario 1 measured. */
export interface SigkillResult {
  readonly commands: number;
  readonly handledBeforeKill: number;
  readonly inFlightAtKill: number;
  readonly lost: number;
  readonly duplicates: number;
  readonly maxRedeliveryMs: number;
  readonly leaseMs: number;
}

/**
 * 1. SIGKILL mid-handle: worker A (concurrency 8) is killed with SIGKILL while at least 8
 * handlers run; worker B starts consuming at the kill. Nothing is lost, only messages in flight
 * at the kill run twice, and each of those reaches B within 2 × lease of the kill, with a
 * delivery count of at least 2.
 */
export async function sigkillMidHandle(run: ScenarioRun): Promise<SigkillResult> {
  const commands = 1_000;
  const leaseMs = 2_000;
  const settings = { concurrency: 8, leaseMs };
  // B is started now but held (set up, not consuming) until the kill, so the redelivery time
  // measures the broker and the transport, not how long a fresh process takes to boot.
  const [a, b] = await Promise.all([run.startWorker(settings), run.startWorker({ ...settings, held: true })]);
  // 60 to 149 ms each (about 13 s of work for one worker at concurrency 8), except the 16 after
  // the first 150, which take 2.5 s: once A has handled the first 150, its 8 handlers are long
  // ones, so the 8 seen running are still running when the kill lands a poll later (with only
  // short handlers, one could end, and be acked, between the poll and the kill).
  const duration = (seq: number): number => (seq >= 150 && seq < 166 ? 2_500 : 60 + ((seq * 7) % 90));
  const receipts = await run.send(Array.from({ length: commands }, (_, seq) => new WorkCommand(seq, WorkKind.ok, duration(seq))));
  const ids = receipts.map((receipt) => receipt.id);
  const { ledger } = run;

  await run.waitFor('worker A to have handled 150 messages with 8 in flight', 30_000, () => {
    const handled = ledger.all('handled', (entry) => entry.pid === a.pid).length;
    return handled >= 150 && ledger.unacknowledgedBy(a.pid).size >= 8;
  });
  await a.kill();
  const killedAt = a.exit?.at ?? Date.now();
  // The ledger is complete now: A wrote its lines synchronously and can write no more.
  const inFlight = ledger.unacknowledgedBy(a.pid);
  const handledBeforeKill = ledger.all('handled', (entry) => entry.pid === a.pid).length;
  expect(inFlight.size, 'messages in flight in worker A at the SIGKILL').toBeGreaterThanOrEqual(8);

  // A handler that ended in A just before the kill may have had its ack reach the broker
  // without A living to log it: its work was done, and B may or may not run it again.
  const endedInA = new Set(ledger.all('end', (entry) => entry.pid === a.pid && inFlight.has(entry.id)).map((entry) => entry.id));
  b.signal('SIGUSR2');
  await run.waitFor(`${ids.length} messages to be handled`, 60_000, () => {
    const done = ledger.countById('handled');
    return ids.every((id) => done.has(id) || endedInA.has(id));
  });

  const handled = ledger.countById('handled');
  const lost = ids.filter((id) => !handled.has(id) && !endedInA.has(id));
  expect(lost, 'messages never handled (lost)').toEqual([]);

  const starts = ledger.countById('start');
  const duplicated = [...starts].filter(([, count]) => count > 1);
  const duplicates = duplicated.reduce((sum, [, count]) => sum + count - 1, 0);
  const shown = duplicated.slice(0, 10).map(([id]) => id);
  expect(duplicates, `duplicate handler runs (first ids: ${shown.join(', ')})`).toBeLessThanOrEqual(inFlight.size);
  expect(
    duplicated.every(([id]) => inFlight.has(id)),
    'only messages in flight at the kill run twice',
  ).toBe(true);

  let maxRedeliveryMs = 0;
  for (const id of inFlight) {
    const redelivered = ledger.all('start', (entry) => entry.id === id && entry.pid === b.pid);
    if (endedInA.has(id)) {
      expect(redelivered.length, `orphan ${id}, which ended in A before the kill, started at most once in worker B`).toBeLessThanOrEqual(1);
      if (redelivered.length === 0) continue;
    } else {
      expect(redelivered.length, `orphan ${id} started once in worker B`).toBe(1);
    }
    const [first] = redelivered as [(typeof redelivered)[number]];
    expect(first.dc, `delivery count of orphan ${id} in worker B`).toBeGreaterThanOrEqual(2);
    maxRedeliveryMs = Math.max(maxRedeliveryMs, first.t - killedAt);
  }
  expect(maxRedeliveryMs, 'slowest orphan redelivery after the kill, in ms').toBeLessThanOrEqual(2 * leaseMs);
  return { commands, handledBeforeKill, inFlightAtKill: inFlight.size, lost: lost.length, duplicates, maxRedeliveryMs, leaseMs };
}
