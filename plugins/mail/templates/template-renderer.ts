import { Liquid, type Template } from 'liquidjs';
import type { TemplateSource } from './default-templates.ts';

// LiquidJS interprets templates without eval, so it runs on Workers too. HTML
// output escapes every variable; the text part and the subject do not (they are
// not HTML), and the subject is folded to one line so it cannot add headers.

const htmlEngine = new Liquid({ outputEscape: 'escape', ownPropertyOnly: true, strictFilters: true });
const textEngine = new Liquid({ ownPropertyOnly: true, strictFilters: true });

// Parsing dominates rendering; the same few templates render for every event,
// so parsed forms are kept (bounded, oldest dropped first).
const PARSED_LIMIT = 500;
const parsed = new Map<string, Template[]>();

function parse(engine: Liquid, source: string): Template[] {
  const key = (engine === htmlEngine ? 'h\u0000' : 't\u0000') + source;
  let templates = parsed.get(key);
  if (!templates) {
    templates = engine.parse(source);
    if (parsed.size >= PARSED_LIMIT) parsed.delete(parsed.keys().next().value!);
    parsed.set(key, templates);
  }
  return templates;
}

export type RenderedMail = { subject: string; html: string; text: string };

export function renderTemplate(source: TemplateSource, data: Record<string, unknown>): RenderedMail {
  const subject = textEngine.renderSync(parse(textEngine, source.subject), data) as string;
  return {
    subject: subject.replace(/[\r\n\u0000]+/g, ' ').trim().slice(0, 300),
    html: htmlEngine.renderSync(parse(htmlEngine, source.html), data) as string,
    text: textEngine.renderSync(parse(textEngine, source.text), data) as string,
  };
}

/** Parse errors per field, for the template editor and PUT …/templates/:key. */
export function checkTemplate(source: TemplateSource): { pointer: string; message: string }[] {
  const issues: { pointer: string; message: string }[] = [];
  for (const field of ['subject', 'html', 'text'] as const) {
    try {
      parse(field === 'html' ? htmlEngine : textEngine, source[field]);
    } catch (error) {
      issues.push({ pointer: `/${field}`, message: (error as Error).message.split('\n')[0] });
    }
  }
  return issues;
}
