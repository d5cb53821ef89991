import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import type { Codec } from './codec.js';
import { decodeMessage, encodeMessage, type DecodedMessage } from './envelope.js';
import { appendErrorHistory } from './error-history.js';
import { MessageDecodeError } from './message-decode-error.js';
import { MissingMessageNameError } from './message-name-errors.js';
import { MessageRegistry } from './message-registry.js';
import type { TransportMessage } from '../transport/transport.js';

let constructed = 0;

class SendInvoice {
  constructor(
    readonly invoiceId: string,
    readonly dueAt: Date,
    readonly amountCents: bigint,
    readonly lines: Map<string, Set<number>>,
  ) {
    constructed++;
  }

  describe(): string {
    return `${this.invoiceId} due ${this.dueAt.toISOString()}`;
  }
}

class Unnamed {
  readonly value = 1;
}

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const makeRegistry = (): MessageRegistry => {
  const registry = new MessageRegistry();
  registry.register(SendInvoice, { name: 'billing.send-invoice', version: 2 });
  return registry;
};
const invoice = (): SendInvoice => new SendInvoice('inv-1', new Date('2024-06-30T00:00:00.000Z'), 129_900n, new Map([['a', new Set([1, 2])]]));
const raw = (headers: Record<string, string>, body: string): TransportMessage => ({
  id: headers['message-id'] ?? 'm-1',
  headers,
  body: new TextEncoder().encode(body),
});
const validHeaders = (overrides: Record<string, string | undefined> = {}): Record<string, string> => {
  const headers: Record<string, string | undefined> = {
    'message-id': 'm-1',
    'message-name': 'billing.send-invoice',
    'message-version': '2',
    'content-type': 'application/json',
    'sent-at': '2024-01-01T00:00:00.000Z',
    ...overrides,
  };
  return Object.fromEntries(Object.entries(headers).filter((entry): entry is [string, string] => entry[1] !== undefined));
};
const decodeFailure = async (message: TransportMessage, registry: MessageRegistry = makeRegistry(), codec?: Codec): Promise<MessageDecodeError> => {
  try {
    await decodeMessage(message, codec === undefined ? { registry } : { registry, codec });
  } catch (error) {
    if (error instanceof MessageDecodeError) return error;
    throw error;
  }
  throw new Error('decodeMessage did not throw');
};

