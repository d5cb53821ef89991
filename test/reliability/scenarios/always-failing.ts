import { writeFileSync } from 'node:fs';
import { expect } from 'vitest';
import { readErrorHistory, readAttempt } from '../../../src/envelope/error-history.js';
import { WorkCommand, WorkKind } from '../fixtures/work-command.js';
import type { ScenarioRun } from '../scenario-run.js';

/** What scenario 4 measured. */
export interface AlwaysFailingResult {
  readonly messages: number;
  readonly maxAttempts: number;
  readonly attemptsEach: readonly number[];
  /** Per retry: the delay the worker chose, its ceiling, and the gap actually seen (fail to next start). */
  readonly gaps: readonly { readonly attempt: number; readonly delayMs: number; readonly ceilingMs: number; readonly gapMs: number }[];
  readonly historyLengths: readonly number[];
  readonly redriven: number;
  readonly runsAfterRedrive: readonly number[];
  /** The `attempt` the handler saw after the redrive (the header is kept as it was). */
  readonly attemptsAfterRedrive: readonly number[];
}

/** How late a due retry may start: the consumer's wait between polls plus scheduling slack. */
const LATE_SLACK_MS = 1_000;

/**
 * 4. Always-failing handler: each message runs exactly `maxAttempts` times; every delay the
 * worker picks lies in `[0, min(cap, base × factor^(n-1))]`, and the next attempt starts no
 * earlier than that delay after the failure (and not much later); then the message is
 * dead-lettered (`max-attempts`) with its error history. After a fix, a redrive runs each
 * exactly once more, successfully, on a fresh delivery count.
 */
export async function alwaysFailing(run: ScenarioRun): Promise<AlwaysFailingResult> {
  const retry = { maxAttempts: 4, baseMs: 150, factor: 2, capMs: 400 };
  const ceiling = (attempt: number): number => Math.min(retry.capMs, retry.baseMs * retry.factor ** (attempt - 1));
  const messages = 3;
  await run.startWorker({ concurrency: 4, retry });
  const receipts = await run.send(Array.from({ length: messages }, (_, seq) => new WorkCommand(seq, WorkKind.fail)));
  const ids = receipts.map((receipt) => receipt.id);
  const { ledger } = run;
  await run.waitFor('every failing message to be dead-lettered', 30_000, () =>
    ids.every((id) => ledger.all('dead-lettered', (entry) => entry.id === id).length > 0),
  );

  const gaps: { attempt: number; delayMs: number; ceilingMs: number; gapMs: number }[] = [];
  const attemptsEach: number[] = [];
  const historyLengths: number[] = [];
  const transport = await run.transport();
  for (const id of ids) {
    const starts = ledger.all('start', (entry) => entry.id === id);
    const fails = ledger.all('fail', (entry) => entry.id === id);
    const retries = ledger.all('retried', (entry) => entry.id === id);
    attemptsEach.push(starts.length);
    expect(starts.length, `attempts of ${id}`).toBe(retry.maxAttempts);
    expect(
      starts.map((entry) => entry.attempt),
      `attempt numbers of ${id}`,
    ).toEqual(Array.from({ length: retry.maxAttempts }, (_, index) => index + 1));
    expect(retries.length, `retries scheduled for ${id}`).toBe(retry.maxAttempts - 1);
    for (const [index, scheduled] of retries.entries()) {
      const attempt = index + 1;
      const gapMs = starts[index + 1]!.t - fails[index]!.t;
      gaps.push({ attempt, delayMs: scheduled.delayMs, ceilingMs: ceiling(attempt), gapMs });
      expect(scheduled.delayMs, `delay after attempt ${attempt} of ${id}`).toBeGreaterThanOrEqual(0);
      expect(scheduled.delayMs, `delay after attempt ${attempt} of ${id}`).toBeLessThanOrEqual(ceiling(attempt));
      // Clocks are read in whole milliseconds by two calls in one process, hence the 2 ms.
      expect(gapMs, `gap after attempt ${attempt} of ${id} (delay ${scheduled.delayMs} ms)`).toBeGreaterThanOrEqual(scheduled.delayMs - 2);
      expect(gapMs, `gap after attempt ${attempt} of ${id} (delay ${scheduled.delayMs} ms)`).toBeLessThanOrEqual(scheduled.delayMs + LATE_SLACK_MS);
    }
    const letter = await transport.deadLetters.get(id);
    expect(letter?.reason.code, `dead-letter reason of ${id}`).toBe('max-attempts');
    expect(letter?.reason.message, `dead-letter explanation of ${id}`).toContain('always fails');
    const history = readErrorHistory(letter?.headers ?? {});
    historyLengths.push(history.length);
    // The dead letter's headers carry the error of every attempt, the last one included.
    expect(history.length, `error history of ${id}`).toBe(retry.maxAttempts);
    expect(
      history.every((record) => record.message.includes('always fails')),
      `error history messages of ${id}`,
    ).toBe(true);
    expect(readAttempt(letter?.headers ?? {}), `attempt header of the dead letter ${id}`).toBe(retry.maxAttempts);
  }

  writeFileSync(run.fixFile, 'fixed');
  const redriven = await transport.deadLetters.redrive(ids);
  expect(redriven, 'dead letters redriven').toBe(messages);
  const handledAt = await run.waitHandled(ids, 15_000);
  // Give a duplicate the chance to show before counting.
  await run.waitFor('a quiet moment', 2_000, () => Date.now() - handledAt > 500);
  const runsAfterRedrive: number[] = [];
  const attemptsAfterRedrive: number[] = [];
  for (const id of ids) {
    const after = ledger.all('start', (entry) => entry.id === id).slice(retry.maxAttempts);
    runsAfterRedrive.push(after.length);
    expect(after.length, `runs of ${id} after the redrive`).toBe(1);
    // Redrive keeps the headers as they were (attempt included) and starts a fresh delivery count.
    expect(after[0]?.dc, `delivery count of ${id} after the redrive`).toBe(1);
    attemptsAfterRedrive.push(after[0]?.attempt ?? 0);
    expect(ledger.all('end', (entry) => entry.id === id).length, `successful runs of ${id}`).toBe(1);
    expect(ledger.all('handled', (entry) => entry.id === id).length, `acknowledgements of ${id}`).toBe(1);
  }
  const left = await transport.deadLetters.list();
  expect(
    left.filter((letter) => ids.includes(letter.id)).map((letter) => letter.id),
    'dead letters left after the redrive',
  ).toEqual([]);
  return { messages, maxAttempts: retry.maxAttempts, attemptsEach, gaps, historyLengths, redriven, runsAfterRedrive, attemptsAfterRedrive };
}
