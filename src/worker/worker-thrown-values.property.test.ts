import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { thrownValue } from '../thrown-values.case.js';
import { encodeMessage } from '../envelope/envelope.js';
import { appendErrorHistory, readAttempt, readErrorHistory } from '../envelope/error-history.js';
import type { DeadLetter } from '../transport/transport.js';
import { catchingUnhandled, createKit, TestCommand, waitFor } from './test-kit.case.js';
import type { WorkerEvents } from './worker-events.js';

const MAX_ATTEMPTS = 2;

let kit = createKit();
afterEach(() => kit.stopAll());

describe('Worker, whatever a handler throws (property-based)', () => {
  it('retries every message until maxAttempts, then dead-letters it with a readable description and a history its reader accepts', async () => {
    await catchingUnhandled(async (unhandled) => {
      await fc.assert(
        fc.asyncProperty(fc.array(thrownValue, { minLength: 1, maxLength: 6 }), async (recipes) => {
          await kit.stopAll();
          const attempts = recipes.map(() => 0);
          kit = createKit({
            handler: (command) => {
              const index = Number(command.label);
              attempts[index] = (attempts[index] ?? 0) + 1;
              throw (recipes[index] as (typeof recipes)[number]).make();
            },
          });
          await kit.transport.send(recipes.map((_, index) => encodeMessage(new TestCommand(String(index)), { registry: kit.registry })));
          const worker = kit.worker({ concurrency: 4, retry: { maxAttempts: MAX_ATTEMPTS, baseMs: 1, capMs: 1 } });
          const errors: WorkerEvents['error'][] = [];
          worker.on('error', (event) => errors.push(event));
          worker.start();
          let letters: DeadLetter[] = [];
          await waitFor(() => {
            void kit.transport.deadLetters.list().then((listed) => (letters = listed));
            return letters.length === recipes.length || errors.length > 0 || unhandled.length > 0;
          }, `${recipes.length} dead letters`);
          expect(errors.map(({ during, error }) => `${during}: ${String(error)}`)).toEqual([]);
          expect(unhandled).toEqual([]);
          expect(attempts).toEqual(recipes.map(() => MAX_ATTEMPTS));
          for (const letter of letters) {
            const index = Number(JSON.parse(new TextDecoder().decode(letter.body)).label);
            const thrown = (recipes[index] as (typeof recipes)[number]).make();
            expect(letter.reason.code).toBe('max-attempts');
            expect(letter.reason.message).toMatch(new RegExp(`^All ${MAX_ATTEMPTS} attempts failed; the last with .`, 's'));
            const history = readErrorHistory(letter.headers);
            expect(readAttempt(letter.headers)).toBe(MAX_ATTEMPTS);
            // What the worker wrote is what appendErrorHistory writes for the value, read back.
            const expected = readErrorHistory(appendErrorHistory({}, thrown))[0];
            expect(history.map(({ name, message }) => ({ name, message }))).toEqual(
              Array.from({ length: MAX_ATTEMPTS }, () => ({ name: expected?.name, message: expected?.message })),
            );
            for (const entry of history) expect(entry.name).not.toBe('');
          }
        }),
        { numRuns: 25 },
      );
    });
  }, 30_000);
});
