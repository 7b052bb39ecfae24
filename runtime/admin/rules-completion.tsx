/** @jsxImportSource hono/jsx */
import { rulesJsonSchema } from '../../rules/json-schema.ts';
import { operatorLabel } from './operator-words.ts';

// Completion for the rules editor, from the rules JSON Schema (fact names,
// operators) and the program's templates (template keys: the schema allows
// any key, the program knows which exist). Each list is a datalist on a
// field of its own, so it works without script; the page's script adds an
// Insert button that puts the choice, quoted, at the editor's caret.

type Defs = { fact: { enum: string[] }; leaf: { properties: { operator: { examples: string[] } } } };

export function completionLists() {
  const defs = (rulesJsonSchema() as { $defs: Defs }).$defs;
  return { facts: defs.fact.enum, operators: defs.leaf.properties.operator.examples };
}

function Completer(p: { id: string; label: string; options: { value: string; label: string }[]; target: string }) {
  return (
    <div class="field completer">
      <label for={`complete-${p.id}`}>{p.label}</label>
      <div class="completer-row">
        <input id={`complete-${p.id}`} type="text" list={`list-${p.id}`} autocomplete="off" spellcheck={false} autocapitalize="off" />
        <button type="button" class="small secondary" data-insert={`complete-${p.id}`} data-target={p.target} hidden>
          Insert {p.label.toLowerCase()}
        </button>
      </div>
      <datalist id={`list-${p.id}`}>
        {p.options.map((o) => (
          <option value={o.value} label={o.label} />
        ))}
      </datalist>
    </div>
  );
}

export function RulesCompletion(p: { target: string; templates: string[] }) {
  const { facts, operators } = completionLists();
  return (
    <div class="completion" role="group" aria-labelledby="complete-heading">
      <h3 id="complete-heading">Complete</h3>
      <p class="hint">Pick a name from the rules’ schema; Insert puts it, in quotes, where the cursor is in the rules.</p>
      <div class="grid">
        <Completer id="fact" label="Fact" target={p.target} options={facts.map((f) => ({ value: f, label: f }))} />
        <Completer id="operator" label="Operator" target={p.target} options={operators.map((o) => ({ value: o, label: operatorLabel(o) }))} />
        <Completer id="template" label="Template" target={p.target} options={p.templates.map((t) => ({ value: t, label: t }))} />
      </div>
    </div>
  );
}

/** Shows the Insert buttons and puts the chosen name, quoted, at the caret (replacing a selection). */
export const COMPLETION_SCRIPT = `
document.querySelectorAll('button[data-insert]').forEach(function (b) { b.hidden = false; });
var caret = {};
document.addEventListener('focusout', function (e) {
  var t = e.target;
  if (t && t.tagName === 'TEXTAREA') caret[t.id] = [t.selectionStart, t.selectionEnd];
});
document.addEventListener('click', function (e) {
  var b = e.target.closest && e.target.closest('button[data-insert]');
  if (!b) return;
  var input = document.getElementById(b.getAttribute('data-insert'));
  var ta = document.getElementById(b.getAttribute('data-target'));
  if (!input || !ta || !input.value.trim()) { if (input) input.focus(); return; }
  var at = caret[ta.id] || [ta.value.length, ta.value.length];
  var text = JSON.stringify(input.value.trim());
  ta.value = ta.value.slice(0, at[0]) + text + ta.value.slice(at[1]);
  var end = at[0] + text.length;
  ta.focus();
  ta.setSelectionRange(end, end);
  caret[ta.id] = [end, end];
  input.value = '';
});
`;
