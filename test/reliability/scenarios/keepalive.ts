import { expect } from 'vitest';
import { WorkCommand, WorkKind } from '../fixtures/work-command.js';
import { sleep, type ScenarioRun } from '../scenario-run.js';

/** What scenario 6 measured. */
export interface KeepaliveResult {
  readonly leaseMs: number;
  readonly handlerMs: number;
  readonly deliveries: number;
  readonly runs: number;
  readonly extendLeaseErrors: number;
}

/**
 * 6. Keepalive: a handler that runs 3.5 × the lease, with a second worker idle and polling the
 * whole time, is delivered once, run once and acked once: its lease is kept alive while its
 * worker lives.
 */
export async function keepalive(run: ScenarioRun): Promise<KeepaliveResult> {
  const leaseMs = 1_000;
  const handlerMs = 3_500;
  const settings = { concurrency: 2, leaseMs, receiveWaitMs: 100 };
  await Promise.all([run.startWorker(settings), run.startWorker(settings)]);
  const [receipt] = await run.send([new WorkCommand(0, WorkKind.ok, handlerMs)]);
  const id = receipt!.id;
  await run.waitHandled([id], handlerMs + 10_000);
  // A redelivery would show up within a lease of the expiry it followed; wait one more lease.
  await sleep(leaseMs + 500);
  const { ledger } = run;
  const deliveries = ledger.all('received', (entry) => entry.id === id);
  const runs = ledger.all('start', (entry) => entry.id === id);
  expect(
    deliveries.map((entry) => entry.dc),
    'deliveries of the long message',
  ).toEqual([1]);
  expect(runs.length, 'handler runs of the long message').toBe(1);
  expect(ledger.all('handled', (entry) => entry.id === id).length, 'acks of the long message').toBe(1);
  const extendLeaseErrors = ledger.all('error', (entry) => entry.during === 'extend-lease').length;
  expect(extendLeaseErrors, 'failed lease extensions').toBe(0);
  return { leaseMs, handlerMs, deliveries: deliveries.length, runs: runs.length, extendLeaseErrors };
}
