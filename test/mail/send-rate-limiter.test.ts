import { describe, expect, it } from 'vitest';
import { createSendRateLimiter } from '../../plugins/mail/send-rate-limiter.ts';

// The limiter computes each send's slot when it is asked; a waiting send
// sleeps once, until its slot. Time is injected so the schedule itself is
// what the test reads.

function virtualTime() {
  let t = 0;
  const sleeps: number[] = [];
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
    sleeps,
    sleep: async (ms: number) => {
      sleeps.push(ms);
    },
  };
}

describe('the per-tenant send rate limiter', () => {
  it('lets a second of burst through, then gives each waiting send its own slot, one sleep each', async () => {
    const time = virtualTime();
    const limiter = createSendRateLimiter(10, time);
    await Promise.all(Array.from({ length: 25 }, () => limiter.take('t1')));
    // 10 at once, then one every 100 ms: 15 sleeps in all, not a polling loop per waiter.
    expect(time.sleeps).toEqual(Array.from({ length: 15 }, (_, i) => (i + 1) * 100));
  });

  it('keeps tenants apart: one tenant waiting does not delay another', async () => {
    const time = virtualTime();
    const limiter = createSendRateLimiter(2, time);
    for (let i = 0; i < 6; i++) await limiter.take('busy');
    expect(time.sleeps).toEqual([500, 1000, 1500, 2000]);
    await limiter.take('quiet');
    expect(time.sleeps).toHaveLength(4);
  });

  it('refills as time passes, up to one second of burst and no more', async () => {
    const time = virtualTime();
    const limiter = createSendRateLimiter(4, time);
    for (let i = 0; i < 4; i++) await limiter.take('t');
    expect(time.sleeps).toEqual([]);
    time.advance(500); // two sends' worth
    for (let i = 0; i < 3; i++) await limiter.take('t');
    expect(time.sleeps).toEqual([250]);
    time.advance(60_000); // a long pause earns a full bucket, not a minute's worth
    for (let i = 0; i < 5; i++) await limiter.take('t');
    expect(time.sleeps).toEqual([250, 250]);
  });
});
