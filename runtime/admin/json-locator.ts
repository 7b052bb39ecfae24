// Where in a JSON text each value sits, so the API's answers (RFC 6901
// pointers into the parsed document) can be shown at the line that caused
// them. A small scanner walks the text once and records, for every member and
// item, the offset of its key (or of the item); JSON.parse still produces the
// value, so what is sent is exactly what the API would have parsed.

export type SourcePosition = { line: number; column: number };
export type JsonSyntaxProblem = SourcePosition & { message: string };
export type Located = SourcePosition & { exact: boolean };

export type LocatedJson =
  | { ok: true; value: unknown; locate(pointer: string): Located }
  | { ok: false; error: JsonSyntaxProblem };

/** Deeper than any valid document; stops a hostile text from exhausting the stack. */
const MAX_DEPTH = 200;

class ScanError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const escapeToken = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

function scan(text: string, offsets: Map<string, number>): void {
  let i = 0;
  /** Where the last complete value ended: a missing comma is reported there, not at the next line. */
  let end = 0;
  const fail = (message: string, at = i): never => {
    throw new ScanError(message, at);
  };
  const skipSpace = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t')) i++;
  };
  const unexpected = (what: string): never => {
    if (i >= text.length) return fail(`The text ends early: ${what} is missing`);
    const ch = text[i];
    if (ch === "'") return fail('Strings and property names need double quotes (") in JSON');
    if (text.startsWith('//', i) || text.startsWith('/*', i)) return fail('JSON does not allow comments');
    return fail(`Unexpected ${JSON.stringify(ch)}: expected ${what}`);
  };

  const string = (): string => {
    const start = i;
    i++;
    for (;;) {
      if (i >= text.length) fail('This string is never closed (a missing ")', start);
      const code = text.charCodeAt(i);
      if (code === 0x22) break;
      if (code < 0x20) fail('A line break or control character inside a string must be escaped (\\n)', i);
      if (code === 0x5c) {
        const next = text[i + 1];
        if (next === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail('\\u must be followed by four hex digits');
          i += 6;
          continue;
        }
        if (next === undefined || !'"\\/bfnrt'.includes(next)) fail(`Invalid escape \\${next ?? ''} in a string`);
        i += 2;
        continue;
      }
      i++;
    }
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };

  const value = (pointer: string, depth: number): void => {
    valueBody(pointer, depth);
    end = i;
  };

  const valueBody = (pointer: string, depth: number): void => {
    if (depth > MAX_DEPTH) fail('The document is nested too deeply');
    skipSpace();
    offsets.set(pointer, offsets.get(pointer) ?? i);
    const ch = text[i];
    if (ch === '{') return object(pointer, depth);
    if (ch === '[') return array(pointer, depth);
    if (ch === '"') return void string();
    for (const literal of ['true', 'false', 'null']) {
      if (text.startsWith(literal, i)) {
        i += literal.length;
        return;
      }
    }
    NUMBER.lastIndex = i;
    if ((ch === '-' || (ch >= '0' && ch <= '9')) && NUMBER.test(text)) {
      // JSON.parse would make it ±Infinity and sending it would make it null; the API refuses it (422) too.
      if (!Number.isFinite(Number(text.slice(i, NUMBER.lastIndex)))) fail('This number is too large: JSON numbers must fit a double (up to about 1.8e308)');
      i = NUMBER.lastIndex;
      return;
    }
    unexpected('a value');
  };

  const object = (pointer: string, depth: number): void => {
    i++;
    skipSpace();
    if (text[i] === '}') return void i++;
    for (;;) {
      skipSpace();
      if (text[i] !== '"') unexpected('a property name in double quotes');
      const keyAt = i;
      const child = `${pointer}/${escapeToken(string())}`;
      offsets.set(child, keyAt);
      skipSpace();
      if (text[i] !== ':') unexpected('":" after the property name');
      i++;
      value(child, depth + 1);
      skipSpace();
      if (text[i] === '}') return void i++;
      if (text[i] === '"') fail('A comma is missing after this value', end);
      if (text[i] !== ',') unexpected('"," or "}" after the property value');
      i++;
      skipSpace();
      if (text[i] === '}') fail('JSON does not allow a comma before "}"');
    }
  };

  const array = (pointer: string, depth: number): void => {
    i++;
    skipSpace();
    if (text[i] === ']') return void i++;
    for (let index = 0; ; index++) {
      value(`${pointer}/${index}`, depth + 1);
      skipSpace();
      if (text[i] === ']') return void i++;
      if (text[i] === '"' || text[i] === '{' || text[i] === '[') fail('A comma is missing after this item', end);
      if (text[i] !== ',') unexpected('"," or "]" after the item');
      i++;
      skipSpace();
      if (text[i] === ']') fail('JSON does not allow a comma before "]"');
    }
  };

  value('', 0);
  skipSpace();
  if (i < text.length) fail('Unexpected text after the end of the JSON value');
}

function lineIndex(text: string) {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  return (offset: number): SourcePosition => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo] + 1 };
  };
}

export function parseLocated(text: string): LocatedJson {
  const offsets = new Map<string, number>();
  const position = lineIndex(text);
  try {
    scan(text, offsets);
  } catch (error) {
    if (error instanceof ScanError) return { ok: false, error: { ...position(error.offset), message: error.message } };
    throw error;
  }
  return {
    ok: true,
    value: JSON.parse(text),
    // A pointer to something absent (a required key left out) lands on the
    // nearest thing that is there: the object that lacks it.
    locate(pointer) {
      let p = pointer;
      while (!offsets.has(p) && p !== '') p = p.slice(0, p.lastIndexOf('/'));
      return { ...position(offsets.get(p) ?? 0), exact: p === pointer };
    },
  };
}
