/** @jsxImportSource hono/jsx */
import { Hono, type Context } from 'hono';
import type { AdminEnv, ApiError } from '../admin-env.ts';
import { Badge, InputField, PostForm, when } from '../components.tsx';
import { renderPage, formOf } from '../render.tsx';
import { redirectWithFlash } from '../flash.ts';
import { fieldErrors } from '../api-errors.ts';
import { programBase, type ProgramSummary } from '../program-context.ts';

async function render(c: Context<AdminEnv>, o: { name?: string; error?: ApiError } = {}, status = 200) {
  const programs = (await c.var.api<{ programs: ProgramSummary[] }>('GET', '/v1/programs')).body.programs;
  return renderPage(
    c,
    { title: 'Programs', section: 'programs', lead: 'Each program has its own rules, email templates and settings.' },
    <>
      <section class="card" aria-labelledby="list-heading">
        <h2 id="list-heading">Your programs</h2>
        {programs.length === 0 ? (
          <p>No programs yet: create one below.</p>
        ) : (
          <table class="stack">
            <thead>
              <tr><th scope="col">Program</th><th scope="col">Rules</th><th scope="col">Created</th><th scope="col">Pages</th></tr>
            </thead>
            <tbody>
              {programs.map((p) => (
                <tr>
                  <td data-label="Program"><a href={`${programBase(p)}/overview`}><strong>{p.name}</strong></a><br /><code class="small muted">{p.id}</code></td>
                  <td data-label="Rules">{p.activeVersion ? <Badge tone="ok">version {p.activeVersion} active</Badge> : <Badge tone="neutral">none yet</Badge>}</td>
                  <td data-label="Created" class="nowrap">{when(p.createdAt)}</td>
                  <td data-label="Pages">
                    <a href={`${programBase(p)}/overview`} aria-label={programs.length > 1 ? `Overview of ${p.name}` : undefined}>Overview</a>
                    {' · '}
                    <a href={`${programBase(p)}/rules`} aria-label={programs.length > 1 ? `Rules of ${p.name}` : undefined}>Rules</a>
                    {' · '}
                    <a href={`${programBase(p)}/templates`} aria-label={programs.length > 1 ? `Templates of ${p.name}` : undefined}>Templates</a>
                    {' · '}
                    <a href={`${programBase(p)}/settings`} aria-label={programs.length > 1 ? `Settings of ${p.name}` : undefined}>Settings</a>
                    {' · '}
                    <a href={`${programBase(p)}/backtests`} aria-label={programs.length > 1 ? `Backtests of ${p.name}` : undefined}>Backtests</a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section class="card" aria-labelledby="new-heading">
        <h2 id="new-heading">New program</h2>
        <PostForm action="/admin/programs" csrf={c.var.session.csrf} class="narrow">
          <InputField name="name" label="Program name" value={o.name ?? ''} required error={o.error ? (fieldErrors(o.error).name ?? o.error.message) : undefined} />
          <div class="actions">
            <button type="submit" class="secondary">Create program</button>
          </div>
        </PostForm>
      </section>
    </>,
    status,
  );
}

export const programsPage = new Hono<AdminEnv>()
  .get('/', (c) => render(c))
  .post('/', async (c) => {
    const name = ((await formOf(c)).name ?? '').trim();
    const res = await c.var.api<ProgramSummary>('POST', '/v1/programs', { name });
    if (!res.ok) return render(c, { name, error: res.error! }, res.status);
    return redirectWithFlash(c, `${programBase(res.body)}/rules`, { kind: 'success', text: `Program “${name}” created. Write its first rules below.` });
  });
