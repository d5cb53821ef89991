/**
 * Child process of the outbox test: sends one Greet inside a transaction through
 * `withOutbox`, commits, prints the message id and kills itself with SIGKILL at once, before
 * anything else could run (no relay, no close).
 *
 * Run as `node --import tsx outbox-child.case.ts <connection string> <schema> <queue>`.
 */
import { writeSync } from 'node:fs';
import pg from 'pg';
import { Sender } from '../../sending/sender.js';
import { withOutbox } from './outbox.js';
import { PostgresTransport } from './postgres-transport.js';
import { Greet, testRegistry } from './test-database.case.js';

const [connectionString, schema, queue] = process.argv.slice(2) as [string, string, string];
const transport = new PostgresTransport({ connectionString, schema, queue });
const sender = new Sender({ routes: [[Greet, transport]], registry: testRegistry });
const client = new pg.Client({ connectionString });
await client.connect();
await client.query('BEGIN');
const receipt = await withOutbox(client, () => sender.send(new Greet('from a process killed after its commit')));
await client.query('COMMIT');
writeSync(1, `${receipt.id}\n`);
process.kill(process.pid, 'SIGKILL');
