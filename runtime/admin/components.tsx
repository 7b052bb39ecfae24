/** @jsxImportSource hono/jsx */
import type { Child } from 'hono/jsx';

// Form pieces that always pair a visible label with its control, so every
// control is reachable by the name a person reads on screen.

export function CsrfField(p: { token: string }) {
  return <input type="hidden" name="_csrf" value={p.token} />;
}

/** A POST form with the session's CSRF token. */
export function PostForm(p: { action: string; csrf: string; class?: string; id?: string; children: Child }) {
  // No accessible name: a named form would compete with its own fields for getByLabel-style lookups.
  return (
    <form method="post" action={p.action} class={p.class} id={p.id}>
      <CsrfField token={p.csrf} />
      {p.children}
    </form>
  );
}

export function Notice(p: { kind: 'success' | 'error' | 'info'; children: Child; id?: string }) {
  // Errors interrupt (alert); outcomes and hints are announced politely.
  return (
    <div class={`notice ${p.kind}`} role={p.kind === 'error' ? 'alert' : 'status'} id={p.id}>
      {p.children}
    </div>
  );
}

export function Badge(p: { tone: 'ok' | 'bad' | 'warn' | 'neutral'; children: Child }) {
  return <span class={`badge ${p.tone}`}>{p.children}</span>;
}

type FieldBase = { name: string; label: string; id?: string; hint?: Child; error?: string | null; optional?: boolean; class?: string };

const describedBy = (id: string, p: FieldBase) => [p.hint ? `${id}-hint` : '', p.error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;

function FieldShell(p: FieldBase & { id: string; children: Child }) {
  return (
    <div class={`field ${p.class ?? ''}`}>
      <label for={p.id}>
        {p.label}
        {p.optional && <span class="optional"> (optional)</span>}
      </label>
      {p.children}
      {p.hint && (
        <p class="hint" id={`${p.id}-hint`}>
          {p.hint}
        </p>
      )}
      {p.error && (
        <p class="field-error" id={`${p.id}-error`}>
          {p.error}
        </p>
      )}
    </div>
  );
}

export function InputField(
  p: FieldBase & { type?: string; value?: string | number | null; required?: boolean; autocomplete?: string; placeholder?: string; inputmode?: 'numeric' | 'email' | 'text' | 'decimal'; min?: number; max?: number; list?: string; step?: string },
) {
  const id = p.id ?? `f-${p.name}`;
  return (
    <FieldShell {...p} id={id}>
      <input
        id={id}
        name={p.name}
        type={p.type ?? 'text'}
        value={p.value ?? undefined}
        required={p.required}
        autocomplete={p.autocomplete}
        placeholder={p.placeholder}
        inputmode={p.inputmode}
        min={p.min}
        max={p.max}
        step={p.step}
        list={p.list}
        aria-invalid={p.error ? 'true' : undefined}
        aria-describedby={describedBy(id, p)}
      />
    </FieldShell>
  );
}

export function SelectField(p: FieldBase & { value?: string | null; options: { value: string; label: string }[] }) {
  const id = p.id ?? `f-${p.name}`;
  return (
    <FieldShell {...p} id={id}>
      <select id={id} name={p.name} aria-invalid={p.error ? 'true' : undefined} aria-describedby={describedBy(id, p)}>
        {p.options.map((o) => (
          <option value={o.value} selected={o.value === (p.value ?? '')}>
            {o.label}
          </option>
        ))}
      </select>
    </FieldShell>
  );
}

/**
 * Marks lines inside a code textarea, without script: one background band per
 * line (and a red bar in the gutter), positioned in line-heights and scrolling
 * with the text (background-attachment: local). Lines do not wrap (wrap=off),
 * so line N is always N-1 line-heights below the top padding.
 */
function lineMarks(lines: number[] | undefined): string | undefined {
  if (!lines?.length) return undefined;
  const at = (n: number) => `0 calc(.5rem + ${n - 1} * 1.45em)`;
  const layers = [...new Set(lines)].slice(0, 50).flatMap((n) => [
    `linear-gradient(#b3261e,#b3261e) ${at(n)} / 4px 1.45em no-repeat`,
    `linear-gradient(#fde2df,#fde2df) ${at(n)} / 100% 1.45em no-repeat`,
  ]);
  return `background:${layers.join(',')},#fff;background-attachment:local`;
}

export function TextAreaField(p: FieldBase & { value?: string; rows?: number; code?: boolean; required?: boolean; describedBy?: string; readonly?: boolean; marks?: number[] }) {
  const id = p.id ?? `f-${p.name}`;
  const described = [describedBy(id, p), p.describedBy].filter(Boolean).join(' ') || undefined;
  return (
    <FieldShell {...p} id={id}>
      <textarea
        id={id}
        name={p.name}
        rows={p.rows ?? 8}
        class={p.code ? 'code' : undefined}
        style={lineMarks(p.marks)}
        spellcheck={p.code ? false : undefined}
        autocapitalize={p.code ? 'off' : undefined}
        autocomplete="off"
        wrap={p.code ? 'off' : undefined}
        required={p.required}
        readonly={p.readonly}
        aria-invalid={p.error ? 'true' : undefined}
        aria-describedby={described}
      >
        {/* The HTML parser drops one newline right after <textarea>; this one, so a text's own first line break survives. */}
        {'\n' + (p.value ?? '')}
      </textarea>
    </FieldShell>
  );
}

export function CheckField(p: { name: string; label: string; checked: boolean; id?: string; hint?: Child; error?: string | null; role?: string; value?: string }) {
  const id = p.id ?? `f-${p.name}`;
  const described = [p.hint ? `${id}-hint` : '', p.error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class="check">
      <input type="checkbox" id={id} name={p.name} value={p.value ?? 'on'} checked={p.checked} role={p.role} aria-invalid={p.error ? 'true' : undefined} aria-describedby={described} />
      <div>
        <label for={id}>{p.label}</label>
        {p.hint && (
          <p class="hint" id={`${id}-hint`}>
            {p.hint}
          </p>
        )}
        {p.error && (
          <p class="field-error" id={`${id}-error`}>
            {p.error}
          </p>
        )}
      </div>
    </div>
  );
}

/** Timestamps are stored as ISO-8601 UTC; shown the same everywhere, to the minute. */
export function when(iso: string | null | undefined): string {
  return iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : '—';
}
