import { FAIL, PASS, type NodeFn, type NodeShape, type RunContext } from './compiled-types.ts';
import { compileLeaf } from './compile-leaf.ts';
import { escapeToken } from './pointer.ts';
import type { Condition, TopCondition } from './schema.ts';

/** One compiled node: its closure, whether it can throw, and its priority within its parent. */
type Compiled = { fn: NodeFn; canThrow: boolean; priority: number; shape: NodeShape };

export type RuleCompiler = {
  readonly rule: string;
  readonly named: Readonly<Record<string, TopCondition>>;
  /** Position of each fact in the run's values. */
  readonly slots: ReadonlyMap<string, number>;
  nextId: number;
};

export function compileCondition(node: Condition, pointer: string, rc: RuleCompiler): Compiled {
  // A node's own priority, else 1: facts passed to run() carry the default priority.
  const priority = node.priority || 1;
  if ('all' in node) return compileList('all', node.all, pointer, priority, rc);
  if ('any' in node) return compileList('any', node.any, pointer, priority, rc);
  if ('not' in node) return compileNot(node.not, pointer, priority, rc);
  if ('condition' in node) return compileReference(node.condition, pointer, priority, rc);
  return { ...compileLeaf(node, pointer, rc.nextId++, rc), priority };
}

function compileReference(name: string, pointer: string, priority: number, rc: RuleCompiler): Compiled {
  const target = Object.hasOwn(rc.named, name) ? rc.named[name] : undefined;
  if (target === undefined) throw new Error(`${pointer}: unknown condition "${name}"`);
  const id = rc.nextId++;
  const inner = compileCondition(target, `/conditions/${escapeToken(name)}`, rc);
  // Inlined: the reference's result is its target's, so explain() reads it from the child.
  const shape: NodeShape = { kind: 'condition', id, pointer, name, children: [inner.shape] };
  return { fn: inner.fn, canThrow: inner.canThrow, priority, shape };
}

function compileNot(child: Condition, pointer: string, priority: number, rc: RuleCompiler): Compiled {
  const id = rc.nextId++;
  const inner = compileCondition(child, `${pointer}/not`, rc);
  const run = inner.fn;
  const fn: NodeFn = (c) => {
    const result = !run(c);
    if (c.trace !== null) c.trace.results[id] = result ? PASS : FAIL;
    return result;
  };
  return { fn, canThrow: inner.canThrow, priority, shape: { kind: 'not', id, pointer, children: [inner.shape] } };
}

type Group = { members: NodeFn[]; exhaustive: boolean };

function compileList(kind: 'all' | 'any', list: readonly Condition[], pointer: string, priority: number, rc: RuleCompiler): Compiled {
  const id = rc.nextId++;
  const children = list.map((child, i) => compileCondition(child, `${pointer}/${kind}/${i}`, rc));
  const shape: NodeShape = { kind, id, pointer, children: children.map((c) => c.shape) };
  const canThrow = children.some((c) => c.canThrow);
  return { fn: listFn(kind, id, children), canThrow, priority, shape };
}

function listFn(kind: 'all' | 'any', id: number, children: readonly Compiled[]): NodeFn {
  if (children.length === 0) {
    // The reference resolves an empty list to true for "any" as well as "all".
    return (c) => {
      if (c.trace !== null) c.trace.results[id] = PASS;
      return true;
    };
  }
  if (children.length === 1) {
    const only = children[0].fn;
    return (c) => {
      const result = only(c);
      if (c.trace !== null) c.trace.results[id] = result ? PASS : FAIL;
      return result;
    };
  }
  const groups = groupByPriority(children);
  if (groups.length === 1) return singleGroupFn(kind, id, groups[0]);
  const runGroup = kind === 'all' ? allOf : anyOf;
  // "all" stops at the first failing group, "any" at the first passing one.
  const stopOn = kind === 'any';
  return (c) => {
    let result = !stopOn;
    for (let g = 0; g < groups.length; g++) {
      if (runGroup(groups[g], c) === stopOn) {
        result = stopOn;
        break;
      }
    }
    if (c.trace !== null) c.trace.results[id] = result ? PASS : FAIL;
    return result;
  };
}

/** The common case (no priorities inside the list), without the per-group indirection. */
function singleGroupFn(kind: 'all' | 'any', id: number, group: Group): NodeFn {
  const members = group.members;
  const exhaustive = group.exhaustive;
  const stopOn = kind === 'any';
  return (c) => {
    let result = !stopOn;
    if (exhaustive || c.full) {
      for (let i = 0; i < members.length; i++) if (members[i](c) === stopOn) result = stopOn;
    } else {
      for (let i = 0; i < members.length; i++) {
        if (members[i](c) === stopOn) {
          result = stopOn;
          break;
        }
      }
    }
    if (c.trace !== null) c.trace.results[id] = result ? PASS : FAIL;
    return result;
  };
}

/** Highest priority first; a group is exhaustive (no short-circuit) when a member could throw, as Promise.all would surface it. */
function groupByPriority(children: readonly Compiled[]): Group[] {
  const byPriority = new Map<number, Compiled[]>();
  for (const child of children) {
    const members = byPriority.get(child.priority);
    if (members === undefined) byPriority.set(child.priority, [child]);
    else members.push(child);
  }
  return [...byPriority.keys()]
    .sort((a, b) => b - a)
    .map((p) => {
      const members = byPriority.get(p) as Compiled[];
      return { members: members.map((m) => m.fn), exhaustive: members.some((m) => m.canThrow) };
    });
}

function allOf(group: Group, c: RunContext): boolean {
  const members = group.members;
  if (group.exhaustive || c.full) {
    let ok = true;
    for (let i = 0; i < members.length; i++) if (!members[i](c)) ok = false;
    return ok;
  }
  for (let i = 0; i < members.length; i++) if (!members[i](c)) return false;
  return true;
}

function anyOf(group: Group, c: RunContext): boolean {
  const members = group.members;
  if (group.exhaustive || c.full) {
    let ok = false;
    for (let i = 0; i < members.length; i++) if (members[i](c)) ok = true;
    return ok;
  }
  for (let i = 0; i < members.length; i++) if (members[i](c)) return true;
  return false;
}
