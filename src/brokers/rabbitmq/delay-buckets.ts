/**
 * The delay buckets of the RabbitMQ transport.
 *
 * A delayed message waits in a delay queue whose messages expire into the main queue (per-message
 * `expiration` plus the queue's dead-letter exchange; no plugin). One queue per exact delay would
 * mean countless queues; one queue for all delays would let a long delay at the head hold up
 * every shorter one behind it (RabbitMQ expires messages only at the head). So delays are
 * grouped into buckets whose bounds grow by 1.5× and 1.33× in turn (1, 2, 3, 4, 6, 8, 12, 16,
 * 24, … ms): each message expires after exactly its own delay, and one can only be held up by
 * an earlier one of the same bucket, by at most half its own delay. A bucket's queue also
 * expires messages at its upper bound (`x-message-ttl`) as a backstop.
 */

/** The longest delay a message can have, in milliseconds: RabbitMQ's largest `x-message-ttl` (2^32 − 1, about 49.7 days). */
export const MAX_DELAY_MS = 4_294_967_295;

/**
 * The upper bound of the bucket for `delayMs`: the smallest of 1, 2, 3, 4, 6, 8, 12, … (powers
 * of two and 1.5 times powers of two) that is at least `delayMs`, capped at {@link MAX_DELAY_MS}.
 *
 * @param delayMs a whole number of milliseconds, at least 1.
 */
export function delayBucket(delayMs: number): number {
  if (delayMs <= 1) return 1;
  let power = 2 ** Math.ceil(Math.log2(delayMs));
  // Math.log2 may round down just above a power of two.
  if (power < delayMs) power *= 2;
  const between = (power / 4) * 3;
  return Math.min(MAX_DELAY_MS, between >= delayMs && between >= 2 ? between : power);
}

/** The delay queue arguments: quorum, the bucket as TTL, expiring into `queue` with at-least-once dead-lettering. */
export function delayQueueArguments(queue: string, bucketMs: number): Record<string, unknown> {
  return {
    'x-queue-type': 'quorum',
    'x-message-ttl': bucketMs,
    'x-dead-letter-exchange': '',
    'x-dead-letter-routing-key': queue,
    // At-least-once dead-lettering (RabbitMQ 3.10+) needs reject-publish overflow; it keeps an
    // expiring message until the main queue has confirmed it.
    'x-dead-letter-strategy': 'at-least-once',
    'x-overflow': 'reject-publish',
  };
}

/** Every bucket bound from 1 ms to {@link MAX_DELAY_MS}, shortest first: the delay queues a transport can create. */
export function delayBuckets(): number[] {
  const buckets = [1];
  for (let power = 2; power <= 2 * MAX_DELAY_MS; power *= 2) {
    if (power >= 4) buckets.push((power / 4) * 3);
    buckets.push(Math.min(power, MAX_DELAY_MS));
  }
  return buckets;
}
