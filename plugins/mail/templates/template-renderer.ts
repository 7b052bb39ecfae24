import { Liquid } from 'liquidjs';
import type { TemplateSource } from './default-templates.ts';

// LiquidJS interprets templates without eval, so it runs on Workers too. HTML
// output escapes every variable; the text part and the subject do not (they are
// not HTML), and the subject is folded to one line so it cannot add headers.

const htmlEngine = new Liquid({ outputEscape: 'escape', ownPropertyOnly: true, strictFilters: true, cache: 200 });
const textEngine = new Liquid({ ownPropertyOnly: true, strictFilters: true, cache: 200 });

export type RenderedMail = { subject: string; html: string; text: string };

export async function renderTemplate(source: TemplateSource, data: Record<string, unknown>): Promise<RenderedMail> {
  const [subject, html, text] = await Promise.all([
    textEngine.parseAndRender(source.subject, data),
    htmlEngine.parseAndRender(source.html, data),
    textEngine.parseAndRender(source.text, data),
  ]);
  return { subject: subject.replace(/[\r\n\u0000]+/g, ' ').trim().slice(0, 300), html, text };
}

/** Parse errors per field, for the template editor and PUT …/templates/:key. */
export function checkTemplate(source: TemplateSource): { pointer: string; message: string }[] {
  const issues: { pointer: string; message: string }[] = [];
  for (const field of ['subject', 'html', 'text'] as const) {
    try {
      (field === 'html' ? htmlEngine : textEngine).parse(source[field]);
    } catch (error) {
      issues.push({ pointer: `/${field}`, message: (error as Error).message.split('\n')[0] });
    }
  }
  return issues;
}
