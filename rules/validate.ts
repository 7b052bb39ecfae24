import * as v from 'valibot';
import { findUnsafeConstant, HOSTILE_KEYS } from './json-safety.ts';
import { escapeToken } from './pointer.ts';
import {
  conditionName,
  isPlainObject,
  MAX_DEPTH,
  MAX_NAMED_CONDITIONS,
  MAX_RULES,
  rule as ruleSchema,
  action,
  shell,
  topCondition,
  type Rule,
  type Ruleset,
  type TopCondition,
} from './schema.ts';
import { checkTree, type TreeInfo } from './validate-conditions.ts';
import { factsUsed } from './facts.ts';
import { historyQueryOf, MAX_HISTORY_FACTS } from './history-facts.ts';
import { checkReferences } from './validate-references.ts';

export { hasHostileKeys, HOSTILE_KEYS } from './json-safety.ts';
export { MAX_DEPTH, MAX_NAMED_CONDITIONS, MAX_RULES } from './schema.ts';
export { MAX_RULE_NODES, MAX_TOTAL_NODES } from './validate-references.ts';

export type ValidationIssue = { pointer: string; message: string };
export type ValidationContext = { templateExists(key: string): boolean };
export type ValidationResult = { ok: true; ruleset: Ruleset } | { ok: false; issues: ValidationIssue[] };

/** Enough to fix a document; a response listing thousands of problems helps nobody. */
export const MAX_ISSUES = 200;

const ALL_ISSUES = { abortEarly: false } as const;

export function validateRuleset(doc: unknown, ctx: ValidationContext): ValidationResult {
  const issues: ValidationIssue[] = [];
  const add = (pointer: string, message: string): void => {
    if (issues.length < MAX_ISSUES) issues.push({ pointer, message });
  };
  const done = (ruleset: Ruleset): ValidationResult => (issues.length > 0 ? { ok: false, issues } : { ok: true, ruleset });

  if (!isPlainObject(doc)) return (add('', 'a ruleset must be an object like {"rules": [...]}'), done({ rules: [] }));
  // Counted before parsing so an oversized document costs nothing.
  if (Array.isArray(doc.rules) && doc.rules.length > MAX_RULES) add('/rules', `at most ${MAX_RULES} rules are allowed`);
  if (isPlainObject(doc.conditions) && Object.keys(doc.conditions).length > MAX_NAMED_CONDITIONS) {
    add('/conditions', `at most ${MAX_NAMED_CONDITIONS} shared conditions are allowed`);
  }
  if (issues.length > 0) return done({ rules: [] });
  const top = v.safeParse(shell, doc, ALL_ISSUES);
  if (!top.success) return (addValibotIssues(top.issues, '', add), done({ rules: [] }));

  const rawRules = top.output.rules;
  const rawNamed = top.output.conditions ?? {};
  const declared = new Set(Object.keys(rawNamed));

  const rules: Rule[] = [];
  const ruleTrees: TreeInfo[] = [];
  rawRules.forEach((raw, i) => {
    const at = `/rules/${i}`;
    if (isPlainObject(raw) && tooDeep(raw.conditions, `${at}/conditions`, add)) return;
    const parsed = v.safeParse(ruleSchema, raw, ALL_ISSUES);
    if (!parsed.success) {
      addValibotIssues(parsed.issues, at, add);
      // A broken part should not hide problems in the other: each part that
      // parses on its own still gets its semantic checks.
      const event = isPlainObject(raw) ? v.safeParse(action, raw.event) : null;
      if (event?.success) checkAction({ event: event.output } as Rule, at, ctx, add);
      const conditions = isPlainObject(raw) ? v.safeParse(topCondition, raw.conditions) : null;
      if (conditions?.success) checkTree(conditions.output, `${at}/conditions`, add);
      return;
    }
    const rule = parsed.output;
    rules.push(rule);
    ruleTrees.push(checkTree(rule.conditions, `${at}/conditions`, add));
    checkAction(rule, at, ctx, add);
  });
  checkDuplicateNames(rawRules, add);

  const named: Record<string, TopCondition> = {};
  const namedTrees = new Map<string, TreeInfo>();
  for (const [name, raw] of Object.entries(rawNamed)) {
    const at = `/conditions/${escapeToken(name)}`;
    if (HOSTILE_KEYS.has(name)) {
      add(at, `"${name}" is not allowed as a condition name`);
      continue;
    }
    const nameCheck = v.safeParse(conditionName, name);
    if (!nameCheck.success) {
      add(at, nameCheck.issues[0].message);
      continue;
    }
    if (tooDeep(raw, at, add)) continue;
    const parsed = v.safeParse(topCondition, raw, ALL_ISSUES);
    if (!parsed.success) {
      addValibotIssues(parsed.issues, at, add);
      continue;
    }
    named[name] = parsed.output;
    namedTrees.set(name, checkTree(parsed.output, at, add));
  }
  checkReferences(ruleTrees, namedTrees, declared, add);
  // Each distinct history question is a query per event: bounded per ruleset.
  const history = [...factsUsed({ rules, conditions: named })].filter((key) => historyQueryOf(key) !== null);
  if (history.length > MAX_HISTORY_FACTS) add('/rules', `at most ${MAX_HISTORY_FACTS} distinct history facts (a fact with its params) per ruleset; these rules ask ${history.length}`);
  return done(Object.keys(rawNamed).length > 0 || Object.hasOwn(doc, 'conditions') ? { rules, conditions: named } : { rules });
}

