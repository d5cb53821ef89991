import { describe, expect, it } from 'vitest';
import { appendErrorHistory, readAttempt, readErrorHistory, summarizeError } from './error-history.js';
import { MessageDecodeError } from './message-decode-error.js';

const base = { 'message-id': 'id-1', 'message-name': 'billing.send-invoice' };

describe('appendErrorHistory', () => {
  it('raises the attempt and records the error with its name, message and time', () => {
    const headers = appendErrorHistory(base, new TypeError('card declined'), { now: Date.UTC(2024, 0, 1) });
    expect(headers).toEqual({
      ...base,
      attempt: '2',
      'error-history': '[{"name":"TypeError","message":"card declined","at":"2024-01-01T00:00:00.000Z"}]',
    });
    expect(readAttempt(headers)).toBe(2);
    expect(readErrorHistory(headers)).toEqual([{ name: 'TypeError', message: 'card declined', at: new Date(Date.UTC(2024, 0, 1)) }]);
  });

  it('returns new headers and leaves the given ones unchanged', () => {
    const given = { ...base };
    appendErrorHistory(given, new Error('x'));
    expect(given).toEqual(base);
  });

  it('keeps only the last `limit` errors while the attempt keeps counting', () => {
    let headers: Record<string, string> = base;
    for (let failure = 1; failure <= 15; failure++) headers = appendErrorHistory(headers, new Error(`failure ${failure}`), { limit: 10 });
    expect(readAttempt(headers)).toBe(16);
    expect(readErrorHistory(headers).map((entry) => entry.message)).toEqual(Array.from({ length: 10 }, (_, i) => `failure ${i + 6}`));
  });

  it('defaults the limit to 10', () => {
    let headers: Record<string, string> = base;
    for (let failure = 1; failure <= 12; failure++) headers = appendErrorHistory(headers, new Error(`failure ${failure}`));
    expect(readErrorHistory(headers)).toHaveLength(10);
  });

  it('cuts long messages so headers stay small', () => {
    const headers = appendErrorHistory(base, new Error('x'.repeat(10_000)), { maxMessageLength: 20 });
    expect(readErrorHistory(headers)[0]?.message).toBe(`${'x'.repeat(19)}…`);
    expect(readErrorHistory(appendErrorHistory(base, new Error('y'.repeat(600))))[0]?.message).toHaveLength(500);
  });

  it('records thrown non-errors readably', () => {
    expect(readErrorHistory(appendErrorHistory(base, 'boom'))[0]).toMatchObject({ name: 'non-error', message: 'boom' });
    expect(readErrorHistory(appendErrorHistory(base, 42))[0]).toMatchObject({ name: 'non-error', message: 'the number 42' });
  });

  it('writes a history its reader accepts whatever was thrown (a numeric name, an object message, a symbol, a revoked proxy)', () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const thrown = [Object.assign(new Error('x'), { name: 42, message: { code: 'E42' } }), Symbol('s'), Object.create(null) as object, proxy, 10n, undefined];
    let headers: Record<string, string> = base;
    for (const error of thrown) headers = appendErrorHistory(headers, error);
    expect(readErrorHistory(headers).map(({ name, message }) => [name, message])).toEqual([
      ['the number 42', 'a plain object'],
      ['non-error', 'the symbol Symbol(s)'],
      ['non-error', 'a plain object'],
      ['non-error', 'a value that cannot be inspected'],
      ['non-error', 'the bigint 10'],
      ['non-error', 'undefined'],
    ]);
    expect(readAttempt(headers)).toBe(thrown.length + 1);
  });

  it('never cuts a message between the two halves of a surrogate pair', () => {
    const headers = appendErrorHistory(base, new Error(`${'x'.repeat(18)}😀😀`), { maxMessageLength: 20 });
    expect(readErrorHistory(headers)[0]?.message).toBe(`${'x'.repeat(18)}…`);
    expect(readErrorHistory(appendErrorHistory(base, new Error(`${'x'.repeat(17)}😀😀`), { maxMessageLength: 20 }))[0]?.message).toBe(`${'x'.repeat(17)}😀…`);
  });

  it('refuses malformed existing headers with an undecodable MessageDecodeError', () => {
    for (const headers of [
      { attempt: 'two' },
      { attempt: '0' },
      { 'error-history': 'not json' },
      { 'error-history': '{}' },
      { 'error-history': '[{"name":"E"}]' },
    ]) {
      let caught: unknown;
      try {
        appendErrorHistory(headers, new Error('x'));
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(MessageDecodeError);
      expect((caught as MessageDecodeError).reason).toBe('undecodable');
    }
  });

  it('rejects invalid options with TypeErrors naming them', () => {
    expect(() => appendErrorHistory(base, new Error('x'), { limit: 0 })).toThrow(/appendErrorHistory option "limit" must be an integer >= 1; got the number 0/);
    expect(() => appendErrorHistory(base, new Error('x'), { now: Number.NaN })).toThrow(/appendErrorHistory option "now" must be a valid Date/);
  });
});

describe('readAttempt and readErrorHistory', () => {
  it('read a message without those headers as attempt 1 with no errors', () => {
    expect(readAttempt(base)).toBe(1);
    expect(readErrorHistory(base)).toEqual([]);
  });
});

describe('summarizeError', () => {
  it('says Name: message for an Error, the message alone for anything else, cut to a length', () => {
    expect(summarizeError(new TypeError('bad card'))).toBe('TypeError: bad card');
    expect(summarizeError(new Error())).toBe('Error');
    expect(summarizeError('boom')).toBe('boom');
    expect(summarizeError(Symbol('s'))).toBe('the symbol Symbol(s)');
    expect(summarizeError(new Error('y'.repeat(100)), 10)).toBe('Error: yy…');
  });
});
