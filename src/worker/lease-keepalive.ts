import type { Delivery, Transport } from '../transport/transport.js';

/**
 * Extends a delivery's lease every `leaseMs / 3` while its handler runs, so a long handler is
 * never redelivered while its worker lives. A failed extension is reported to `onError` and the
 * keepalive goes on: the next tick may succeed, and the handler is not interrupted for it.
 *
 * @returns a function that stops the keepalive; call it before the delivery is settled.
 */
export function keepLeaseAlive(transport: Transport, delivery: Delivery, leaseMs: number, onError: (error: unknown) => void): () => void {
  let pending = false;
  const timer = setInterval(() => {
    // A slow broker must not pile up extensions; the next tick retries.
    if (pending) return;
    pending = true;
    transport.extendLease(delivery, leaseMs).then(
      () => (pending = false),
      (error: unknown) => {
        pending = false;
        onError(error);
      },
    );
  }, Math.max(1, Math.floor(leaseMs / 3)));
  return () => {
    clearInterval(timer);
  };
}
