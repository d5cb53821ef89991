import { describe, expect, it } from 'vitest';
import { delayBucket, delayBuckets, MAX_DELAY_MS } from './delay-buckets.js';

describe('RabbitMQ delay buckets', () => {
  it('puts every delay in the smallest bucket that is at least as long, from the one series', () => {
    const series = delayBuckets();
    const wrong: number[] = [];
    for (let delay = 1; delay <= 100_000; delay++) {
      const bucket = delayBucket(delay);
      const index = series.indexOf(bucket);
      if (bucket < delay || index < 0 || (index > 0 && series[index - 1]! >= delay)) wrong.push(delay);
    }
    expect(wrong).toEqual([]);
  });

  it('keeps a bucket within 1.5 times its shortest delay, so head-of-line waits stay short', () => {
    const series = delayBuckets();
    series.slice(1).forEach((bucket, index) => expect(bucket / series[index]!).toBeLessThanOrEqual(2));
    for (const delay of [5, 100, 999, 1_025, 30_001, 3_600_000]) expect(delayBucket(delay) / delay).toBeLessThan(1.5);
    expect(delayBucket(1_000)).toBe(1_024);
    expect(delayBucket(1_100)).toBe(1_536);
  });

  it('caps the series at the largest x-message-ttl RabbitMQ takes', () => {
    expect(delayBucket(MAX_DELAY_MS)).toBe(MAX_DELAY_MS);
    expect(delayBucket(2 ** 31 + 1)).toBe(3 * 2 ** 30);
    expect(delayBuckets().at(-1)).toBe(MAX_DELAY_MS);
    expect(delayBuckets()).toHaveLength(64);
  });
});
