import { describe, expect, it } from 'vitest';
import { CommandBus, EventRouter, MessageRouter, NoHandlerAttachedError, command } from '../index.js';
import { TestCommandBus, TestEventBus } from './index.js';

class SendWelcomeEmail {
  constructor(readonly username: string) {}
}
const outbox: string[] = [];
command((message: SendWelcomeEmail) => outbox.push(message.username))(SendWelcomeEmail);

class SignUp {
  constructor(readonly username: string) {}
}
class UserSignedUp {
  constructor(readonly username: string) {}
}

describe('TestCommandBus', () => {
  it('records dispatched commands, by class and in order', () => {
    const router = new MessageRouter();
    router.attach(SignUp, () => 'signed up');
    const bus = new TestCommandBus({ router });
    expect(bus.dispatch(new SignUp('tom'))).toBe('signed up');
    bus.dispatch(new SignUp('ann'));
    expect(bus.dispatched(SignUp)).toEqual([new SignUp('tom'), new SignUp('ann')]);
    expect(bus.dispatched()).toHaveLength(2);
    bus.clear();
    expect(bus.dispatched()).toEqual([]);
  });

  it('stubs one handler for this bus only, leaving the global router untouched', () => {
    const stubbed: string[] = [];
    const bus = new TestCommandBus().stub(SendWelcomeEmail, (message) => stubbed.push(message.username));
    bus.dispatch(new SendWelcomeEmail('tom'));
    expect(stubbed).toEqual(['tom']);
    expect(outbox).toEqual([]);
    new CommandBus().dispatch(new SendWelcomeEmail('real'));
    expect(outbox).toEqual(['real']);
  });

  it('records a command even when it has no handler, and still throws', () => {
    const bus = new TestCommandBus({ router: new MessageRouter() });
    expect(() => bus.dispatch(new SignUp('x'))).toThrow(NoHandlerAttachedError);
    expect(bus.dispatched(SignUp)).toHaveLength(1);
  });
});

describe('TestEventBus', () => {
  it('records published events and can silence or replace subscribers', async () => {
    const router = new EventRouter();
    const real: string[] = [];
    router.subscribe(UserSignedUp, (event) => real.push(event.username));
    const events = new TestEventBus({ router });
    await events.publish(new UserSignedUp('a'));
    expect(real).toEqual(['a']);

    const replaced: string[] = [];
    events.stub(UserSignedUp, (event) => replaced.push(event.username));
    await events.publish(new UserSignedUp('b'));
    events.stub(UserSignedUp);
    await events.publish(new UserSignedUp('c'));
    expect(real).toEqual(['a']);
    expect(replaced).toEqual(['b']);
    expect(events.published(UserSignedUp).map((event) => event.username)).toEqual(['a', 'b', 'c']);
  });
});
