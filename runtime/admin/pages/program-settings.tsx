/** @jsxImportSource hono/jsx */
import { Hono, type Context } from 'hono';
import type { AdminEnv } from '../admin-env.ts';
import { CheckField, InputField, Notice, PostForm, SelectField, TextAreaField } from '../components.tsx';
import { renderPage, formOf } from '../render.tsx';
import { redirectWithFlash } from '../flash.ts';
import { loadProgram, programBase, programSub, type ProgramSummary } from '../program-context.ts';
import { CHECK_OUTCOMES, outcomeField, RATE_FIELDS, REFERRAL_CHECKS } from '../program/referral-checks-form.ts';
import { patchOf, settingsErrors, SETTINGS_FIELDS, valuesOf, type FieldErrors, type FormValues, type SettingsField } from '../program/settings-form.ts';

/** Zone names to complete from, where the runtime can list them (Node, Deno and workerd can). */
function timeZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  try {
    return intl.supportedValuesOf?.('timeZone') ?? [];
  } catch {
    return [];
  }
}

function Field(p: { f: SettingsField; values: FormValues; errors: FieldErrors }) {
  const { f } = p;
  const value = p.values[f.name] ?? '';
  const error = p.errors[f.name];
  const id = `f-${f.name.replace('.', '-')}`;
  if (f.kind === 'bool') return <CheckField name={f.name} id={id} label={f.label} checked={value === 'on'} hint={error ? <strong class="field-error">{error}</strong> : f.hint} />;
  if (f.kind === 'map' || f.kind === 'json') return <TextAreaField name={f.name} id={id} label={f.label} value={value} code rows={f.kind === 'json' ? 8 : 3} hint={f.hint} error={error} class="wide" />;
  return (
    <InputField
      name={f.name}
      id={id}
      label={f.label}
      value={value}
      type="text"
      inputmode={f.kind === 'int' ? 'numeric' : undefined}
      list={f.name === 'timeZone' ? 'time-zones' : undefined}
      autocomplete="off"
      hint={f.hint}
      error={error}
    />
  );
}

/** One outcome per check, and the rate check's numbers beside its outcome. */
function ReferralChecks(p: { values: FormValues; errors: FieldErrors }) {
  return (
    <section class="card" aria-labelledby="checks-heading">
      <h2 id="checks-heading">Referral checks</h2>
      <p class="hint">What happens to the referrer’s reward when a check flags a referral: <strong>Allow</strong> only records the flag (rules can read it), <strong>Review</strong> holds the reward until someone approves it on the <a href="/admin/reviews">Reviews</a> page, <strong>Deny</strong> pays the referrer nothing. The strictest flagged check decides.</p>
      <div class="grid">
        {REFERRAL_CHECKS.map((c) => (
          <SelectField name={outcomeField(c.check)} id={`f-rc-${c.check}`} label={c.label} value={p.values[outcomeField(c.check)] ?? 'allow'} options={CHECK_OUTCOMES} hint={c.hint} error={p.errors[outcomeField(c.check)]} />
        ))}
        {RATE_FIELDS.map((f) => (
          <InputField name={f.name} id={`f-rc-rate-${f.key}`} label={f.label} value={p.values[f.name] ?? ''} inputmode="numeric" autocomplete="off" optional hint={f.hint} error={p.errors[f.name]} />
        ))}
      </div>
    </section>
  );
}

async function render(c: Context<AdminEnv>, program: ProgramSummary & { settings: Record<string, unknown> }, o: { values?: FormValues; errors?: FieldErrors; unplaced?: string[] } = {}, status = 200) {
  const values = o.values ?? valuesOf(program.name, program.settings);
  const errors = o.errors ?? {};
  const failed = Object.keys(errors).length + (o.unplaced?.length ?? 0);
  return renderPage(
    c,
    { title: `Settings of ${program.name}`, section: 'programs', sub: programSub(program, 'settings'), lead: 'How this program holds, expires, limits, checks and reports rewards, and how its reminder and account emails behave.' },
    <>
      {failed > 0 && (
        <Notice kind="error">
          Not saved: {o.unplaced?.length ? o.unplaced.join('; ') : `${failed} setting${failed === 1 ? ' needs' : 's need'} a change, marked below.`}
        </Notice>
      )}
      <PostForm action={`${programBase(program)}/settings`} csrf={c.var.session.csrf}>
        <section class="card" aria-labelledby="general-heading">
          <h2 id="general-heading">Program</h2>
          <div class="grid">
            <InputField name="name" label="Program name" value={values.name} required error={errors.name} />
            {SETTINGS_FIELDS.slice(0, 3).map((f) => <Field f={f} values={values} errors={errors} />)}
          </div>
        </section>
        <section class="card" aria-labelledby="tax-heading">
          <h2 id="tax-heading">Tax</h2>
          <div class="grid">{SETTINGS_FIELDS.slice(3, 7).map((f) => <Field f={f} values={values} errors={errors} />)}</div>
        </section>
        <section class="card" aria-labelledby="email-heading">
          <h2 id="email-heading">Reminders and links</h2>
          <div class="grid">{SETTINGS_FIELDS.slice(7, 13).map((f) => <Field f={f} values={values} errors={errors} />)}</div>
        </section>
        <ReferralChecks values={values} errors={errors} />
        <section class="card" aria-labelledby="limits-heading">
          <h2 id="limits-heading">Limits</h2>
          <div class="grid">{SETTINGS_FIELDS.slice(13).map((f) => <Field f={f} values={values} errors={errors} />)}</div>
          <div class="actions">
            <button type="submit">Save settings</button>
          </div>
        </section>
        <datalist id="time-zones">
          {timeZones().map((z) => (
            <option value={z} />
          ))}
        </datalist>
      </PostForm>
    </>,
    status,
  );
}

type ProgramWithSettings = ProgramSummary & { settings: Record<string, unknown> };

export const programSettingsPage = new Hono<AdminEnv>()
  .get('/', async (c) => render(c, (await loadProgram(c)) as ProgramWithSettings))
  .post('/', async (c) => {
    const program = (await loadProgram(c)) as ProgramWithSettings;
    const values = await formOf(c);
    const { body, errors } = patchOf(values);
    if (Object.keys(errors).length) return render(c, program, { values, errors }, 422);
    const res = await c.var.api('PATCH', `/v1/programs/${encodeURIComponent(program.id)}`, body);
    if (!res.ok) {
      const placed = settingsErrors(res.error);
      return render(c, program, { values, errors: placed.fields, unplaced: placed.unplaced.length ? [res.error!.message, ...placed.unplaced] : undefined }, res.status);
    }
    return redirectWithFlash(c, `${programBase(program)}/settings`, { kind: 'success', text: 'Settings saved. New events use them.' });
  });