describe('encodeMessage', () => {
  it('writes the envelope headers: id, name, version, content type, sent-at and the correlation id', () => {
    const message = encodeMessage(invoice(), { registry: makeRegistry(), now: new Date('2024-05-01T10:00:00.000Z') });
    expect(message.id).toMatch(UUID_V7);
    expect(message.headers).toEqual({
      'message-id': message.id,
      'message-name': 'billing.send-invoice',
      'message-version': '2',
      'content-type': 'application/json',
      'sent-at': '2024-05-01T10:00:00.000Z',
      'correlation-id': message.id,
    });
  });

  it('never puts the class name on the wire', () => {
    const message = encodeMessage(invoice(), { registry: makeRegistry() });
    const wire = JSON.stringify(message.headers) + new TextDecoder().decode(message.body);
    expect(wire).not.toContain('SendInvoice');
  });

  it('encodes the command’s own fields as the body', () => {
    const message = encodeMessage(invoice(), { registry: makeRegistry() });
    expect(new TextDecoder().decode(message.body)).toBe(
      '{"invoiceId":"inv-1","dueAt":{"$date":"2024-06-30T00:00:00.000Z"},"amountCents":{"$bigint":"129900"},"lines":{"$map":[["a",{"$set":[1,2]}]]}}',
    );
  });

  it('carries the given id, correlation id, causation id, traceparent, tracestate and extra headers', () => {
    const message = encodeMessage(invoice(), {
      registry: makeRegistry(),
      id: 'fixed-id',
      correlationId: 'conversation-1',
      causationId: 'parent-1',
      traceparent: TRACEPARENT,
      tracestate: 'vendor=abc',
      headers: { tenant: 'acme' },
    });
    expect(message.id).toBe('fixed-id');
    expect(message.headers).toMatchObject({
      'message-id': 'fixed-id',
      'correlation-id': 'conversation-1',
      'causation-id': 'parent-1',
      traceparent: TRACEPARENT,
      tracestate: 'vendor=abc',
      tenant: 'acme',
    });
  });

  it('takes propagation headers from `headers` too, with the dedicated options winning', () => {
    const message = encodeMessage(invoice(), {
      registry: makeRegistry(),
      correlationId: 'from-option',
      headers: { 'correlation-id': 'from-headers', 'causation-id': 'cause-from-headers', traceparent: TRACEPARENT },
    });
    expect(message.headers).toMatchObject({ 'correlation-id': 'from-option', 'causation-id': 'cause-from-headers', traceparent: TRACEPARENT });
  });

  it('drops a tracestate that comes without a traceparent', () => {
    const message = encodeMessage(invoice(), { registry: makeRegistry(), tracestate: 'vendor=abc', headers: { tracestate: 'other=1' } });
    expect(message.headers).not.toHaveProperty('tracestate');
  });

  it('refuses a class without a message name with MissingMessageNameError', () => {
    expect(() => encodeMessage(new Unnamed(), { registry: makeRegistry() })).toThrow(MissingMessageNameError);
    expect(() => encodeMessage(new Unnamed(), { registry: makeRegistry() })).toThrow(/Unnamed has no message name.*@messageName/);
  });

  it.each([
    ['a plain object', {}],
    ['an array', []],
    ['null', null],
  ])('refuses %s as a command with a TypeError', (_label, command) => {
    expect(() => encodeMessage(command as never, { registry: makeRegistry() })).toThrow(
      /encodeMessage expects a command, an instance of a class with a message name/,
    );
  });

  it.each([
    ['message-id', { 'message-id': 'x' }],
    ['attempt', { attempt: '3' }],
    ['Content-Type in another case', { 'Content-Type': 'text/plain' }],
  ])('refuses the reserved header %s in headers', (_label, headers) => {
    expect(() => encodeMessage(invoice(), { registry: makeRegistry(), headers })).toThrow(/encodeMessage sets the ".*" header itself/);
  });

  it('refuses a malformed traceparent, a non-string header and an invalid time', () => {
    expect(() => encodeMessage(invoice(), { registry: makeRegistry(), traceparent: '00-abc' })).toThrow(
      /encodeMessage option "traceparent" must be a W3C traceparent/,
    );
    expect(() => encodeMessage(invoice(), { registry: makeRegistry(), traceparent: '00-00000000000000000000000000000000-00f067aa0ba902b7-01' })).toThrow(
      TypeError,
    );
    expect(() => encodeMessage(invoice(), { registry: makeRegistry(), headers: { tenant: 42 as never } })).toThrow(
      /the "tenant" header to be a non-empty string; got the number 42/,
    );
    expect(() => encodeMessage(invoice(), { registry: makeRegistry(), now: Number.NaN })).toThrow(/encodeMessage option "now" must be a valid Date/);
  });

  // Issue 11, item 5: "x" sent a header "0": "x", and 42 was ignored.
  it.each([
    ['a string', 'x', 'the string "x"'],
    ['a number', 42, 'the number 42'],
    ['an array', ['x'], 'an instance of Array'],
    ['null', null, 'null'],
    ['a Map', new Map([['tenant', 'acme']]), 'an instance of Map'],
  ])('refuses headers that are %s with a TypeError naming headers', (_label, headers, shown) => {
    const encode = (): unknown => encodeMessage(invoice(), { registry: makeRegistry(), headers: headers as never });
    expect(encode).toThrow(TypeError);
    expect(encode).toThrow(`encodeMessage option "headers" must be an object of header names to strings, such as { tenant: 'acme' }; got ${shown}.`);
  });

  it('takes headers with a null prototype', () => {
    const headers = Object.assign(Object.create(null) as Record<string, string>, { tenant: 'acme' });
    expect(encodeMessage(invoice(), { registry: makeRegistry(), headers }).headers).toMatchObject({ tenant: 'acme' });
  });
});

