import type { Transport } from '../transport/transport.js';
import { closeCases } from './contract-close-cases.js';
import { deadLetterCases } from './contract-dead-letter-cases.js';
import { deliveryCases } from './contract-delivery-cases.js';
import { contractContext, type ContractCase, type ForeignMessage } from './contract-kit.js';
import { foreignCases } from './contract-foreign-cases.js';
import { leaseCases } from './contract-lease-cases.js';

/** A test function as test runners (Vitest, Jest, Mocha, Bun) pass it: name, body, timeout. */
export type ContractTestFunction = (name: string, body: () => Promise<void>, timeoutMs?: number) => unknown;

/** Options of {@link transportContract}. */
export interface TransportContractOptions {
  /** The transport's name in the suite's title, such as `RedisTransport`. */
  readonly name: string;
  /**
   * Creates a fresh transport for one case. Give each call its own queue (a unique stream,
   * queue or table name) so that cases never see each other's messages. The suite calls
   * `setup()` on it before the case and `close()` after.
   */
  readonly create: () => Promise<Transport>;
  /** Removes what `create` made on the broker (streams, queues, tables), after `close()`. */
  readonly cleanup?: ((transport: Transport) => Promise<void>) | undefined;
  /** Your test runner's `describe`. */
  readonly describe: (name: string, body: () => void) => unknown;
  /** Your test runner's `it` (or `test`); `it.skip`, when present, is used for skipped cases. */
  readonly it: ContractTestFunction & { readonly skip?: ContractTestFunction | undefined };
  /**
   * Timeout of each case, in milliseconds.
   * @default 20_000
   */
  readonly timeoutMs?: number | undefined;
  /**
   * The lease the cases receive with, in milliseconds; several cases wait once or twice this long.
   * @default 400
   */
  readonly leaseMs?: number | undefined;
  /**
   * Writes messages onto the queue of `transport` as another producer could, past the transport
   * (a raw XADD, a plain publish, an INSERT), in the shapes its documentation lists, and resolves
   * with what the transport delivers for each. The foreign-message case needs it; without it
   * that case is skipped (a queue nothing else can write to, such as the in-memory one).
   * @default undefined
   */
  readonly writeForeign?: ((transport: Transport) => Promise<readonly ForeignMessage[]>) | undefined;
  /**
   * Cases this transport cannot keep, by case name, each with the reason (shown in the test name).
   * @default {}
   */
  readonly skip?: Readonly<Record<string, string>> | undefined;
}

/** Every case of the suite, in the order they run. Their `name`s are the test names. */
export const transportContractCases: readonly ContractCase[] = [...deliveryCases, ...leaseCases, ...deadLetterCases, ...foreignCases, ...closeCases];

/**
 * Registers the transport contract suite with your test runner: one test per rule of the
 * `Transport` contract (round trip, ack, lease expiry and delivery counts, extendLease,
 * release, retry with delay, notBefore, dead letters, idempotent setup, abort and close).
 *
 * The suite needs no test framework of its own: pass your runner's `describe` and `it`.
 * A broken rule fails its test with a `ContractViolationError` that names the rule.
 *
 * @throws {TypeError} when `skip` names a case that does not exist.
 * @example
 * ```ts
 * import { describe, it } from 'vitest';
 * import { transportContract } from 'troopy/testing';
 *
 * transportContract({ name: 'MyTransport', create: async () => new MyTransport({ queue: `test-${crypto.randomUUID()}` }), describe, it });
 * ```
 */
export function transportContract(options: TransportContractOptions): void {
  const { create, cleanup, it, writeForeign, timeoutMs = 20_000, leaseMs = 400, skip = {} } = options;
  const known = new Set(transportContractCases.map((contractCase) => contractCase.name));
  for (const name of Object.keys(skip)) {
    if (!known.has(name)) throw new TypeError(`transportContract option "skip" names an unknown case: ${JSON.stringify(name)}.`);
  }
  const patienceMs = Math.max(2_000, 5 * leaseMs);
  options.describe(`${options.name} keeps the transport contract`, () => {
    for (const contractCase of transportContractCases) {
      const reason =
        skip[contractCase.name] ??
        (contractCase.requires === 'writeForeign' && writeForeign === undefined
          ? 'the test gives no writeForeign option (a queue nothing else can write to, such as the in-memory one)'
          : undefined);
      if (reason !== undefined) {
        const skipped = it.skip ?? it;
        skipped(`${contractCase.name} (skipped: ${reason})`, () => Promise.resolve(), timeoutMs);
        continue;
      }
      it(
        contractCase.name,
        async () => {
          const transport = await create();
          try {
            await transport.setup();
            await contractCase.run(contractContext(transport, leaseMs, patienceMs, writeForeign));
          } finally {
            await transport.close();
            await cleanup?.(transport);
          }
        },
        timeoutMs,
      );
    }
  });
}
