/** @jsxImportSource hono/jsx */
import { Hono, type Context } from 'hono';
import type { AdminEnv, ApiError } from '../admin-env.ts';
import { AppError } from '../../errors.ts';
import { Badge, InputField, Notice, PostForm, SelectField, TextAreaField, when } from '../components.tsx';
import { DEFAULT_TEMPLATES } from '../../../plugins/mail/templates/default-templates.ts';
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

const isDefaultKey = (key: string) => Object.hasOwn(DEFAULT_TEMPLATES, key);

function SourceBadge(p: { t: Template }) {
  if (p.t.source === 'default') return <Badge tone="neutral">Default</Badge>;
  return <Badge tone="ok">{isDefaultKey(p.t.key) ? 'Edited' : 'Custom'} {when(p.t.updatedAt)}</Badge>;
}

type NewForm = { key: string; from: string; error?: ApiError };

function listPage(c: Context<AdminEnv>, program: ProgramSummary, templates: Template[], o: NewForm = { key: '', from: 'email-action' }, status = 200) {
  const base = `${programBase(program)}/templates`;
  const errors = o.error ? fieldErrors(o.error) : {};
  return renderPage(
    c,
    { title: `Templates of ${program.name}`, section: 'programs', sub: programSub(program, 'templates'), lead: 'One template per email type, and your own for rules’ email actions. A program uses the default until you edit it.' },
    <>
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
                <td data-label="Source"><SourceBadge t={t} /></td>
                <td data-label="Edit"><a href={`${base}/${t.key}`}>Edit {t.key}</a></td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section class="card" aria-labelledby="new-heading">
        <h2 id="new-heading">New template</h2>
        <p class="hint">For a rule’s email action: {'{"type": "email", "params": {"template": "your-key", …}}'}. It starts as a copy of the template you choose, then opens for editing with its preview.</p>
        {o.error && !Object.keys(errors).length && <Notice kind="error">{o.error.message}</Notice>}
        <PostForm action={`${base}/new`} csrf={c.var.session.csrf} class="narrow">
          <div class="grid two">
            <InputField name="key" label="Template key" value={o.key} required autocomplete="off" hint="Lower-case letters, digits and dashes, e.g. spring-promo." error={errors.key} />
            <SelectField name="from" label="Start from" value={o.from} options={templates.map((t) => ({ value: t.key, label: t.key }))} />
          </div>
          <div class="actions">
            <button type="submit" class="secondary">Create template</button>
          </div>
        </PostForm>
      </section>
    </>,
    status,
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
  .post('/new', async (c) => {
    const program = await loadProgram(c);
    const form = await formOf(c);
    const key = (form.key ?? '').trim();
    const templates = await listTemplates(c, program);
    const from = templates.find((t) => t.key === form.from) ?? templates.find((t) => t.key === 'email-action')!;
    const again = (error: ApiError, status: number) => listPage(c, program, templates, { key, from: from.key, error }, status);
    if (!key) return again({ code: 'validation_failed', message: 'The template key is missing', details: [{ pointer: '/key', message: 'is required' }] }, 422);
    if (templates.some((t) => t.key === key)) {
      return again({ code: 'conflict', message: 'The template exists', details: [{ pointer: '/key', message: `“${key}” exists already: edit it instead` }] }, 409);
    }
    const res = await c.var.api('PUT', `${apiBase(program)}/${encodeURIComponent(key)}`, { subject: from.subject, html: from.html, text: from.text });
    if (!res.ok) {
      // The key travels in the path: the API names it "template key", which is this form's key field.
      const details = res.status === 422 && !fieldErrors(res.error).subject ? [{ pointer: '/key', message: (res.error!.details as { message: string }[])?.[0]?.message ?? res.error!.message }] : res.error!.details;
      return again({ ...res.error!, details }, res.status);
    }
    return redirectWithFlash(c, `${programBase(program)}/templates/${key}`, { kind: 'success', text: `Template “${key}” created from “${from.key}”. Edit it below; rules use it as "template": "${key}".` });
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
