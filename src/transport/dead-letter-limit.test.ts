import { describe, expect, it } from 'vitest';
import { deadLetterLimit } from './dead-letter-limit.js';

describe('deadLetterLimit', () => {
  it('is 100 without options or limit, and the limit given otherwise', () => {
    expect(deadLetterLimit('T', undefined)).toBe(100);
    expect(deadLetterLimit('T', {})).toBe(100);
    expect(deadLetterLimit('T', { limit: 3 })).toBe(3);
  });

  it('refuses a limit that is not an integer >= 1, in the option checker words', () => {
    expect(() => deadLetterLimit('T', { limit: 0 })).toThrow('T deadLetters.list option "limit" must be an integer >= 1; got the number 0.');
    expect(() => deadLetterLimit('T', { limit: 1.5 })).toThrow(TypeError);
  });
});
