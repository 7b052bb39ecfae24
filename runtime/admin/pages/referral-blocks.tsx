/** @jsxImportSource hono/jsx */
import { Hono, type Context } from 'hono';
import type { AdminEnv } from '../admin-env.ts';
import { Notice, PostForm, TextAreaField } from '../components.tsx';
import { renderPage, formOf } from '../render.tsx';
import { redirectWithFlash } from '../flash.ts';
import { pointerProblems } from '../api-errors.ts';
import { SETTINGS_NAV, subNav } from '../layout.tsx';

// Settings → Referral blocks: the tenant's block list (addresses and
// domains) that the `blocked` referral check reads, shared by its programs.
// One entry per line; the API keeps them in canonical spelling.

const HREF = '/admin/settings/referral-blocks';
/** The API takes at most 500; a few more lines let its own message say so rather than the console cutting silently. */
const MAX_LINES = 600;

type Block = { value: string; createdAt: string };

async function render(c: Context<AdminEnv>, o: { text?: string; error?: string } = {}, status = 200) {
  const text = o.text ?? ((await c.var.api<{ blocks: Block[] }>('GET', '/v1/referral-blocks')).body?.blocks ?? []).map((b) => b.value).join('\n');
  const count = text.split('\n').filter((l) => l.trim()).length;
  return renderPage(
    c,
    {
      title: 'Referral blocks',
      section: 'settings',
      sub: { label: 'Settings', links: subNav(SETTINGS_NAV, HREF) },
      lead: 'Addresses and domains whose referrals the “Blocked address” referral check flags, in every program. Each program’s settings say whether a flag is allowed, reviewed or denied.',
    },
    <section class="card" aria-labelledby="blocks-heading">
      <h2 id="blocks-heading">Block list</h2>
      {o.error && <Notice kind="error">Not saved: the list needs a change, marked below.</Notice>}
      <PostForm action={HREF} csrf={c.var.session.csrf}>
        <TextAreaField
          name="blocks"
          label={`Blocked addresses and domains (${count})`}
          value={text}
          rows={10}
          code
          error={o.error}
          hint="One per line, at most 500: an address (Bad.Guy+x@gmail.com is kept as badguy@gmail.com) or a domain (spam.example also blocks its subdomains). An empty list blocks nothing."
        />
        <div class="actions">
          <button type="submit">Save the block list</button>
        </div>
      </PostForm>
    </section>,
    status,
  );
}

export const referralBlocksPage = new Hono<AdminEnv>()
  .get('/', (c) => render(c))
  .post('/', async (c) => {
    const text = (await formOf(c)).blocks ?? '';
    // The API's pointers count entries; the form counts lines, blank ones included.
    const lines = text.split('\n').slice(0, MAX_LINES).map((l, i) => ({ value: l.trim(), line: i + 1 })).filter((l) => l.value);
    const res = await c.var.api<{ blocks: Block[] }>('PUT', '/v1/referral-blocks', { blocks: lines.map((l) => l.value) });
    if (!res.ok) {
      const problems = pointerProblems(res.error).map((p) => {
        const index = /^\/blocks\/(\d+)/.exec(p.pointer);
        const at = index ? lines[Number(index[1])] : undefined;
        return at ? `line ${at.line} (${at.value.slice(0, 80)}): ${p.message}` : p.message;
      });
      return render(c, { text, error: problems.join('; ') || res.error!.message }, res.status);
    }
    const n = res.body.blocks.length;
    return redirectWithFlash(c, HREF, { kind: 'success', text: n ? `Saved: ${n} ${n === 1 ? 'entry' : 'entries'}, in the spelling the check compares.` : 'Saved: the block list is empty.' });
  });
