/** @jsxImportSource hono/jsx */
import type { ExplainNode, RuleExplanation } from '../../rules/explain.ts';
import type { Action } from '../../rules/schema.ts';
import { Badge } from './components.tsx';
import { operatorLabel } from './operator-words.ts';

export type DryRunResult = { source: 'draft' | { version: number } | null; fired: { rule: string; action: string }[]; rules: RuleExplanation[] };

function Outcome(p: { result: ExplainNode['result'] }) {
  if (p.result === 'pass') return <Badge tone="ok">pass</Badge>;
  if (p.result === 'fail') return <Badge tone="bad">fail</Badge>;
  return <Badge tone="neutral">not evaluated</Badge>;
}

/** Fact values can be whole objects (a participant); the gist is enough beside a comparison. */
function shown(value: unknown): string {
  if (value === undefined) return '(missing)';
  const text = JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}…` : text;
}

function Node(p: { node: ExplainNode }) {
  const n = p.node;
  if ('kind' in n) {
    const label = n.kind === 'all' ? 'all of' : n.kind === 'any' ? 'any of' : n.kind === 'not' ? 'not' : `condition “${n.name ?? ''}”`;
    return (
      <li>
        <strong>{label}</strong> <Outcome result={n.result} />
        {n.children.length > 0 && (
          <ul>
            {n.children.map((child) => (
              <Node node={child} />
            ))}
          </ul>
        )}
      </li>
    );
  }
  const value = n.valueRef ? `fact ${n.valueRef.fact}${n.valueRef.path ? ` ${n.valueRef.path}` : ''}` : shown(n.value);
  return (
    <li class="leaf">
      <code>
        {n.fact}
        {n.path ? ` ${n.path}` : ''}
      </code>{' '}
      {operatorLabel(n.operator)} <code>{value}</code> <Outcome result={n.result} />
      {n.result !== 'not-evaluated' && (
        <span class="muted small">
          {' '}
          was <code>{shown(n.factValue)}</code>
        </span>
      )}
    </li>
  );
}

function describeAction(a: Action): string {
  if (a.type === 'reward') return `reward ${a.params.amount} ${a.params.currency} (${a.params.kind}) to the ${a.params.to}`;
  if (a.type === 'cancel-rewards') return `cancel the rewards of the event at ${a.params.eventIdPath} (${a.params.reason})`;
  return `email “${a.params.template}” to the ${a.params.to}`;
}

/** Which rules fire, then each rule's conditions as evaluated: what passed, what failed, what was skipped. */
export function DryRunOutcome(p: { result: DryRunResult }) {
  const { result } = p;
  const source = result.source === 'draft' ? 'the rules in the editor' : result.source ? `version ${result.source.version}` : null;
  if (!source) return <p>This program has no active rules yet, so nothing runs. Save rules or run the editor’s draft.</p>;
  return (
    <>
      <p>
        Ran {source}:{' '}
        {result.fired.length ? (
          <>
            {result.fired.length} of {result.rules.length} rules fire.
          </>
        ) : (
          'no rule fires.'
        )}
      </p>
      {result.fired.length > 0 && (
        <ul aria-label="Rules that fire">
          {result.fired.map((f) => (
            <li>
              <strong>{f.rule}</strong> ({f.action})
            </li>
          ))}
        </ul>
      )}
      <h3>Explanation</h3>
      <Explanations rules={result.rules} />
    </>
  );
}

/** Each rule's conditions as evaluated, operators in words (the dry run's, and both sides of a backtest's changed event). */
export function Explanations(p: { rules: RuleExplanation[] }) {
  return (
    <>
      {p.rules.map((rule) => (
        <details class="rule-result" open={rule.fired || p.rules.length <= 5}>
          <summary>
            {rule.fired ? <Badge tone="ok">fires</Badge> : <Badge tone="neutral">does not fire</Badge>} {rule.name}{' '}
            <span class="muted small">priority {rule.priority}: {describeAction(rule.action)}</span>
          </summary>
          <ul class="tree">
            <Node node={rule.conditions} />
          </ul>
        </details>
      ))}
    </>
  );
}
