/** @jsxImportSource hono/jsx */

/** A problem placed in a text the user typed: the API's pointer, resolved to a line. */
export type Problem = { line: number; column?: number; message: string; pointer?: string };

const CONTEXT_LINES = 2;
const MAX_SHOWN = 25;

/**
 * The problems as a list; each "Line N" link moves the cursor to that line of
 * the textarea (with the page's script) or at least to the textarea (without).
 */
export function ProblemList(p: { id: string; target: string; problems: Problem[]; label: string }) {
  if (!p.problems.length) return null;
  return (
    <ul class="problems" id={p.id} aria-label={p.label}>
      {p.problems.slice(0, MAX_SHOWN).map((x) => (
        <li>
          <a href={`#${p.target}`} data-target={p.target} data-line={String(x.line)}>
            Line {x.line}
            {x.column ? `, column ${x.column}` : ''}
          </a>
          : {x.message}
          {x.pointer ? (
            <>
              {' '}
              <code class="muted small">{x.pointer}</code>
            </>
          ) : null}
        </li>
      ))}
      {p.problems.length > MAX_SHOWN && <li>…and {p.problems.length - MAX_SHOWN} more</li>}
    </ul>
  );
}

/** The offending lines of the text with their numbers, each message right under its line. */
export function SourceListing(p: { text: string; problems: Problem[]; label: string }) {
  if (!p.problems.length) return null;
  const lines = p.text.split('\n');
  const byLine = new Map<number, Problem[]>();
  for (const x of p.problems.slice(0, MAX_SHOWN)) byLine.set(x.line, [...(byLine.get(x.line) ?? []), x]);
  const shown = new Set<number>();
  for (const line of byLine.keys()) {
    for (let n = Math.max(1, line - CONTEXT_LINES); n <= Math.min(lines.length, line + CONTEXT_LINES); n++) shown.add(n);
  }
  const ordered = [...shown].sort((a, b) => a - b);
  return (
    <div class="listing" role="group" aria-label={p.label}>
      {ordered.map((n, i) => (
        <>
          {i > 0 && ordered[i - 1] !== n - 1 && <div class="gap" aria-hidden="true">⋯</div>}
          <div class={byLine.has(n) ? 'ln bad' : 'ln'}>
            <span class="no">{n}</span>
            <code>{lines[n - 1] || ' '}</code>
          </div>
          {(byLine.get(n) ?? []).map((x) => (
            <div class="msg">
              ↑ Line {n}: {x.message}
            </div>
          ))}
        </>
      ))}
    </div>
  );
}

/** Moves the caret to the line a problem link names, and focus to what a post answered with. */
export const EDITOR_SCRIPT = `
document.addEventListener('click', function (e) {
  var a = e.target.closest && e.target.closest('a[data-line]');
  if (!a) return;
  var ta = document.getElementById(a.getAttribute('data-target'));
  if (!ta) return;
  e.preventDefault();
  var lines = ta.value.split('\\n'), n = Number(a.getAttribute('data-line')), start = 0;
  for (var i = 0; i < n - 1 && i < lines.length; i++) start += lines[i].length + 1;
  ta.focus();
  ta.setSelectionRange(start, start + (lines[n - 1] || '').length);
  var lh = parseFloat(getComputedStyle(ta).lineHeight) || 20;
  ta.scrollTop = Math.max(0, (n - 4) * lh);
});
var target = document.querySelector('[data-autofocus]');
if (target) { target.focus(); target.scrollIntoView({ block: 'start' }); }
`;
