/** @jsxImportSource hono/jsx */
import { Hono, type Context } from 'hono';
import type { AdminEnv, ApiError } from '../admin-env.ts';
import { AppError } from '../../errors.ts';
import { Badge, InputField, Notice, PostForm, TextAreaField, when } from '../components.tsx';
import { renderPage, formOf } from '../render.tsx';
import { redirectWithFlash } from '../flash.ts';
import { fieldErrors } from '../api-errors.ts';
import { loadProgram, programBase, programSub, type ProgramSummary } from '../program-context.ts';

type Template = { key: string; subject: string; html: string; text: string; source: 'program' | 'default'; updatedAt: string | null };
type Source = { subject: string; html: string; text: string };

const apiBase = (program: ProgramSummary) => `/v1/programs/${encodeURIComponent(program.id)}/templates`;

async function listTemplates(c: Context<AdminEnv>, program: ProgramSummary): Promise<Template[]> {
  return (await c.var.api<{ templates: Template[] }>('GET', apiBase(program))).body.templates;
}

function Preview(p: { preview: Source }) {
  return (
    <section class="card" aria-labelledby="preview-heading">
      <h2 id="preview-heading">Preview</h2>
      <p class="hint">Rendered with sample data: participant Ada Lovelace, a $25.00 cash reward, a sample link.</p>
      <dl class="facts">
        <dt>Subject</dt>
        <dd>{p.preview.subject}</dd>
      </dl>
      <h3>HTML</h3>
      {/* Sandboxed: the template's HTML renders without scripts, forms or access to the console. */}
      <iframe class="preview" title="HTML preview" sandbox="" srcdoc={p.preview.html}></iframe>
      <h3>Plain text</h3>
      <pre class="text-preview">{p.preview.text}</pre>
    </section>
  );
}

function listPage(c: Context<AdminEnv>, program: ProgramSummary, templates: Template[]) {
  const base = `${programBase(program)}/templates`;
  return renderPage(
    c,
    { title: `Templates of ${program.name}`, section: 'programs', sub: programSub(program, 'templates'), lead: 'One template per email type. A program uses the default until you edit it.' },
    <section class="card" aria-labelledby="tpl-heading">
      <h2 id="tpl-heading">Email templates</h2>
      <table class="stack">
        <thead>
          <tr><th scope="col">Template</th><th scope="col">Subject</th><th scope="col">Source</th><th scope="col"><span class="muted">Edit</span></th></tr>
        </thead>
        <tbody>
          {templates.map((t) => (
            <tr>
              <td data-label="Template"><code>{t.key}</code></td>
              <td data-label="Subject" class="break">{t.subject}</td>
              <td data-label="Source">{t.source === 'program' ? <Badge tone="ok">Edited {when(t.updatedAt)}</Badge> : <Badge tone="neutral">Default</Badge>}</td>
              <td data-label="Edit"><a href={`${base}/${t.key}`}>Edit {t.key}</a></td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>,
  );
}

async function editPage(c: Context<AdminEnv>, program: ProgramSummary, key: string, o: { form?: Source; error?: ApiError } = {}, status = 200) {
  const template = (await listTemplates(c, program)).find((t) => t.key === key);
  if (!template) throw new AppError('not_found', `There is no template “${key}”.`);
  const source = o.form ?? template;
  // The preview is rendered by the API from what is in the form, so it shows exactly what would be sent.
  const preview = o.error ? null : await c.var.api<Source>('POST', `${apiBase(program)}/${key}/preview`, { subject: source.subject, html: source.html, text: source.text });
  const errors = fieldErrors(o.error ?? preview?.error ?? null);
  const action = `${programBase(program)}/templates/${key}`;
  return renderPage(
    c,
    { title: `Template ${key}`, section: 'programs', sub: programSub(program, 'templates'), lead: template.source === 'default' ? 'This program uses the default template; saving makes it the program’s own.' : `Edited ${when(template.updatedAt)}.` },
    <>
      {(o.error || (preview && !preview.ok)) && <Notice kind="error">{(o.error ?? preview!.error!).message}</Notice>}
      <section class="card" aria-labelledby="edit-heading">
        <h2 id="edit-heading">Edit</h2>
        <p class="hint">Liquid syntax: {'{{ participant.firstName }}'}, {'{{ reward.amountFormatted }}'}, {'{% if link %}…{% endif %}'}.</p>
        <PostForm action={action} csrf={c.var.session.csrf}>
          <InputField name="subject" label="Subject" value={source.subject} required error={errors.subject} />
          <TextAreaField name="html" label="HTML" code rows={12} value={source.html} required error={errors.html} />
          <TextAreaField name="text" label="Plain text" code rows={10} value={source.text} required error={errors.text} />
          <div class="actions">
            <button type="submit">Save template</button>
            <button type="submit" class="secondary" formaction={`${action}/preview`}>Preview</button>
          </div>
        </PostForm>
      </section>
      {preview?.ok && <Preview preview={preview.body} />}
    </>,
    status,
  );
}

const sourceOf = (f: Record<string, string>): Source => ({ subject: f.subject ?? '', html: f.html ?? '', text: f.text ?? '' });

export const templatesPage = new Hono<AdminEnv>()
  .get('/', async (c) => {
    const program = await loadProgram(c);
    return listPage(c, program, await listTemplates(c, program));
  })
  .get('/:key', async (c) => editPage(c, await loadProgram(c), c.req.param('key')))
  .post('/:key', async (c) => {
    const program = await loadProgram(c);
    const key = c.req.param('key');
    const form = sourceOf(await formOf(c));
    const res = await c.var.api('PUT', `${apiBase(program)}/${encodeURIComponent(key)}`, form);
    if (!res.ok) return editPage(c, program, key, { form, error: res.error! }, res.status);
    return redirectWithFlash(c, `${programBase(program)}/templates/${key}`, { kind: 'success', text: 'Template saved. New emails of this type use it.' });
  })
  .post('/:key/preview', async (c) => editPage(c, await loadProgram(c), c.req.param('key'), { form: sourceOf(await formOf(c)) }));
