import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runExamples } from '../examples/support.js';
import { requireService } from './support/services.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const timeout = 60_000;

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `npx tsx <script>` in the repository root, as `npm run demo` does, and collects its output. */
function runScript(script: string, env: Record<string, string> = {}): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', script], { cwd: root, timeout, env: { ...process.env, REDIS_URL: '', ...env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}

describe('npm run demo (examples/run-all.ts)', () => {
  let demo: Outcome;
  beforeAll(async () => {
    demo = await runScript('examples/run-all.ts');
  }, timeout);

  it('exits with code 0 and reports no failed example', () => {
    expect(demo.stderr).not.toMatch(/failed/);
    expect(demo.code, demo.stderr).toBe(0);
  });

  it('runs every example file in examples/, each under its own header', () => {
    const files = readdirSync(new URL('../examples/', import.meta.url)).filter((file) => file.endsWith('.ts') && !['support.ts', 'run-all.ts'].includes(file));
    expect(files).toHaveLength(9);
    for (const file of files) expect(demo.stdout).toContain(`=== ${file.replace(/\.ts$/, '')}: `);
  });

  it.each([
    ['basic', 'Hello user Tom!'],
    ['handler-factory-sqlite', 'read back from sqlite: {"id":1,"username":"Tom","email":"tom@example.com"}'],
    ['custom-router', 'opened account for Tom'],
    ['custom-router', 'second attach refused: HandlerAlreadyAttachedError'],
    ['custom-router', 'default bus: NoHandlerAttachedError for OpenAccount'],
    ['function-handler', 'AddNumbers(2, 3) -> 5'],
    ['function-handler', 'receipt for order A-17 sent (request req-1)'],
    ['middleware', 'EUR/USD = 1.08, returned synchronously'],
    ['middleware', '[cache] hit for EUR/USD'],
    ['middleware', 'the handler ran 1 time(s) for 2 dispatches'],
    ['middleware', "caller caught the handler's own InsufficientFundsError, unwrapped"],
    ['middleware', 'with an async middleware, Withdraw returns a promise: 60'],
    ['events', 'AggregateError with 2 errors'],
    ['events', '[stats] sign-ups so far: tom, bob\n'],
    ['typed-results', "GetUser('42') resolved to Tom (id 42)"],
    ['typed-results', 'CountUsers() returned 2 synchronously'],
    ['di-container', '[mail] from hello@example.com to tom@example.com: Welcome!'],
    ['di-container', '"username":"tom","registeredAt":"2024-01-01T09:00:00.000Z"'],
    ['worker', 'invoice for A-17: 129900 cents due 2026-12-31 (class, Date and BigInt intact: true;'],
    ['worker', 'invoice for A-18: 4200 cents due 2027-01-15 (class, Date and BigInt intact: true;'],
    ['worker', 'dead-lettered: unrecoverable:'],
    ['worker', '[failures] 1 dead letter(s); removing them: 1'],
  ])('%s prints %j', (_example, line) => {
    expect(demo.stdout).toContain(line);
  });
});

describe('an example run on its own', () => {
  it(
    'prints its header and output once, and exits with code 0',
    async () => {
      const basic = await runScript('examples/basic.ts');
      expect(basic.code, basic.stderr).toBe(0);
      expect(basic.stdout.trim().split('\n')).toEqual(['=== basic: the seed example: @command(HelloHandler) and new CommandBus() ===', 'Hello user Tom!']);
    },
    timeout,
  );
});

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('the worker example on Redis', () => {
  it(
    'runs the same round trip on Redis Streams when REDIS_URL is set',
    async (context) => {
      if (!(await requireService('redis', redisUrl))) {
        context.skip();
        return;
      }
      const outcome = await runScript('examples/worker.ts', { REDIS_URL: redisUrl });
      expect(outcome.code, outcome.stderr).toBe(0);
      const redisPart = outcome.stdout.slice(outcome.stdout.indexOf('Redis Streams ('));
      expect(redisPart).toContain('invoice for A-17: 129900 cents due 2026-12-31 (class, Date and BigInt intact: true;');
      expect(redisPart).toContain('[failures] 1 dead letter(s); removing them: 1');
    },
    timeout,
  );
});

describe('runExamples', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('reports a failing example, and still runs the ones after it', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const ran: string[] = [];
    const passed = await runExamples([
      { name: 'broken', title: 'throws', run: () => Promise.reject(new Error('boom')) },
      { name: 'fine', title: 'works', run: async () => void ran.push('fine') },
    ]);
    expect(passed).toBe(false);
    expect(ran).toEqual(['fine']);
    expect(errors).toHaveBeenCalledWith(expect.stringContaining('1 example(s) failed: broken'));
  });
});
