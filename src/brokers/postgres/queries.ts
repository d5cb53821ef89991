import type { PostgresTables } from './options.js';

/** The text of every statement a transport runs on its tables, built once per transport. */
export interface PostgresQueries {
  readonly insert: string;
  readonly fetch: string;
  readonly nextDue: string;
  readonly ack: string;
  readonly retry: string;
  readonly extend: string;
  readonly release: string;
  readonly deadLetter: string;
  readonly listDeadLetters: string;
  readonly getDeadLetter: string;
  readonly redrive: string;
  readonly removeDeadLetters: string;
  /** A short tag unique to the tables, so prepared statement names never clash between transports. */
  readonly tag: string;
}

const MS = `* interval '1 millisecond'`;
const DEAD_LETTER_COLUMNS = `message_id, headers, body, delivery_count, reason_code, reason_message, (extract(epoch FROM failed_at) * 1000)::float8 AS failed_at`;

/**
 * Builds the statements for one set of tables. Every statement's first parameter is the queue.
 *
 * Unless `durableLeases`, taking, extending and releasing leases and acks commit without waiting
 * for the disk flush (`synchronous_commit` off for that transaction only): a database crash can
 * then forget the last of them, which only makes a message deliverable again, so nothing is
 * lost. Sends, retries and dead letters always wait for the flush.
 */
export function buildQueries(tables: PostgresTables, durableLeases: boolean): PostgresQueries {
  const { messages: M, deadLetters: D } = tables;
  const mine = `id = $2 AND lease_token = $3::uuid`;
  const noFlushTable = `(SELECT set_config('synchronous_commit', 'off', true)) AS no_flush`;
  const noFlush = durableLeases ? '' : `, ${noFlushTable}`;
  const fromNoFlush = durableLeases ? '' : ` FROM ${noFlushTable}`;
  return {
    // One multi-row INSERT per send, in the order given, from one binary parameter (see insertValues).
    insert: `INSERT INTO ${M} (queue, message_id, headers, body, not_before)
SELECT $1, convert_from(substring($2::bytea FROM m.start FOR m.id_length), 'UTF8'),
  convert_from(substring($2::bytea FROM m.start + m.id_length FOR m.headers_length), 'UTF8'),
  substring($2::bytea FROM m.start + m.id_length + m.headers_length FOR m.body_length),
  coalesce(to_timestamp(m.not_before / 1000.0), now())
FROM ROWS FROM (unnest($3::int4[]), unnest($4::int4[]), unnest($5::int4[]), unnest($6::int4[]), unnest($7::float8[]))
  WITH ORDINALITY AS m(start, id_length, headers_length, body_length, not_before, position)
ORDER BY m.position`,
    // Choosing rows and leasing them is one statement, so no row is handed to two consumers.
    fetch: `WITH due AS MATERIALIZED (
  SELECT id FROM ${M}
  WHERE queue = $1 AND not_before <= now() AND (lease_until IS NULL OR lease_until <= now())
  ORDER BY not_before, id
  LIMIT $2
  FOR UPDATE SKIP LOCKED
)
UPDATE ${M} AS m
SET lease_until = now() + $3 ${MS}, lease_token = $4::uuid, delivery_count = m.delivery_count + 1
FROM due${noFlush} WHERE m.id = due.id
RETURNING m.id::text AS id, m.message_id, m.headers, m.body, m.delivery_count`,
    // When the next delayed message is due, so that a waiting receive wakes then, not at its next poll.
    nextDue: `SELECT (extract(epoch FROM min(not_before)) * 1000)::float8 AS due FROM ${M} WHERE queue = $1 AND not_before > now()`,
    ack: `DELETE FROM ${M} AS m USING unnest($2::bigint[], $3::uuid[]) AS a(id, token)${noFlush}
WHERE m.queue = $1 AND m.id = a.id AND m.lease_token = a.token`,
    retry: `UPDATE ${M} SET headers = $4::text, not_before = now() + $5 ${MS}, lease_until = NULL, lease_token = NULL, delivery_count = 0
WHERE queue = $1 AND ${mine}`,
    extend: `UPDATE ${M} SET lease_until = now() + $4 ${MS}${fromNoFlush} WHERE queue = $1 AND ${mine}`,
    release: `UPDATE ${M} SET lease_until = NULL, lease_token = NULL${fromNoFlush} WHERE queue = $1 AND ${mine}`,
    // The DELETE and the INSERT are one statement: the message is in exactly one of the tables.
    deadLetter: `WITH moved AS (
  DELETE FROM ${M} WHERE queue = $1 AND ${mine}
  RETURNING queue, message_id, headers, body, delivery_count, created_at
)
INSERT INTO ${D} (queue, message_id, headers, body, delivery_count, reason_code, reason_message, created_at)
SELECT queue, message_id, coalesce($6::jsonb, headers::jsonb), body, delivery_count, $4, $5, created_at FROM moved
ON CONFLICT (queue, message_id) DO UPDATE SET headers = EXCLUDED.headers, body = EXCLUDED.body,
  delivery_count = EXCLUDED.delivery_count, reason_code = EXCLUDED.reason_code,
  reason_message = EXCLUDED.reason_message, failed_at = EXCLUDED.failed_at, created_at = EXCLUDED.created_at`,
    listDeadLetters: `SELECT ${DEAD_LETTER_COLUMNS} FROM ${D} WHERE queue = $1 ORDER BY failed_at, id LIMIT $2`,
    getDeadLetter: `SELECT ${DEAD_LETTER_COLUMNS} FROM ${D} WHERE queue = $1 AND message_id = $2`,
    redrive: `WITH moved AS (
  DELETE FROM ${D} WHERE queue = $1 AND ($2::text[] IS NULL OR message_id = ANY($2::text[]))
  RETURNING message_id, headers, body, failed_at, id
)
INSERT INTO ${M} (queue, message_id, headers, body)
SELECT $1, message_id, headers::text, body FROM moved ORDER BY failed_at, id`,
    removeDeadLetters: `DELETE FROM ${D} WHERE queue = $1 AND ($2::text[] IS NULL OR message_id = ANY($2::text[]))`,
    tag: hash(`${M}|${D}|${durableLeases}`),
  };
}

/** FNV-1a of a string, in base 36: short and stable across processes. */
function hash(text: string): string {
  let value = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    value ^= text.charCodeAt(index);
    value = Math.imul(value, 0x01000193) >>> 0;
  }
  return value.toString(36);
}
