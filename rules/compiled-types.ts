import type { Meter } from './budget.ts';
import type { FactName } from './facts.ts';
import type { Action, FactRef } from './schema.ts';

/** Per-rule record of one traced run, indexed by node id. */
export type Trace = { results: Uint8Array; factValues: unknown[]; values: unknown[] };
export const NOT_EVALUATED = 0;
export const PASS = 1;
export const FAIL = 2;

/** Stands for a fact absent from the run's facts; reading it throws, as in the reference. */
export const MISSING: unique symbol = Symbol('missing fact');

/**
 * State of one evaluation: the facts' values by slot (CompiledRuleset.facts
 * order). `full` makes every group evaluate all its members, as the reference
 * does; it is needed only when a fact is missing, because then any leaf
 * reading it throws. It is also the run's meter (budget.ts): the work spent so
 * far against the run's limit.
 */
export type RunContext = Meter & { readonly values: readonly unknown[]; readonly full: boolean; trace: Trace | null };

export type NodeFn = (c: RunContext) => boolean;

export type LeafShape = {
  readonly kind: 'leaf';
  readonly id: number;
  readonly pointer: string;
  readonly fact: string;
  /** A history fact's params. */
  readonly params?: Readonly<Record<string, unknown>>;
  readonly path?: string;
  readonly operator: string;
  /** The constant, or the reference when `valueRef` is set. */
  readonly value: unknown;
  readonly valueRef: FactRef | null;
};

export type BranchShape = {
  readonly kind: 'all' | 'any' | 'not' | 'condition';
  readonly id: number;
  readonly pointer: string;
  readonly name?: string;
  readonly children: readonly NodeShape[];
};

/** Static description of a compiled condition, for explain(). */
export type NodeShape = LeafShape | BranchShape;

export type FiredRule = { readonly name: string; readonly priority: number; readonly action: Action };

export type CompiledRule = {
  readonly name: string;
  readonly priority: number;
  readonly action: Action;
  /** JSON pointer of the rule in the ruleset document. */
  readonly pointer: string;
  readonly run: NodeFn;
  readonly shape: NodeShape;
  /** Number of node ids used by the rule, for sizing a trace. */
  readonly size: number;
  /** Shared, frozen result entry: firing allocates nothing. */
  readonly fired: FiredRule;
};

export type CompiledRuleset = {
  /** Priority descending, then document order. */
  readonly rules: readonly CompiledRule[];
  /** Every fact name the rules read; a leaf reads its fact by position in this list. */
  /** The slot of each fact read: a fact's name, or a history fact's key (history-facts.ts). */
  readonly facts: readonly string[];
};
