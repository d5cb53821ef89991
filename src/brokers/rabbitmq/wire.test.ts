import { describe, expect, it } from 'vitest';
import type { AmqpMessage } from './connection.js';
import { DeadLetterHeader, FRAMED_ENCODING, frame, readMessage } from './wire.js';

/** A delivery as amqplib hands it over, with the given content and properties. */
function delivered(content: Buffer, properties: Record<string, unknown>): AmqpMessage {
  return { content, properties, fields: { deliveryTag: 1 } } as unknown as AmqpMessage;
}

describe('the RabbitMQ wire format', () => {
  it('carries headers in a framed body and gives back the exact bytes and headers', () => {
    const body = new Uint8Array([0, 1, 2, 255]);
    const headers = { 'message-name': 'billing.invoice', 'sent-at': '2026-01-01T00:00:00.000Z', tenant: 'ünïcode "quoted"' };
    const { content, options } = frame({ id: 'm-1', headers, body }, { [DeadLetterHeader.code]: 'handler-failed' }, 250);
    expect(options).toEqual({ messageId: 'm-1', contentEncoding: FRAMED_ENCODING, persistent: true, mandatory: true, expiration: '250' });
    expect(options).not.toHaveProperty('headers');
    const read = readMessage(delivered(content, { ...options, headers: { 'x-delivery-count': 2 } }), 'fallback');
    expect(read).toMatchObject({ id: 'm-1', headers, deadLetter: { code: 'handler-failed' }, previousDeliveries: 2 });
    expect([...read.body]).toEqual([...body]);
  });

  it('reads unframed messages: AMQP headers as strings, broker headers left out', () => {
    const read = readMessage(
      delivered(Buffer.from('{}'), { headers: { 'message-name': 'a', attempt: 2, 'x-death': [], 'x-first-death-reason': 'delivery_limit' } }),
      'amqp-1',
    );
    expect(read).toMatchObject({ id: 'amqp-1', headers: { 'message-name': 'a', attempt: '2' }, brokerDeath: 'delivery_limit', previousDeliveries: 0 });
    expect(read.body.toString()).toBe('{}');
  });

  it('hands over a body marked framed whose frame is broken whole, without headers', () => {
    const content = Buffer.from([0, 0, 0, 9, 123]);
    const read = readMessage(delivered(content, { contentEncoding: FRAMED_ENCODING, messageId: 'm-2' }), 'amqp-2');
    expect(read.headers).toEqual({});
    expect(read.body).toBe(content);
  });
});
