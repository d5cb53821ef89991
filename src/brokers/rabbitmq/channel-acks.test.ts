import { describe, expect, it } from 'vitest';
import { ChannelAcks } from './channel-acks.js';
import type { AmqpChannel, AmqpMessage } from './connection.js';

/** A channel that records the acks and nacks it is asked to send. */
function recordingChannel(): { channel: AmqpChannel; sent: string[] } {
  const sent: string[] = [];
  const channel = {
    ack: (message: AmqpMessage, multiple: boolean) => sent.push(`ack ${message.fields.deliveryTag}${multiple ? ' multiple' : ''}`),
    nack: (message: AmqpMessage, _multiple: boolean, requeue: boolean) => sent.push(`nack ${message.fields.deliveryTag}${requeue ? ' requeue' : ''}`),
  } as unknown as AmqpChannel;
  return { channel, sent };
}

const message = (deliveryTag: number): AmqpMessage => ({ fields: { deliveryTag } }) as AmqpMessage;

describe('ChannelAcks', () => {
  it('sends the acks of one turn as one multiple ack for the oldest run, and single acks past a gap', () => {
    const { channel, sent } = recordingChannel();
    const acks = new ChannelAcks(channel);
    for (let tag = 1; tag <= 6; tag++) acks.delivered(message(tag));
    for (const tag of [2, 1, 3, 5]) acks.ack(message(tag));
    acks.flush();
    expect(sent).toEqual(['ack 3 multiple', 'ack 5']);
    acks.ack(message(4));
    acks.flush();
    expect(sent.at(-1)).toBe('ack 4 multiple');
  });

  it('never covers a tag that is still unsettled, and skips tags nacked in between', () => {
    const { channel, sent } = recordingChannel();
    const acks = new ChannelAcks(channel);
    for (let tag = 1; tag <= 5; tag++) acks.delivered(message(tag));
    acks.nack(message(1), true);
    acks.ack(message(2));
    acks.ack(message(4));
    acks.flush();
    expect(sent).toEqual(['nack 1 requeue', 'ack 2 multiple', 'ack 4']);
    acks.ack(message(3));
    acks.ack(message(5));
    acks.flush();
    expect(sent.slice(3)).toEqual(['ack 5 multiple']);
    acks.delivered(message(6));
    acks.ack(message(6));
    acks.flush();
    expect(sent.at(-1)).toBe('ack 6 multiple');
  });

  it('flushes by itself in the next turn of the event loop', async () => {
    const { channel, sent } = recordingChannel();
    const acks = new ChannelAcks(channel);
    acks.delivered(message(1));
    acks.ack(message(1));
    expect(sent).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent).toEqual(['ack 1 multiple']);
  });
});
