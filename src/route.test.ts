import { afterEach, describe, expect, it, vi } from 'vitest';
import { MessageRouter } from './message-router.js';

class Ping {}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('attaching a function written with the function keyword', () => {
  it('does not read the function source to tell it from a class', () => {
    const toString = vi.spyOn(Function.prototype, 'toString');
    const router = new MessageRouter();
    router.attach(Ping, function handlePing() {
      return 'pong';
    });
    expect(toString).not.toHaveBeenCalled();
    expect(router.findFor(new Ping())).toBeTypeOf('function');
  });

  it('still refuses a class without handle, and a function frozen before it is attached', () => {
    class NoHandle {}
    expect(() => new MessageRouter().attach(Ping, NoHandle as never)).toThrow(
      /must be a function, or a class or object with a handle\(message\) method; got the class NoHandle/,
    );
    const frozen = Object.freeze(function frozenHandler() {
      return 1;
    });
    expect(() => new MessageRouter().attach(Ping, frozen)).toThrow(TypeError);
  });
});
