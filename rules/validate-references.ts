import { MAX_DEPTH } from './schema.ts';
import type { IssueSink, TreeInfo } from './validate-conditions.ts';

/** References are inlined at compile time; these bound the expanded size. */
export const MAX_RULE_NODES = 5_000;
export const MAX_TOTAL_NODES = 100_000;

type Expanded = { height: number; size: number };

/**
 * Global reference checks: unknown names, cycles, and the depth and size a
 * rule reaches once every reference is replaced by its condition.
 * `declared` holds every name in the document, including those whose own
 * tree failed to parse, so one mistake is not reported twice.
 */
export function checkReferences(rules: readonly TreeInfo[], named: ReadonlyMap<string, TreeInfo>, declared: ReadonlySet<string>, add: IssueSink): void {
  const trees = [...rules, ...named.values()];
  for (const tree of trees) {
    for (const ref of tree.refs) if (!declared.has(ref.name)) add(ref.pointer, `unknown condition "${ref.name}"`);
  }
  const cyclic = findCycles(named, add);
  const memo = new Map<string, Expanded>();
  const expand = (name: string): Expanded | null => {
    const tree = named.get(name);
    if (tree === undefined || cyclic.has(name)) return null;
    const known = memo.get(name);
    if (known !== undefined) return known;
    const result = expandTree(tree, expand);
    memo.set(name, result);
    return result;
  };
  for (const tree of trees) {
    for (const ref of tree.refs) {
      const target = expand(ref.name);
      // The reference engine replaces the reference by its condition, so the target's root takes the reference's depth.
      if (target !== null && ref.depth - 1 + target.height > MAX_DEPTH) {
        add(ref.pointer, `through "${ref.name}" the conditions nest deeper than ${MAX_DEPTH} levels`);
      }
    }
  }
  let total = 0;
  for (const tree of rules) {
    const size = expandTree(tree, expand).size;
    total += size;
    if (size > MAX_RULE_NODES) add(tree.pointer, `this rule has ${size} conditions once references are expanded; the limit is ${MAX_RULE_NODES}`);
  }
  if (total > MAX_TOTAL_NODES) add('/rules', `the rules have ${total} conditions once references are expanded; the limit is ${MAX_TOTAL_NODES}`);
}

function expandTree(tree: TreeInfo, expand: (name: string) => Expanded | null): Expanded {
  let { height, size } = tree;
  for (const ref of tree.refs) {
    const target = expand(ref.name);
    if (target === null) continue;
    height = Math.max(height, ref.depth - 1 + target.height);
    size += target.size;
  }
  return { height, size };
}

/** Reports each cycle once, at the reference that closes it; returns every name on a cycle. */
function findCycles(named: ReadonlyMap<string, TreeInfo>, add: IssueSink): Set<string> {
  const state = new Map<string, 'active' | 'done'>();
  const cyclic = new Set<string>();
  const stack: string[] = [];
  const visit = (name: string): void => {
    state.set(name, 'active');
    stack.push(name);
    for (const ref of (named.get(name) as TreeInfo).refs) {
      if (!named.has(ref.name)) continue;
      const seen = state.get(ref.name);
      if (seen === 'active') {
        const loop = stack.slice(stack.indexOf(ref.name));
        for (const member of loop) cyclic.add(member);
        add(ref.pointer, `circular reference: ${[...loop, ref.name].map((n) => `"${n}"`).join(' -> ')}`);
      } else if (seen === undefined) visit(ref.name);
    }
    stack.pop();
    state.set(name, 'done');
  };
  for (const name of named.keys()) if (!state.has(name)) visit(name);
  return cyclic;
}
