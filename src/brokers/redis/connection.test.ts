import { describe, expect, it, vi } from 'vitest';
import { RedisClientMissingError, RedisTransport } from './index.js';

vi.mock('ioredis', () => {
  throw new Error("Cannot find package 'ioredis'");
});

describe('RedisTransport without ioredis installed', () => {
  it('rejects with RedisClientMissingError naming the package, and tries loading again on the next call', async () => {
    const transport = new RedisTransport({ url: 'redis://127.0.0.1:1' });
    const sending = transport.send([{ id: 'a', headers: {}, body: new Uint8Array([1]) }]);
    await expect(sending).rejects.toBeInstanceOf(RedisClientMissingError);
    await expect(sending).rejects.toThrow('npm install ioredis');
    await expect(transport.setup()).rejects.toBeInstanceOf(RedisClientMissingError);
    await transport.close();
  });
});
