import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { PrivateBroker } from '../broker-profile.js';
import { WorkCommand } from '../fixtures/work-command.js';
import { ScenarioRun, sleep } from '../scenario-run.js';
import type { BrokerProfile } from '../broker-profile.js';

/** What scenario 8 measured. */
export interface BrokerRestartResult {
  readonly sends: number;
  readonly resolved: number;
  readonly rejected: number;
  readonly resolvedDuringOutage: number;
  readonly lostConfirmed: number;
  /** Handled, but the ack's reply was lost with the broker (the ack itself went through: nothing was left). */
  readonly ackLostWithBroker: number;
  readonly outageMs: number;
  readonly resumeAfterRestartMs: number;
  readonly slowestSendMs: number;
  readonly workerRestarts: number;
}

interface SendRecord {
  readonly seq: number;
  readonly issuedAt: number;
  settledAt?: number;
  id?: string;
  error?: string;
}

/**
 * 8. Broker restart: against a private broker with durable storage, a producer sends one
 * command every 20 ms while 2 workers consume; the broker is killed (SIGKILL), kept down for
 * 2.5 s and started again on the same storage. Every send that resolved is handled; every send
 * issued while the broker was down rejects (none hangs: each settles within 10 s); the same
 * worker processes resume consuming, each reporting `reconnecting` and then `connected`; and
 * once they stop, nothing is left unacknowledged on the broker.
 */