describe('decodeMessage', () => {
  it('revives the command into its class without calling the constructor, with every type intact', async () => {
    const registry = makeRegistry();
    const sent = invoice();
    const message = encodeMessage(sent, { registry });
    const before = constructed;
    const { command } = await decodeMessage(message, { registry });
    expect(constructed).toBe(before);
    expect(command).toBeInstanceOf(SendInvoice);
    expect(command).toStrictEqual(sent);
    const revived = command as SendInvoice;
    expect(revived.dueAt).toBeInstanceOf(Date);
    expect(revived.lines.get('a')).toStrictEqual(new Set([1, 2]));
    expect(revived.describe()).toBe('inv-1 due 2024-06-30T00:00:00.000Z');
  });

  it('reads the envelope from the headers', async () => {
    const registry = makeRegistry();
    const message = encodeMessage(invoice(), {
      registry,
      now: new Date('2024-05-01T10:00:00.000Z'),
      correlationId: 'conversation-1',
      causationId: 'parent-1',
      traceparent: TRACEPARENT,
      tracestate: 'vendor=abc',
      headers: { tenant: 'acme' },
    });
    const { envelope } = await decodeMessage(message, { registry });
    expect(envelope).toEqual({
      id: message.id,
      name: 'billing.send-invoice',
      version: 2,
      sentAt: new Date('2024-05-01T10:00:00.000Z'),
      correlationId: 'conversation-1',
      causationId: 'parent-1',
      traceparent: TRACEPARENT,
      tracestate: 'vendor=abc',
      attempt: 1,
      errorHistory: [],
      headers: message.headers,
    });
  });

  it('reads the attempt and the error history written by appendErrorHistory', async () => {
    const registry = makeRegistry();
    const message = encodeMessage(invoice(), { registry });
    const retried = { ...message, headers: appendErrorHistory(message.headers, new Error('smtp down'), { now: 0 }) };
    const { envelope } = await decodeMessage(retried, { registry });
    expect(envelope.attempt).toBe(2);
    expect(envelope.errorHistory).toEqual([{ name: 'Error', message: 'smtp down', at: new Date(0) }]);
  });

  it('falls back to the message id for a missing correlation id, and ignores a malformed traceparent', async () => {
    const decoded = await decodeMessage(raw(validHeaders({ traceparent: 'garbage', tracestate: 'a=b' }), '{"invoiceId":"x"}'), { registry: makeRegistry() });
    expect(decoded.envelope.correlationId).toBe('m-1');
    expect(decoded.envelope.traceparent).toBeUndefined();
    expect(decoded.envelope.tracestate).toBeUndefined();
  });

  it('defines fields as own data properties, so setters on the class never run on untrusted data', async () => {
    let setterRan = false;
    class Guarded {
      set status(_value: string) {
        setterRan = true;
      }
    }
    const registry = new MessageRegistry();
    registry.register(Guarded, { name: 'guarded' });
    const { command } = await decodeMessage(raw(validHeaders({ 'message-name': 'guarded', 'message-version': '1' }), '{"status":"x"}'), { registry });
    expect(setterRan).toBe(false);
    expect(Object.getOwnPropertyDescriptor(command, 'status')).toEqual({ value: 'x', writable: true, enumerable: true, configurable: true });
  });

  describe('with a Standard Schema (zod 4)', () => {
    class Subscribe {
      constructor(
        readonly email: string,
        readonly plan: 'free' | 'pro',
      ) {}
    }
    const schema = z.object({ email: z.string().trim().toLowerCase().pipe(z.email()), plan: z.enum(['free', 'pro']).default('free') });
    const registryWith = (s: unknown): MessageRegistry => {
      const registry = new MessageRegistry();
      registry.register(Subscribe, { name: 'newsletter.subscribe', schema: s as never });
      return registry;
    };
    const message = (body: string): TransportMessage => raw(validHeaders({ 'message-name': 'newsletter.subscribe', 'message-version': '1' }), body);

    it('validates the payload and revives the schema’s output into the class', async () => {
      const { command } = await decodeMessage(message('{"email":"  Ann@Example.COM "}'), { registry: registryWith(schema) });
      expect(command).toBeInstanceOf(Subscribe);
      expect(command).toStrictEqual(Object.assign(Object.create(Subscribe.prototype) as object, { email: 'ann@example.com', plan: 'free' }));
    });

    it('refuses an invalid payload as invalid-payload, listing every issue', async () => {
      const error = await decodeFailure(message('{"email":"not-an-email","plan":"gold"}'), registryWith(schema));
      expect(error.reason).toBe('invalid-payload');
      expect(error.messageName).toBe('newsletter.subscribe');
      expect(error.message).toMatch(/The payload of "newsletter\.subscribe" does not pass its schema: email: .+; plan: .+\./);
      expect(error.issues.map((issue) => issue.path)).toEqual([['email'], ['plan']]);
    });

    it('awaits a schema whose validation is asynchronous, passing and failing', async () => {
      const asyncSchema = schema.refine(async (value) => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        return !value.email.endsWith('@blocked.test');
      }, 'this address is blocked');
      expect(asyncSchema['~standard'].validate({ email: 'a@b.test' })).toBeInstanceOf(Promise);
      const { command } = await decodeMessage(message('{"email":"a@ok.test","plan":"pro"}'), { registry: registryWith(asyncSchema) });
      expect(command).toMatchObject({ email: 'a@ok.test', plan: 'pro' });
      const error = await decodeFailure(message('{"email":"a@blocked.test"}'), registryWith(asyncSchema));
      expect(error.reason).toBe('invalid-payload');
      expect(error.message).toContain('this address is blocked');
    });

    it('uses an output that already is an instance of the class as the command', async () => {
      const building = schema.transform((value) => new Subscribe(value.email, value.plan));
      const { command } = await decodeMessage(message('{"email":"a@ok.test"}'), { registry: registryWith(building) });
      expect(command).toBeInstanceOf(Subscribe);
      expect(command).toEqual(new Subscribe('a@ok.test', 'free'));
    });

    it('reports a schema that throws as invalid-payload, keeping the cause', async () => {
      const throwing = {
        '~standard': {
          version: 1,
          vendor: 'test',
          validate: () => {
            throw new Error('schema bug');
          },
        },
      };
      const error = await decodeFailure(message('{}'), registryWith(throwing));
      expect(error.reason).toBe('invalid-payload');
      expect((error.cause as Error).message).toBe('schema bug');
    });

    it('reports a schema or codec that throws a null-prototype object as a MessageDecodeError that describes it', async () => {
      const bare = Object.create(null) as object;
      const throwBare = (): never => {
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- the hostile value under test
        throw bare;
      };
      const throwing = { '~standard': { version: 1, vendor: 'test', validate: throwBare } };
      const error = await decodeFailure(message('{}'), registryWith(throwing));
      expect(error.reason).toBe('invalid-payload');
      expect(error.message).toBe('The schema of "newsletter.subscribe" threw while validating: a plain object');
      expect(error.cause).toBe(bare);
      const codec: Codec = { contentType: 'application/json', encode: () => new Uint8Array(), decode: throwBare };
      const undecodable = await decodeFailure(raw(validHeaders(), '{}'), makeRegistry(), codec);
      expect(undecodable.reason).toBe('undecodable');
      expect(undecodable.message).toMatch(/cannot be decoded: a plain object$/);
    });
  });

  it('refuses a name no class is registered under as unknown-message', async () => {
    const error = await decodeFailure(raw(validHeaders({ 'message-name': 'billing.refund' }), '{}'));
    expect(error.reason).toBe('unknown-message');
    expect(error.messageName).toBe('billing.refund');
    expect(error.message).toMatch(/No class is registered under the message name "billing\.refund"/);
  });

  it.each(['1', '3'])('refuses version %s of a name registered at version 2 as unknown-message', async (version) => {
    const error = await decodeFailure(raw(validHeaders({ 'message-version': version }), '{}'));
    expect(error.reason).toBe('unknown-message');
    expect(error.message).toBe(`The message "billing.send-invoice" is version ${version}, but this process registers version 2 (SendInvoice).`);
  });

  it.each([
    ['no message-name header', validHeaders({ 'message-name': undefined }), '{}', /no message-name header/],
    ['no message-version header', validHeaders({ 'message-version': undefined }), '{}', /message-version header that is not a positive integer/],
    ['a non-numeric version', validHeaders({ 'message-version': 'two' }), '{}', /message-version header that is not a positive integer: "two"/],
    [
      'another content type',
      validHeaders({ 'content-type': 'application/x-msgpack' }),
      '{}',
      /content-type "application\/x-msgpack", but this codec reads "application\/json"/,
    ],
    ['no content type', validHeaders({ 'content-type': undefined }), '{}', /content-type null/],
    ['a bad sent-at', validHeaders({ 'sent-at': 'yesterday' }), '{}', /sent-at header that is not a date/],
    ['a bad attempt', validHeaders({ attempt: '-1' }), '{}', /malformed header: The attempt header must be a positive integer/],
    ['a bad error history', validHeaders({ 'error-history': '{' }), '{}', /error-history header must be a JSON array/],
    ['invalid JSON', validHeaders(), '{"invoiceId":', /cannot be decoded: The body is not valid JSON/],
    ['an empty body', validHeaders(), '', /cannot be decoded: The body is not valid JSON/],
    [
      'a prototype-polluting body',
      validHeaders(),
      '{"__proto__":{"polluted":1}}',
      /cannot be decoded: .*"__proto__" is refused to prevent prototype pollution/,
    ],
  ])('refuses a message with %s as undecodable', async (_label, headers, body, pattern) => {
    const error = await decodeFailure(raw(headers, body));
    expect(error.reason).toBe('undecodable');
    expect(error.message).toMatch(pattern);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('accepts a content type with parameters', async () => {
    const decoded = await decodeMessage(raw(validHeaders({ 'content-type': 'Application/JSON; charset=utf-8' }), '{}'), { registry: makeRegistry() });
    expect(decoded.command).toBeInstanceOf(SendInvoice);
  });

  it('refuses a body over the codec limit as undecodable, keeping the DecodeError as cause', async () => {
    const error = await decodeFailure(raw(validHeaders(), `"${'x'.repeat(2_000_000)}"`));
    expect(error.reason).toBe('undecodable');
    expect(error.message).toMatch(/over the codec's maxBytes of 1048576/);
    expect(error.cause).toMatchObject({ name: 'DecodeError', code: 'too-large' });
  });

  it.each([
    ['an array', '[]'],
    ['a number', '42'],
    ['null', 'null'],
    ['a Map', '{"$map":[]}'],
  ])('refuses a payload that is %s as invalid-payload', async (_label, body) => {
    const error = await decodeFailure(raw(validHeaders(), body));
    expect(error.reason).toBe('invalid-payload');
    expect(error.message).toMatch(/must be an object of the command's fields/);
  });

  it('refuses a forbidden key from a careless codec before it reaches the instance', async () => {
    const careless: Codec = {
      contentType: 'application/json',
      encode: () => new Uint8Array(),
      decode: (bytes) => JSON.parse(new TextDecoder().decode(bytes)) as unknown,
    };
    const error = await decodeFailure(raw(validHeaders(), '{"__proto__":{"polluted":1}}'), makeRegistry(), careless);
    expect(error.reason).toBe('invalid-payload');
    expect(error.message).toMatch(/key "__proto__", refused to prevent prototype pollution/);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('refuses something that is not a transport message with a TypeError', async () => {
    await expect(decodeMessage({ id: 'x', headers: {}, body: '{}' } as never)).rejects.toThrow(
      /decodeMessage expects a message \{ id, headers, body: Uint8Array \}/,
    );
  });

  it.each([
    ['null headers', null, 'null'],
    ['string headers', 'x', 'the string "x"'],
    ['array headers', ['x'], 'an instance of Array'],
  ])('refuses a message with %s with its own TypeError naming the headers', async (_label, headers, shown) => {
    const message = { id: 'x', headers, body: new TextEncoder().encode('{}') } as never;
    await expect(decodeMessage(message)).rejects.toThrow(TypeError);
    await expect(decodeMessage(message)).rejects.toThrow(`decodeMessage expects a message { id, headers, body: Uint8Array }; got headers that are ${shown}.`);
  });

  it('round-trips through the default registry and codec', async () => {
    const { messageName } = await import('./message-name.js');
    class PingDefault {
      constructor(readonly at: Date) {}
    }
    messageName('test.envelope.ping-default')(PingDefault);
    const decoded: DecodedMessage = await decodeMessage(encodeMessage(new PingDefault(new Date(5))));
    expect(decoded.command).toStrictEqual(new PingDefault(new Date(5)));
  });
});
