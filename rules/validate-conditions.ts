import { FACT_SHAPES, type FactName, type FactShape } from './facts.ts';
import { findUnsafeConstant } from './json-safety.ts';
import { analyzeOperator, constantOperand, factOperand, parseOperator } from './operators.ts';
import { FORBIDDEN_SEGMENTS, parsePath } from './path.ts';
import { isFactRef, type Condition, type LeafCondition } from './schema.ts';
import { HISTORY_FACT_NAMES, historyParamsProblem, isHistoryFact } from './history-facts.ts';

export type IssueSink = (pointer: string, message: string) => void;

/** A `{condition: name}` site, with the depth the reference occupies in its own tree. */
export type RefSite = { name: string; pointer: string; depth: number };

/** A condition tree before references are expanded. */
export type TreeInfo = { pointer: string; height: number; size: number; refs: RefSite[] };

/** Local checks of one condition tree; references are collected for the global pass. */
export function checkTree(root: Condition, pointer: string, add: IssueSink): TreeInfo {
  const info: TreeInfo = { pointer, height: 0, size: 0, refs: [] };
  const walk = (node: Condition, at: string, depth: number): void => {
    info.size++;
    if (depth > info.height) info.height = depth;
    if ('all' in node) node.all.forEach((child, i) => walk(child, `${at}/all/${i}`, depth + 1));
    else if ('any' in node) {
      // The reference resolves an empty "any" to true; refusing it avoids a rule that fires on nothing.
      if (node.any.length === 0) add(`${at}/any`, '"any" needs at least one condition (json-rules-engine treats an empty "any" as true)');
      node.any.forEach((child, i) => walk(child, `${at}/any/${i}`, depth + 1));
    } else if ('not' in node) walk(node.not, `${at}/not`, depth + 1);
    else if ('condition' in node) info.refs.push({ name: node.condition, pointer: `${at}/condition`, depth });
    else checkLeaf(node, at, add);
  };
  walk(root, pointer, 1);
  return info;
}

function checkLeaf(leaf: LeafCondition, at: string, add: IssueSink): void {
  const op = parseOperator(leaf.operator);
  if ('error' in op) add(`${at}/operator`, op.error);
  if (isHistoryFact(leaf.fact)) {
    const problem = historyParamsProblem(leaf.fact, leaf.params);
    if (problem !== null) add(`${at}/params${problem.pointer}`, problem.message);
    if (leaf.path !== undefined) add(`${at}/path`, `the fact "${leaf.fact}" is a number; json-rules-engine ignores a path on it`);
  } else {
    if (leaf.params !== undefined) add(`${at}/params`, `only history facts (${HISTORY_FACT_NAMES.join(', ')}) take params; "${leaf.fact}" does not`);
    if (leaf.path !== undefined) checkPath(leaf.fact, leaf.path, `${at}/path`, add);
  }
  const value = leaf.value;
  if (isFactRef(value)) {
    if (value.path !== undefined) checkPath(value.fact, value.path, `${at}/value/path`, add);
    return;
  }
  const unsafe = findUnsafeConstant(value);
  if (unsafe !== null) {
    add(`${at}/value${unsafe.pointer}`, unsafe.message);
    return;
  }
  if ('error' in op) return;
  const refusal = analyzeOperator(op, factOperand, constantOperand(value)).refusal;
  if (refusal !== null) add(`${at}/value`, refusal);
}

const PATH_HELP = 'a path is "$" followed by .name or [index] segments; filters, wildcards, recursion and quotes are not supported';

export function checkPath(fact: FactName, path: string, at: string, add: IssueSink): void {
  const segments = parsePath(path);
  if (segments === null) {
    const forbidden = [...FORBIDDEN_SEGMENTS].find((word) => path.includes(word));
    add(at, forbidden === undefined ? PATH_HELP : `the path segment "${forbidden}" is not allowed`);
    return;
  }
  const problem = shapeProblem(fact, FACT_SHAPES[fact], segments);
  if (problem !== null) add(at, problem);
}

function shapeProblem(fact: FactName, top: FactShape, segments: readonly string[]): string | null {
  // For a non-object fact the almanac ignores the path and returns the whole value, which a path would only hide.
  if (typeof top === 'string' && top !== 'any' && segments.length > 0) {
    return `the fact "${fact}" is not an object; json-rules-engine ignores a path on it`;
  }
  let shape = top;
  let where: string = fact;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    if (shape === 'any') return null;
    if (shape === 'scalar') return `"${where}" has no fields`;
    if (shape === 'string') {
      const last = i === segments.length - 1;
      return last && (segment === 'length' || /^[0-9]+$/.test(segment)) ? null : `"${where}" is a string: only .length or one [index] may follow`;
    }
    if (!Object.hasOwn(shape, segment)) return `"${where}" has no field "${segment}"; known fields: ${Object.keys(shape).join(', ')}`;
    shape = shape[segment];
    where = `${where}.${segment}`;
  }
  return null;
}