export async function brokerRestart(profile: BrokerProfile, register: (run: ScenarioRun, broker: PrivateBroker) => void): Promise<BrokerRestartResult> {
  if (profile.startPrivateBroker === undefined)
    throw new Error(`profile ${profile.name} cannot start a private broker: ${profile.restartUnsupported ?? 'no reason given'}`);
  const storage = mkdtempSync(join(tmpdir(), `troopy-${profile.name}-broker-`));
  let broker: PrivateBroker;
  try {
    broker = await profile.startPrivateBroker(storage);
  } catch (error) {
    rmSync(storage, { recursive: true, force: true });
    throw error;
  }
  const run = new ScenarioRun(profile, 'restart', broker.connection);
  register(run, broker);
  const settings = { concurrency: 4, leaseMs: 2_000, reconnect: { baseMs: 50, capMs: 500 } };
  const workers = await Promise.all([run.startWorker(settings), run.startWorker(settings)]);
  const sender = await run.sender();

  const records: SendRecord[] = [];
  const pending = new Set<Promise<void>>();
  let producing = true;
  const producer = (async () => {
    for (let seq = 0; producing; seq++) {
      const record: SendRecord = { seq, issuedAt: Date.now() };
      records.push(record);
      const send = sender.send(new WorkCommand(seq, 'ok', 5)).then(
        (receipt) => {
          record.id = receipt.id;
          record.settledAt = Date.now();
        },
        (error: unknown) => {
          record.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
          record.settledAt = Date.now();
        },
      );
      pending.add(send);
      void send.finally(() => pending.delete(send));
      await sleep(20);
    }
  })();

  await sleep(1_500);
  await broker.crash();
  const downAt = Date.now();
  await sleep(2_500);
  const restartAt = Date.now();
  await broker.start();
  const upAt = Date.now();
  await sleep(2_500);
  producing = false;
  await producer;
  const allSettled = Promise.all([...pending]);
  const settledInTime = await Promise.race([allSettled.then(() => true), sleep(10_000).then(() => false)]);
  expect(settledInTime, 'every send settled (resolved or rejected) within 10 s').toBe(true);

  const resolved = records.filter((record) => record.id !== undefined);
  const rejected = records.filter((record) => record.error !== undefined);
  const ids = resolved.map((record) => record.id!);
  const { ledger } = run;
  // Handled means the handler finished: an ack lost with the broker is not a lost message
  // (the queue is checked for leftovers below).
  await run
    .waitFor(`${ids.length} confirmed sends to be handled`, 30_000, () => {
      const ended = ledger.countById('end');
      return ids.every((id) => ended.has(id));
    })
    .catch((error: unknown) => {
      const ended = ledger.countById('end');
      const missing = resolved.filter((record) => !ended.has(record.id!)).map((record) => record.seq);
      throw new Error(`${String(error)}; confirmed sends never handled: seq ${missing.join(', ')}`);
    });

  // Sends issued while the broker was down must reject, not resolve later.
  const duringOutage = records.filter((record) => record.issuedAt > downAt && record.issuedAt < restartAt);
  const resolvedDuringOutage = duringOutage.filter((record) => record.id !== undefined);
  expect(duringOutage.length, 'sends issued during the outage').toBeGreaterThan(50);
  expect(
    resolvedDuringOutage.map((record) => record.seq),
    'sends issued during the outage that resolved',
  ).toEqual([]);
  expect(rejected.length, 'rejected sends').toBeGreaterThanOrEqual(duringOutage.length);
  const slowestSendMs = Math.max(...records.map((record) => (record.settledAt ?? Infinity) - record.issuedAt));
  expect(resolved.filter((record) => record.issuedAt > upAt + 1_000).length, 'sends resolved again after the restart').toBeGreaterThan(0);

  // A worker can finish the work through one connection while another (Redis's blocking reads)
  // is still reconnecting: wait, bounded, for every worker to report itself connected again.
  const lastHealth = (pid: number | undefined): string | undefined => ledger.all('health', (entry) => entry.pid === pid).at(-1)?.status;
  await run
    .waitFor('every worker to report connected again', 10_000, () => workers.every((worker) => lastHealth(worker.pid) === 'connected'))
    .catch(() => undefined);
  for (const worker of workers) {
    expect(worker.alive, `worker ${worker.label} still running (never restarted)\n${run.logOf(worker)}`).toBe(true);
    const health = ledger.all('health', (entry) => entry.pid === worker.pid).map((entry) => entry.status);
    expect(health.includes('reconnecting'), `worker ${worker.label} reported reconnecting (health: ${health.join(', ')})`).toBe(true);
    expect(health.at(-1), `worker ${worker.label} health at the end`).toBe('connected');
  }
  const pids = new Set(workers.map((worker) => worker.pid));
  const afterRestart = ledger.all('handled', (entry) => entry.t > upAt);
  expect(afterRestart.length, 'messages handled after the restart').toBeGreaterThan(0);
  expect(
    afterRestart.every((entry) => pids.has(entry.pid)),
    'handled after the restart by the original workers',
  ).toBe(true);
  const resumeAfterRestartMs = Math.min(...afterRestart.map((entry) => entry.t)) - upAt;
  expect(resumeAfterRestartMs, 'time from the broker being up to the first message handled, ms').toBeLessThan(10_000);

  // Nothing may be left behind unacknowledged: once the workers have stopped, a consumer that
  // waits out a lease receives nothing (a message whose ack was lost would come back here).
  await sleep(settings.leaseMs);
  for (const worker of workers) worker.signal('SIGTERM');
  const exits = await Promise.all(workers.map((worker) => worker.exited));
  expect(
    exits.map((exit) => exit.code),
    'exit codes of the workers after SIGTERM',
  ).toEqual(workers.map(() => 0));
  const transport = await run.transport();
  const leftovers = await transport.receive({ max: 100, leaseMs: settings.leaseMs, waitMs: settings.leaseMs + 1_000 });
  const leftoverIds = new Set(leftovers.map((delivery) => delivery.id));
  expect(
    resolved.filter((record) => leftoverIds.has(record.id!)).map((record) => record.seq),
    'confirmed sends still unacknowledged on the broker after the workers stopped',
  ).toEqual([]);
  const unacked = ids.filter((id) => !ledger.countById('handled').has(id)).length;

  return {
    sends: records.length,
    resolved: resolved.length,
    rejected: rejected.length,
    resolvedDuringOutage: resolvedDuringOutage.length,
    lostConfirmed: 0,
    ackLostWithBroker: unacked,
    outageMs: upAt - downAt,
    resumeAfterRestartMs,
    slowestSendMs,
    workerRestarts: 0,
  };
}
