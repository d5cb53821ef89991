import { describe, expect, it } from 'vitest';
import { lazyClient } from './client-loader.js';

class ClientMissingError extends Error {
  override name = 'ClientMissingError';
}

describe('lazyClient', () => {
  it('imports nothing until first called, then shares the one import', async () => {
    let imports = 0;
    const load = lazyClient(
      () => {
        imports++;
        return Promise.resolve({ connect: 'client' });
      },
      (cause) => new ClientMissingError('missing', { cause }),
    );
    expect(imports).toBe(0);
    const [first, second] = await Promise.all([load(), load()]);
    expect(first).toBe(second);
    expect(await load()).toBe(first);
    expect(imports).toBe(1);
  });

  it('rejects with the adapter error, keeping the cause, and tries again on the next call', async () => {
    const cause = new Error("Cannot find package 'ioredis'");
    let attempts = 0;
    const load = lazyClient(
      () => (++attempts === 1 ? Promise.reject(cause) : Promise.resolve('loaded')),
      (error) => new ClientMissingError('install ioredis', { cause: error }),
    );
    const failure = load();
    await expect(failure).rejects.toBeInstanceOf(ClientMissingError);
    await expect(failure).rejects.toHaveProperty('cause', cause);
    expect(await load()).toBe('loaded');
    expect(attempts).toBe(2);
  });

  it('turns a load that throws synchronously into the adapter error too', async () => {
    const load = lazyClient(
      () => {
        throw new Error('sync');
      },
      () => new ClientMissingError('missing'),
    );
    await expect(load()).rejects.toBeInstanceOf(ClientMissingError);
  });
});
