import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { JsonCodec } from '../envelope/json-codec.js';
import { MessageRegistry } from '../envelope/message-registry.js';
import { createKit } from './test-kit.case.js';

let kit = createKit();
afterEach(() => kit.stopAll());

describe('Worker options', () => {
  // Issue 11, item 5: these were accepted, and every valid message was then dead-lettered undecodable.
  it.each([
    ['codec', 'the JsonCodec class instead of an instance', JsonCodec, 'the class JsonCodec'],
    ['codec', 'an empty object', {}, 'a plain object without encode, decode, contentType'],
    ['codec', 'an object without contentType', { encode: () => new Uint8Array(), decode: () => ({}) }, 'a plain object without contentType'],
    ['registry', 'a Map', new Map(), 'an instance of Map without findByName, definitionOf'],
    ['registry', 'an empty object', {}, 'a plain object without findByName, definitionOf'],
    ['registry', 'the MessageRegistry class instead of an instance', MessageRegistry, 'the class MessageRegistry'],
  ])('refuses a %s that is %s with a TypeError naming the option', (option, _label, value, shown) => {
    kit = createKit();
    const build = (): unknown => kit.worker({ [option]: value });
    expect(build).toThrow(TypeError);
    expect(build).toThrow(new RegExp(`^Worker option "${option}" must be `));
    expect(build).toThrow(`; got ${shown}.`);
  });

  it('takes a codec and a registry that are instances, or none', () => {
    kit = createKit();
    expect(() => kit.worker({ codec: new JsonCodec(), registry: new MessageRegistry() })).not.toThrow();
    expect(() => kit.worker({ codec: undefined, registry: undefined })).not.toThrow();
    const structural = {
      contentType: 'application/json',
      encode: (payload: unknown) => new JsonCodec().encode(payload),
      decode: (bytes: Uint8Array) => new JsonCodec().decode(bytes),
    };
    expect(() => kit.worker({ codec: structural })).not.toThrow();
  });

  it('builds, or refuses with a TypeError, whatever value any option has (property-based)', () => {
    kit = createKit();
    const options = [
      'transports',
      'bus',
      'registry',
      'codec',
      'concurrency',
      'leaseMs',
      'maxDeliveries',
      'retry',
      'shutdownTimeoutMs',
      'limits',
      'handleSignals',
      'receiveWaitMs',
      'reconnect',
      'errorHistoryLimit',
      'messageScope',
    ] as const;
    const anything = fc.anything({
      withBigInt: true,
      withBoxedValues: true,
      withMap: true,
      withSet: true,
      withNullPrototype: true,
      withDate: true,
      maxDepth: 2,
    });
    fc.assert(
      fc.property(fc.constantFrom(...options), anything, (option, value) => {
        try {
          kit.worker({ [option]: value });
        } catch (error) {
          expect(error).toBeInstanceOf(TypeError);
          expect((error as TypeError).message).toMatch(/option "/);
        }
      }),
      { numRuns: 300 },
    );
  });
});
