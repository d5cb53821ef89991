import { describe, expect, it } from 'vitest';
import { PostgresInbox } from './inbox.js';
import { PostgresTransport } from './postgres-transport.js';
import { postgresSchemaSql } from './setup.js';

describe('PostgresTransport options', () => {
  it('a bad option reads as everywhere else: the owner, the option, the rule and the value received', () => {
    expect(() => new PostgresTransport({ pollIntervalMs: '5' as unknown as number })).toThrow(
      new TypeError('PostgresTransport option "pollIntervalMs" must be a finite number >= 1; got the string "5".'),
    );
    expect(() => new PostgresTransport({ notify: 'yes' as unknown as boolean })).toThrow(
      new TypeError('PostgresTransport option "notify" must be true or false; got the string "yes".'),
    );
    expect(() => new PostgresTransport(null as unknown as object)).toThrow(new TypeError('PostgresTransport option "options" must be an object; got null.'));
    expect(() => new PostgresTransport({ pool: {} as never })).toThrow(
      new TypeError('PostgresTransport option "pool" must be a pg.Pool (an object with query and connect methods); got a plain object.'),
    );
  });

  it('a schema or table name must be safe to quote into SQL, for the transport, postgresSchemaSql and the inbox alike', () => {
    const rule = 'a name of letters, digits and underscores, not starting with a digit, at most 50 characters';
    expect(() => new PostgresTransport({ table: 'a"b' })).toThrow(new TypeError(`PostgresTransport option "table" must be ${rule}; got the string "a\\"b".`));
    expect(() => postgresSchemaSql({ schema: '1x' })).toThrow(new TypeError(`postgresSchemaSql option "schema" must be ${rule}; got the string "1x".`));
    expect(() => new PostgresInbox({ table: 'x'.repeat(51) })).toThrow(`PostgresInbox option "table" must be ${rule}`);
    expect(() => new PostgresTransport({ table: 'same', deadLetterTable: 'same' })).toThrow('options "table" and "deadLetterTable" must differ');
  });

  it('a bad connection string is shown by its first 8 characters only, so its password stays out of the logs', () => {
    const connectionString = `postgres://user:secret@host/${'x'.repeat(10_000)}`;
    expect(() => new PostgresTransport({ connectionString })).toThrow(
      new TypeError(
        'PostgresTransport option "connectionString" must be a non-empty string of at most 10000 characters; got a string starting with "postgres".',
      ),
    );
  });
});
