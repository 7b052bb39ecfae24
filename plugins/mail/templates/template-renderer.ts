import type { Liquid, Template } from 'liquidjs';
import type { TemplateSource } from './default-templates.ts';
import { createEngine, describeTemplateError, parseBounded, renderBounded } from './liquid-engine.ts';

// LiquidJS interprets templates without eval, so it runs on Workers too. HTML
// output escapes every variable; the text part and the subject do not (they are
// not HTML), and the subject is folded to one line so it cannot add headers.

const htmlEngine = createEngine({ escapeHtml: true });
const textEngine = createEngine({ escapeHtml: false });

// Parsing dominates rendering; the same few templates render for every event,
// so parsed forms are kept (bounded, oldest dropped first). A template that
// does not parse is kept as its error: a broken stored template costs each
// event a lookup, not a parse.
const PARSED_LIMIT = 500;
const parsed = new Map<string, Template[] | Error>();

function parse(engine: Liquid, source: string): Template[] {
  const key = (engine === htmlEngine ? 'h\u0000' : 't\u0000') + source;
  let templates = parsed.get(key);
  if (!templates) {
    try {
      templates = parseBounded(engine, source);
    } catch (error) {
      templates = error instanceof Error ? error : new Error(String(error));
    }
    if (parsed.size >= PARSED_LIMIT) parsed.delete(parsed.keys().next().value!);
    parsed.set(key, templates);
  }
  if (templates instanceof Error) throw templates;
  return templates;
}

export type RenderedMail = { subject: string; html: string; text: string };
export type TemplateField = keyof RenderedMail;
export type TemplateIssue = { pointer: string; message: string };

/** A template that does not parse, exceeds a limit or fails to render; `pointer` names the field. */
export class TemplateError extends Error {
  constructor(
    readonly pointer: string,
    message: string,
  ) {
    super(message);
  }
}

const FIELDS = ['subject', 'html', 'text'] as const;

function renderField(field: TemplateField, source: string, data: Record<string, unknown>): string {
  const engine = field === 'html' ? htmlEngine : textEngine;
  try {
    const out = renderBounded(engine, parse(engine, source), data);
    return field === 'subject' ? out.replace(/[\r\n\u0000]+/g, ' ').trim().slice(0, 300) : out;
  } catch (error) {
    throw new TemplateError(`/${field}`, describeTemplateError(error));
  }
}

/** Renders all three parts, or throws a TemplateError naming the first part that failed. */
export function renderTemplate(source: TemplateSource, data: Record<string, unknown>): RenderedMail {
  return { subject: renderField('subject', source.subject, data), html: renderField('html', source.html, data), text: renderField('text', source.text, data) };
}

/**
 * Renders each part with sample data and reports every part that fails, for
 * PUT …/templates/:key and the preview: a template is accepted only when it
 * parses and renders within the limits.
 */
export function tryTemplate(source: TemplateSource, sample: Record<string, unknown>): { ok: true; rendered: RenderedMail } | { ok: false; issues: TemplateIssue[] } {
  const rendered: Partial<RenderedMail> = {};
  const issues: TemplateIssue[] = [];
  for (const field of FIELDS) {
    try {
      rendered[field] = renderField(field, source[field], sample);
    } catch (error) {
      const e = error as TemplateError;
      issues.push({ pointer: e.pointer, message: e.message });
    }
  }
  return issues.length ? { ok: false, issues } : { ok: true, rendered: rendered as RenderedMail };
}
