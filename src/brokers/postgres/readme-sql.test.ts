import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PostgresInbox } from './inbox.js';
import { postgresSchemaSql } from './setup.js';

const readme = readFileSync(new URL('./README.md', import.meta.url), 'utf8');
const block = /## Schema for teams that run migrations themselves[\s\S]*?```sql\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
const [schemaPart = '', inboxPart = ''] = block.split('-- the inbox (optional)\n');

describe('the schema SQL in the PostgreSQL README', () => {
  it('is what postgresSchemaSql() and new PostgresInbox().sql() return', () => {
    expect(schemaPart.trim()).toBe(postgresSchemaSql().trim());
    expect(inboxPart.trim()).toBe(new PostgresInbox().sql().trim());
  });
});
