import { describe, expect, it } from 'vitest';
import { createOutcomeBatch, type Outcome } from '../../../plugins/mail/outcome-batch.ts';

// The write-behind's scheduling, with a writer that records what it is given
// (the SQL side is test/db/outcome-batch.test.ts).

function harness(windowMs = 5) {
  const writes: string[][] = [];
  let dues = 0;
  let idles = 0;
  const batch = createOutcomeBatch<string>({
    windowMs,
    write: async (outcomes: Outcome<string>[]) => {
      writes.push(outcomes.map((o) => `${o.id}=${o.changes}`));
      return new Set(outcomes.map((o) => o.id).filter((id) => id !== 'lost'));
    },
    due: () => {
      dues++;
      void batch.flush();
    },
    idle: () => idles++,
  });
  return { batch, writes, dues: () => dues, idles: () => idles };
}

describe('outcome batch', () => {
  it('writes outcomes that arrive within one window together, and says which rows were still ours', async () => {
    const h = harness();
    const results = Promise.all([h.batch.write('a', 'sent'), h.batch.write('b', 'failed'), h.batch.write('lost', 'sent')]);
    expect(h.batch.busy).toBe(true);
    expect(await results).toEqual([true, true, false]);
    expect(h.writes).toEqual([['a=sent', 'b=failed', 'lost=sent']]);
    expect(h.dues()).toBe(1);
    expect(h.batch.busy).toBe(false);
    expect(h.idles()).toBe(1);
  });

  it('hands pending outcomes to a claim, and takes them back when its transaction failed', async () => {
    const h = harness(1000);
    const a = h.batch.write('a', 'sent');
    const first = h.batch.take();
    expect(first.outcomes).toEqual([{ id: 'a', changes: 'sent' }]);
    first.settle(null);
    // Still pending: the next taker gets it again, and its commit resolves the writer.
    expect(h.batch.busy).toBe(true);
    const second = h.batch.take();
    expect(second.outcomes).toEqual([{ id: 'a', changes: 'sent' }]);
    second.settle(new Set(['a']));
    expect(await a).toBe(true);
    expect(h.writes).toEqual([]);
    // Written by the claim: not busy for the rest of the window.
    expect(h.batch.busy).toBe(false);
    expect(h.idles()).toBe(1);
  });
});