function checkAction(rule: Rule, at: string, ctx: ValidationContext, add: (p: string, m: string) => void): void {
  if (rule.event.type !== 'email') return;
  const { template, data } = rule.event.params;
  if (!ctx.templateExists(template)) add(`${at}/event/params/template`, `unknown template "${template}"`);
  if (data !== undefined) {
    const unsafe = findUnsafeConstant(data);
    if (unsafe !== null) add(`${at}/event/params/data${unsafe.pointer}`, unsafe.message);
  }
}

function checkDuplicateNames(rawRules: readonly unknown[], add: (p: string, m: string) => void): void {
  const first = new Map<string, number>();
  rawRules.forEach((raw, i) => {
    if (!isPlainObject(raw) || typeof raw.name !== 'string') return;
    const earlier = first.get(raw.name);
    if (earlier === undefined) first.set(raw.name, i);
    else add(`/rules/${i}/name`, `duplicate rule name "${raw.name}" (also /rules/${earlier})`);
  });
}

/**
 * Checked on the raw input before valibot recurses into it, so a hostile
 * document nested thousands of levels deep is refused without deep recursion.
 */
function tooDeep(node: unknown, at: string, add: (p: string, m: string) => void, depth = 1): boolean {
  if (!isPlainObject(node)) return false;
  if (depth > MAX_DEPTH) {
    add(at, `conditions nest deeper than ${MAX_DEPTH} levels`);
    return true;
  }
  for (const key of ['all', 'any'] as const) {
    const children = Object.hasOwn(node, key) ? node[key] : undefined;
    if (!Array.isArray(children)) continue;
    for (let i = 0; i < children.length; i++) if (tooDeep(children[i], `${at}/${key}/${i}`, add, depth + 1)) return true;
  }
  return Object.hasOwn(node, 'not') && tooDeep(node.not, `${at}/not`, add, depth + 1);
}

function addValibotIssues(list: readonly v.BaseIssue<unknown>[], base: string, add: (p: string, m: string) => void): void {
  for (const issue of list) {
    let pointer = base;
    for (const item of issue.path ?? []) pointer += `/${escapeToken(String(item.key))}`;
    add(pointer, messageOf(issue));
  }
}

function messageOf(issue: v.BaseIssue<unknown>): string {
  if (issue.type === 'strict_object') {
    const last = issue.path?.at(-1) as { origin?: string; key?: unknown } | undefined;
    if (issue.expected === 'never') return `unknown field "${String(issue.input)}"`;
    if (last?.origin === 'key') return `missing field ${issue.expected}`;
    return 'must be an object';
  }
  return issue.message;
}
