import fc from 'fast-check';
import { describe as group, expect, it } from 'vitest';
import { describe, describeThrown } from './describe.js';
import { thrownValue } from './thrown-values.case.js';
import { appendErrorHistory, readErrorHistory, summarizeError } from './envelope/error-history.js';

group('describing a thrown value (property-based)', () => {
  it('never throws, and always gives a non-empty name and a string message', () => {
    fc.assert(
      fc.property(thrownValue, (recipe) => {
        const thrown = recipe.make();
        const { name, message } = describeThrown(thrown);
        expect(typeof name).toBe('string');
        expect(name).not.toBe('');
        expect(typeof message).toBe('string');
        expect(summarizeError(thrown)).not.toBe('');
      }),
      { numRuns: 400 },
    );
  });

  it('writes an error history its reader accepts, holding what describeThrown says (cut to the limits)', () => {
    fc.assert(
      fc.property(fc.array(thrownValue, { minLength: 1, maxLength: 4 }), (recipes) => {
        const thrown = recipes.map((recipe) => recipe.make());
        let headers: Record<string, string> = {};
        for (const value of thrown) headers = appendErrorHistory(headers, value);
        const history = readErrorHistory(headers);
        expect(history).toHaveLength(thrown.length);
        history.forEach((entry, index) => {
          const described = describeThrown(thrown[index]);
          expect(described.name.startsWith(entry.name.replace(/…$/, ''))).toBe(true);
          expect(described.message.startsWith(entry.message.replace(/…$/, ''))).toBe(true);
          expect(entry.name.length).toBeLessThanOrEqual(100);
          expect(entry.message.length).toBeLessThanOrEqual(500);
        });
      }),
      { numRuns: 200 },
    );
  });

  it('describes any ordinary value without throwing', () => {
    fc.assert(
      fc.property(
        fc.anything({ withBigInt: true, withBoxedValues: true, withMap: true, withSet: true, withNullPrototype: true, withTypedArray: true, withDate: true }),
        (value) => {
          expect(describe(value)).not.toBe('');
        },
      ),
      { numRuns: 300 },
    );
  });
});
