import { expect } from 'vitest';
import { encodeMessage } from '../../../src/envelope/envelope.js';
import { MessageHeader } from '../../../src/envelope/message-headers.js';
import { newMessageId } from '../../../src/envelope/message-id.js';
import type { RawMessage } from '../broker-profile.js';
import { WorkCommand, workRegistry } from '../fixtures/work-command.js';
import type { ScenarioRun } from '../scenario-run.js';

/** What scenario 3 measured, per malformed message. */
export interface MalformedResult {
  readonly cases: readonly { readonly label: string; readonly code: string | undefined; readonly attempts: number; readonly bytesKept: boolean }[];
  readonly validHandled: number;
  readonly workerAlive: boolean;
  readonly exitCode: number | null;
}

const encoder = new TextEncoder();

/** A raw message with valid envelope headers for `reliability.work`, then changed by `change`. */
function raw(change: (headers: Record<string, string>) => void, body: Uint8Array): RawMessage {
  const id = newMessageId();
  const template = encodeMessage(new WorkCommand(0), { registry: workRegistry, id });
  const headers = { ...template.headers };
  change(headers);
  return { id, headers, body };
}

/**
 * 3. Malformed input written straight into the broker, past the sender: invalid JSON, an
 * empty body, an unknown message name, and a payload the zod schema refuses. Each is
 * dead-lettered after one delivery, with the expected reason code and its original bytes and
 * headers; no handler runs for any of them; the valid commands queued behind them complete;
 * the worker stays up, keeps consuming, and exits with code 0 on SIGTERM.
 */
export async function malformedInput(run: ScenarioRun): Promise<MalformedResult> {
  const validBody = encodeMessage(new WorkCommand(0), { registry: workRegistry }).body;
  const bad = [
    { label: 'invalid JSON', code: 'undecodable', message: raw(() => undefined, encoder.encode('{"seq": 1, "kind": "ok", ')) },
    { label: 'empty body', code: 'undecodable', message: raw(() => undefined, new Uint8Array()) },
    {
      label: 'unknown name',
      code: 'unknown-message',
      message: raw((headers) => (headers[MessageHeader.name] = 'reliability.no-such-command'), validBody),
    },
    {
      label: 'schema-invalid payload',
      code: 'invalid-payload',
      message: raw(() => undefined, encoder.encode(JSON.stringify({ seq: 'seven', kind: 'explode', ms: -1, laterMs: 0, pad: '' }))),
    },
  ];
  await run.inject(bad.map(({ message }) => message));
  const worker = await run.startWorker({ concurrency: 4 });
  const receipts = await run.send(Array.from({ length: 20 }, (_, seq) => new WorkCommand(seq + 1, 'ok', 5)));
  const { ledger } = run;
  await run.waitHandled(
    receipts.map((receipt) => receipt.id),
    30_000,
  );
  await run.waitFor('the malformed messages to be dead-lettered', 10_000, () =>
    bad.every(({ message }) => ledger.all('dead-lettered', (entry) => entry.id === message.id).length > 0),
  );

  const transport = await run.transport();
  const starts = ledger.countById('start');
  const received = ledger.countById('received');
  const cases: MalformedResult['cases'][number][] = [];
  for (const { label, code, message } of bad) {
    expect(starts.get(message.id), `handler runs for the ${label} message`).toBeUndefined();
    expect(received.get(message.id), `deliveries of the ${label} message`).toBe(1);
    const letter = await transport.deadLetters.get(message.id);
    expect(letter, `dead letter of the ${label} message`).toBeDefined();
    expect(letter?.reason.code, `reason of the ${label} message`).toBe(code);
    expect(letter?.reason.message.length, `explanation of the ${label} message`).toBeGreaterThan(0);
    expect(letter?.deliveryCount, `delivery count of the ${label} message`).toBe(1);
    expect(Buffer.from(letter?.body ?? []).equals(Buffer.from(message.body)), `bytes of the ${label} message kept`).toBe(true);
    expect(letter?.headers, `headers of the ${label} message kept`).toEqual(message.headers);
    cases.push({ label, code: letter?.reason.code, attempts: received.get(message.id) ?? 0, bytesKept: true });
  }

  // Still up and still consuming.
  expect(worker.alive, 'the worker process is still running').toBe(true);
  const later = await run.send([new WorkCommand(100, 'ok', 1)]);
  await run.waitHandled(
    later.map((receipt) => receipt.id),
    10_000,
  );
  worker.signal('SIGTERM');
  const exit = await worker.exited;
  expect(exit.code, `exit code after SIGTERM\n${run.logOf(worker)}`).toBe(0);
  return { cases, validHandled: receipts.length + later.length, workerAlive: true, exitCode: exit.code };
}
