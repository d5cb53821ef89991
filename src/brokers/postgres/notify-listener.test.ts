import { describe, expect, it, vi } from 'vitest';
import type { PostgresConnection } from './connection.js';
import { NotifyListener } from './notify-listener.js';

describe('NotifyListener', () => {
  it('wakes the receives once when its LISTEN first takes effect, then once per NOTIFY of its queue', async () => {
    let deliver: (payload: string) => void = () => undefined;
    const listen = vi.fn((_channel: string, onNotify: (payload: string) => void) => {
      deliver = onNotify;
      return Promise.resolve({ close: () => undefined });
    });
    const connection = { listen } as unknown as PostgresConnection;
    const wake = vi.fn();
    const listener = new NotifyListener(connection, 'troopy_messages', 'public.emails', wake);
    listener.ensure();
    await vi.waitFor(() => {
      expect(wake).toHaveBeenCalledTimes(1);
    });
    deliver('public.other');
    deliver('public.emails');
    expect(wake).toHaveBeenCalledTimes(2);
    listener.ensure();
    listener.close();
    expect(listen).toHaveBeenCalledTimes(1);
  });
});
