import { FAIL, MISSING, PASS, type NodeFn, type NodeShape, type RunContext } from './compiled-types.ts';
import { EvaluationError } from './evaluation-error.ts';
import { factKey } from './history-facts.ts';
import { analyzeOperator, buildComparator, buildConstantTest, constantOperand, factOperand, parseOperator, type ParsedOperator } from './operators.ts';
import { parsePath, resolvePath } from './path.ts';
import { isFactRef, type FactRef, type LeafCondition } from './schema.ts';

/** A compiled leaf: its closure, whether it can throw (decided from the operator and its operands), and its shape. */
export type CompiledLeaf = { fn: NodeFn; canThrow: boolean; shape: NodeShape };

/** Where a leaf's fact is in the run's values, and how the leaf is named in errors. */
export type LeafContext = { readonly rule: string; readonly slots: ReadonlyMap<string, number> };

/** Pre-parsed path; null when there is none or it is "$" alone (both read the fact itself). */
function segmentsOf(path: string | undefined, pointer: string): string[] | null {
  if (path === undefined) return null;
  const segments = parsePath(path);
  if (segments === null) throw new Error(`${pointer}: refused path ${JSON.stringify(path)}`);
  return segments.length === 0 ? null : segments;
}

export function compileLeaf(leaf: LeafCondition, pointer: string, id: number, rc: LeafContext): CompiledLeaf {
  const op = parseOperator(leaf.operator);
  if ('error' in op) throw new Error(`${pointer}/operator: ${op.error}`);
  const subject: Subject = { fact: leaf.fact, slot: slotOf(rc, factKey(leaf.fact, leaf.params)), path: segmentsOf(leaf.path, `${pointer}/path`), rule: rc.rule, pointer, id };
  const value = leaf.value;
  const ref = isFactRef(value) ? value : null;
  const shape: NodeShape = { kind: 'leaf', id, pointer, fact: leaf.fact, ...(leaf.params !== undefined ? { params: leaf.params } : {}), path: leaf.path, operator: leaf.operator, value, valueRef: ref };
  const analysis = analyzeOperator(op, factOperand, ref === null ? constantOperand(value) : factOperand);
  const fn = ref === null ? constantLeaf(op, value, subject) : referenceLeaf(op, ref, slotOf(rc, ref.fact), subject);
  return { fn, canThrow: analysis.canThrow, shape };
}

/** What a leaf reads: a fact, through an optional path (null when there is none or it is just "$"). */
type Subject = { fact: string; slot: number; path: string[] | null; rule: string; pointer: string; id: number };

function slotOf(rc: LeafContext, fact: string): number {
  const slot = rc.slots.get(fact);
  if (slot === undefined) throw new Error(`no slot for fact "${fact}"`);
  return slot;
}

function missingFact(s: Subject, fact: string): EvaluationError {
  return new EvaluationError(s.rule, s.pointer, new Error(`Undefined fact: ${fact}`));
}

// The fact read is written out in each closure: it is the hot path, and an extra call per leaf shows in the bench.
function constantLeaf(op: ParsedOperator, constant: unknown, s: Subject): NodeFn {
  if (op.base === 'equal' && op.decorators.length === 0) return equalLeaf(constant, s);
  const { fact, slot, path, id } = s;
  const test = buildConstantTest(op, constant);
  return (c) => {
    let a = c.values[slot];
    if (a === MISSING) throw missingFact(s, fact);
    if (path !== null && a !== null && typeof a === 'object') a = resolvePath(a, path);
    let result: boolean;
    try {
      result = test(a, c) === true;
    } catch (error) {
      throw new EvaluationError(s.rule, s.pointer, error);
    }
    if (c.trace !== null) record(c, id, result, a, constant);
    return result;
  };
}

/** The most common leaf; `===` cannot throw, so no guard is needed, and against a constant it costs no more than the constant (not charged). */
function equalLeaf(constant: unknown, s: Subject): NodeFn {
  const { fact, slot, path, id } = s;
  return (c) => {
    let a = c.values[slot];
    if (a === MISSING) throw missingFact(s, fact);
    if (path !== null && a !== null && typeof a === 'object') a = resolvePath(a, path);
    const result = a === constant;
    if (c.trace !== null) record(c, id, result, a, constant);
    return result;
  };
}

function referenceLeaf(op: ParsedOperator, ref: FactRef, refSlot: number, s: Subject): NodeFn {
  const { fact, slot, path, id } = s;
  const compare = buildComparator(op);
  const refFact = ref.fact;
  const refPath = segmentsOf(ref.path, `${s.pointer}/value/path`);
  return (c) => {
    const values = c.values;
    let b = values[refSlot];
    if (b === MISSING) throw missingFact(s, refFact);
    if (refPath !== null && b !== null && typeof b === 'object') b = resolvePath(b, refPath);
    let a = values[slot];
    if (a === MISSING) throw missingFact(s, fact);
    if (path !== null && a !== null && typeof a === 'object') a = resolvePath(a, path);
    let result: boolean;
    try {
      result = compare(a, b, c) === true;
    } catch (error) {
      throw new EvaluationError(s.rule, s.pointer, error);
    }
    if (c.trace !== null) record(c, id, result, a, b);
    return result;
  };
}

function record(c: RunContext, id: number, result: boolean, factValue: unknown, value: unknown): void {
  const trace = c.trace;
  if (trace === null) return;
  trace.results[id] = result ? PASS : FAIL;
  trace.factValues[id] = factValue;
  trace.values[id] = value;
}
