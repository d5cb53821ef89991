import { expect } from 'vitest';
import { WorkCommand, WorkKind } from '../fixtures/work-command.js';
import { sleep, type ScenarioRun } from '../scenario-run.js';

/** What scenario 5 measured. */
export interface GracefulShutdownResult {
  readonly shortCompleted: number;
  readonly longAborted: number;
  readonly exitCode: number | null;
  readonly exitAfterSignalMs: number;
  readonly abortAfterSignalMs: number;
  readonly maxRedeliveryAfterReleaseMs: number;
  readonly shutdownTimeoutMs: number;
  readonly leaseMs: number;
}

/**
 * 5. Graceful shutdown: worker A runs 3 short handlers (1.2 s) and 3 long ones (60 s) when it
 * gets SIGTERM. It takes nothing new after the signal; the short ones finish and are acked by
 * A; the long ones are aborted at `shutdownTimeoutMs` and released; worker B (started before,
 * held idle until the signal) starts each released one within 1 s, far sooner than the lease;
 * A exits with code 0.
 */
export async function gracefulShutdown(run: ScenarioRun): Promise<GracefulShutdownResult> {
  const leaseMs = 4_000;
  const shutdownTimeoutMs = 2_000;
  const settings = { concurrency: 6, leaseMs, shutdownTimeoutMs, receiveWaitMs: 100 };
  const [a, b] = await Promise.all([run.startWorker(settings), run.startWorker({ ...settings, held: true })]);
  const shortOnes = Array.from({ length: 3 }, (_, seq) => new WorkCommand(seq, WorkKind.ok, 1_200));
  const longOnes = Array.from({ length: 3 }, (_, seq) => new WorkCommand(10 + seq, WorkKind.ok, 60_000, 20));
  const receipts = await run.send([...shortOnes, ...longOnes]);
  const shortIds = receipts.slice(0, 3).map((receipt) => receipt.id);
  const longIds = receipts.slice(3).map((receipt) => receipt.id);
  const { ledger } = run;
  await run.waitFor('worker A to run all six handlers', 10_000, () => ledger.all('start', (entry) => entry.pid === a.pid).length === 6);

  b.signal('SIGUSR2');
  await sleep(200);
  const signalledAt = Date.now();
  a.signal('SIGTERM');
  const exit = await a.exited;
  expect(exit.code, `exit code of worker A after SIGTERM\n${run.logOf(a)}`).toBe(0);
  const exitAfterSignalMs = exit.at - signalledAt;
  expect(exitAfterSignalMs, 'time from SIGTERM to exit, ms').toBeLessThan(shutdownTimeoutMs + 3_000);
  expect(
    ledger.all('received', (entry) => entry.pid === a.pid && entry.t > signalledAt),
    'deliveries A received after the signal',
  ).toEqual([]);

  for (const id of shortIds) {
    expect(
      ledger.all('start', (entry) => entry.id === id).map((entry) => entry.pid),
      `runs of short ${id}`,
    ).toEqual([a.pid]);
    const [end] = ledger.all('end', (entry) => entry.id === id && entry.pid === a.pid);
    expect(end?.t, `short ${id} finished after the signal (it was in flight)`).toBeGreaterThan(signalledAt);
    expect(
      ledger.all('handled', (entry) => entry.id === id).map((entry) => entry.pid),
      `acks of short ${id}`,
    ).toEqual([a.pid]);
  }

  await run.waitHandled(longIds, 10_000);
  let abortAfterSignalMs = 0;
  let maxRedeliveryAfterReleaseMs = 0;
  for (const id of longIds) {
    const aborted = ledger.all('abort', (entry) => entry.id === id && entry.pid === a.pid);
    expect(aborted.length, `long ${id} aborted in A`).toBe(1);
    abortAfterSignalMs = Math.max(abortAfterSignalMs, aborted[0]!.t - signalledAt);
    const released = ledger.all('released', (entry) => entry.id === id && entry.pid === a.pid);
    expect(released.length, `long ${id} released by A`).toBe(1);
    const inB = ledger.all('start', (entry) => entry.id === id && entry.pid === b.pid);
    expect(inB.length, `long ${id} started in B`).toBe(1);
    expect(inB[0]!.dc, `delivery count of long ${id} in B`).toBeGreaterThanOrEqual(2);
    maxRedeliveryAfterReleaseMs = Math.max(maxRedeliveryAfterReleaseMs, inB[0]!.t - released[0]!.t);
    expect(
      ledger.all('handled', (entry) => entry.id === id).map((entry) => entry.pid),
      `acks of long ${id}`,
    ).toEqual([b.pid]);
  }
  expect(abortAfterSignalMs, 'abort time of the long handlers after SIGTERM, ms').toBeGreaterThanOrEqual(shutdownTimeoutMs - 50);
  expect(abortAfterSignalMs, 'abort time of the long handlers after SIGTERM, ms').toBeLessThan(shutdownTimeoutMs + 1_000);
  // "At once": well within the lease, which would otherwise have to expire first.
  expect(maxRedeliveryAfterReleaseMs, 'slowest redelivery after release, ms').toBeLessThan(Math.min(1_000, leaseMs / 2));
  return {
    shortCompleted: shortIds.length,
    longAborted: longIds.length,
    exitCode: exit.code,
    exitAfterSignalMs,
    abortAfterSignalMs,
    maxRedeliveryAfterReleaseMs,
    shutdownTimeoutMs,
    leaseMs,
  };
}
