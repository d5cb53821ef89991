import { describe, expect, it } from 'vitest';
import { booleanOption, functionOption, invalidOption, numberOption, numberRuleText, objectOption, oneOfOption, stringOption } from './check-option.js';

describe('invalidOption', () => {
  it('names the owner, the option, the rule and the value as the core describes it', () => {
    const error = invalidOption('Worker', 'concurrency', 'an integer >= 1', '5');
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe('Worker option "concurrency" must be an integer >= 1; got the string "5".');
  });
});

describe('numberOption', () => {
  const rule = { min: 1, integer: true } as const;

  it('returns the value, or the fallback when it is undefined', () => {
    expect(numberOption('X', 'n', 3, 7, rule)).toBe(3);
    expect(numberOption('X', 'n', undefined, 7, rule)).toBe(7);
  });

  it('requires the option when the fallback is undefined', () => {
    expect(() => numberOption('X', 'n', undefined, undefined, rule)).toThrow('X option "n" must be an integer >= 1; got undefined.');
  });

  it.each([0, 1.5, 2 ** 53, Infinity, NaN, '2', null])('refuses %s for an integer >= 1', (value) => {
    expect(() => numberOption('X', 'n', value, 1, rule)).toThrow(TypeError);
  });

  it('allows Infinity only when the rule says so', () => {
    expect(numberOption('X', 'n', Infinity, 1, { min: 1, integer: true, infinite: true })).toBe(Infinity);
    expect(() => numberOption('X', 'n', -Infinity, 1, { min: 1, infinite: true })).toThrow(TypeError);
  });

  it('keeps the maximum', () => {
    expect(numberOption('X', 'n', 500, 1, { min: 1, max: 500 })).toBe(500);
    expect(() => numberOption('X', 'n', 501, 1, { min: 1, max: 500, integer: true })).toThrow(
      'X option "n" must be an integer from 1 to 500; got the number 501.',
    );
  });

  it('says the rule in words, with its note', () => {
    expect(numberRuleText({ min: 0 })).toBe('a finite number >= 0');
    expect(numberRuleText({ min: 1, integer: true, infinite: true, note: 'milliseconds' })).toBe('an integer >= 1 or Infinity (milliseconds)');
  });
});

describe('stringOption', () => {
  it('returns a non-empty string, or the fallback', () => {
    expect(stringOption('X', 's', 'a', 'b')).toBe('a');
    expect(stringOption('X', 's', undefined, 'b')).toBe('b');
  });

  it('refuses an empty string, another type and a string too long', () => {
    expect(() => stringOption('X', 's', '', 'b')).toThrow('X option "s" must be a non-empty string; got the string "".');
    expect(() => stringOption('X', 's', 5, 'b')).toThrow('X option "s" must be a non-empty string; got the number 5.');
    expect(() => stringOption('X', 's', 'abc', 'b', { maxLength: 2 })).toThrow('must be a non-empty string of at most 2 characters; got the string "abc".');
  });

  it('matches the pattern and says the rule given', () => {
    const rule = { pattern: /^[a-z]+$/, rule: 'lowercase letters' };
    expect(stringOption('X', 's', 'abc', 'b', rule)).toBe('abc');
    expect(() => stringOption('X', 's', 'a.c', 'b', rule)).toThrow('X option "s" must be lowercase letters; got the string "a.c".');
  });

  it('shows only the first 8 characters of a secret', () => {
    const rule = { pattern: /^redis:/, rule: 'a redis:// URL', secret: true };
    expect(() => stringOption('X', 'url', 'http://user:password@host', undefined, rule)).toThrow(
      'X option "url" must be a redis:// URL; got a string starting with "http://u".',
    );
  });
});

describe('booleanOption', () => {
  it('returns a boolean or the fallback, and refuses anything else', () => {
    expect(booleanOption('X', 'b', false, true)).toBe(false);
    expect(booleanOption('X', 'b', undefined, true)).toBe(true);
    expect(() => booleanOption('X', 'b', 'yes', true)).toThrow('X option "b" must be true or false; got the string "yes".');
  });
});

describe('oneOfOption', () => {
  it('returns an allowed value or the fallback, and lists the allowed values', () => {
    const allowed = ['file', 'memory'] as const;
    expect(oneOfOption('X', 'storage', 'memory', 'file', allowed)).toBe('memory');
    expect(oneOfOption('X', 'storage', undefined, 'file', allowed)).toBe('file');
    expect(() => oneOfOption('X', 'storage', 'disk', 'file', allowed)).toThrow('X option "storage" must be "file" or "memory"; got the string "disk".');
    expect(() => oneOfOption('X', 'n', 4, 1, [1, 2, 3])).toThrow('must be 1, 2 or 3; got the number 4.');
  });
});

describe('objectOption', () => {
  it('returns the object, {} for undefined, and refuses null, arrays and primitives', () => {
    const given = { a: 1 };
    expect(objectOption('X', 'options', given)).toBe(given);
    expect(objectOption('X', 'options', undefined)).toEqual({});
    expect(() => objectOption('X', 'options', null)).toThrow('X option "options" must be an object; got null.');
    expect(() => objectOption('X', 'options', [])).toThrow('must be an object; got an instance of Array.');
    expect(() => objectOption('X', 'options', 5)).toThrow(TypeError);
  });
});

describe('functionOption', () => {
  it('returns the function or the fallback, and says the rule given', () => {
    const random = (): number => 0.5;
    expect(functionOption('X', 'random', random, Math.random)).toBe(random);
    expect(functionOption('X', 'random', undefined, Math.random)).toBe(Math.random);
    expect(() => functionOption('X', 'random', 5, Math.random, 'a function returning a number in [0, 1)')).toThrow(
      'X option "random" must be a function returning a number in [0, 1); got the number 5.',
    );
  });
});
