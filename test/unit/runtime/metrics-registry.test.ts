import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../../runtime/metrics/registry.ts';

describe('metrics registry (Prometheus text format 0.0.4)', () => {
  it('renders counters, cumulative histogram buckets and gauges', () => {
    const r = createRegistry();
    const c = r.counter('x_total', 'Things.');
    c.inc({ kind: 'a' });
    c.inc({ kind: 'a' }, 2);
    c.inc({ kind: 'b' });
    const h = r.histogram('x_seconds', 'Time.', [0.1, 1]);
    h.observe(0.05);
    h.observe(0.5);
    h.observe(5);
    expect(r.render([{ name: 'x_depth', help: 'Depth.', samples: [{ value: 3 }] }]).split('\n')).toEqual([
      '# HELP x_total Things.',
      '# TYPE x_total counter',
      'x_total{kind="a"} 3',
      'x_total{kind="b"} 1',
      '# HELP x_seconds Time.',
      '# TYPE x_seconds histogram',
      'x_seconds_bucket{le="0.1"} 1',
      'x_seconds_bucket{le="1"} 2',
      'x_seconds_bucket{le="+Inf"} 3',
      'x_seconds_sum 5.55',
      'x_seconds_count 3',
      '# HELP x_depth Depth.',
      '# TYPE x_depth gauge',
      'x_depth 3',
      '',
    ]);
  });

  it('escapes label values so no value can break a line or a label', () => {
    const r = createRegistry();
    r.counter('y_total', 'Y.').inc({ v: 'a"b\\c\nd' });
    expect(r.render()).toContain('y_total{v="a\\"b\\\\c\\nd"} 1\n');
  });
});
