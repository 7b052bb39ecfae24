import { CaptureTag, Context, Liquid, Tag, toValue, toValueSync, type Emitter, type FS, type Template } from 'liquidjs';

// Templates are tenant content, so the engine is a sandbox: it has no file
// system, the tags that would read one are refused when a template parses, and
// every render runs on budgets (LiquidJS's own parse, memory and time limits,
// plus a deterministic step count and an output cap) that end it with an
// error instead of a stalled or crashed process.

export const TEMPLATE_LIMITS = {
  /** Characters parsed in one parse() call (LiquidJS parseLimit); a field is at most 200,000 already. */
  parseChars: 300_000,
  /** LiquidJS memoryLimit: elements of ranges and arrays, characters of strings built by filters and captures. */
  memory: 1_000_000,
  /** Template nodes and blocks rendered in one render: bounds every loop, including loops over event data. */
  steps: 50_000,
  /** LiquidJS renderLimit (ms): a backstop behind the step count, never reached by a template within the other limits. */
  renderMs: 1_000,
  /** Characters one part (subject, HTML or text) may render to. */
  outputChars: 1_000_000,
  /** Blocks inside blocks: rendering recurses once per level, so the depth is refused before the stack decides. */
  nesting: 100,
} as const;

/** The tags that read other templates from a file system; a stored template is self-contained. */
const FILE_TAGS = ['include', 'render', 'layout'] as const;

const noFile = (file: string): never => {
  throw new Error(`templates cannot read files (${file})`);
};

/**
 * The engine's file system: nothing exists and nothing can be read. The file
 * tags are refused at parse already; this makes sure no other path through
 * LiquidJS (its Node fs on Node, fetch in its browser build) ever reaches one.
 */
const NO_FILE_SYSTEM: FS = {
  exists: async () => false,
  existsSync: () => false,
  readFile: async (file) => noFile(file),
  readFileSync: (file) => noFile(file),
  resolve: (dir, file) => `${dir}/${file}`,
  contains: async () => false,
  containsSync: () => false,
  dirname: (file) => file.slice(0, Math.max(0, file.lastIndexOf('/'))),
  sep: '/',
};

function refusedTag(name: string) {
  return class extends Tag {
    constructor(...args: ConstructorParameters<typeof Tag>) {
      super(...args);
      throw new Error(`the {% ${name} %} tag is not allowed: a template cannot include files or other templates`);
    }
    render(): void {}
  };
}

/** What LiquidJS's own emitter writes for a value (it does not export it): arrays joined, nil empty. */
function stringify(value: unknown): string {
  const v = toValue(value);
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map(stringify).join('');
  return String(v);
}

/** Collects a capture's output and charges it to the render's memory budget, as LiquidJS's string filters are. */
class ChargedEmitter implements Emitter {
  buffer = '';
  constructor(private readonly ctx: Context) {}
  write(html: unknown): void {
    const s = stringify(html);
    this.ctx.memoryLimit.use(s.length);
    this.buffer += s;
  }
}

class BoundedCapture extends CaptureTag {
  override *render(ctx: Context): Generator<unknown, void, string> {
    const emitter = new ChargedEmitter(ctx);
    yield this.liquid.renderer.renderTemplates(this.templates, ctx, emitter);
    ctx.bottom()[this.variable] = emitter.buffer;
  }
}

export function createEngine(o: { escapeHtml: boolean }): Liquid {
  const engine = new Liquid({
    ...(o.escapeHtml ? { outputEscape: 'escape' as const } : {}),
    ownPropertyOnly: true,
    strictFilters: true,
    fs: NO_FILE_SYSTEM,
    relativeReference: false,
    dynamicPartials: true,
    parseLimit: TEMPLATE_LIMITS.parseChars,
    memoryLimit: TEMPLATE_LIMITS.memory,
    renderLimit: TEMPLATE_LIMITS.renderMs,
  });
  for (const name of FILE_TAGS) engine.registerTag(name, refusedTag(name));
  engine.registerTag('capture', BoundedCapture);
  return engine;
}

class TemplateLimitError extends Error {}

// LiquidJS names its limits by resource; a tenant reads which limit, and how big it is.
const LIQUID_MESSAGES: [RegExp, string][] = [
  [/^memory alloc limit exceeded/, `the template builds more than ${TEMPLATE_LIMITS.memory.toLocaleString('en-US')} characters or elements (memory limit)`],
  [/^parse length limit exceeded/, `the template is longer than ${TEMPLATE_LIMITS.parseChars.toLocaleString('en-US')} characters`],
  [/^Maximum call stack size exceeded/, 'the template nests its tags too deeply'],
];

/** One line saying what went wrong, with LiquidJS's position (", line:1, col:5") kept. */
export function describeTemplateError(error: unknown): string {
  const line = (error instanceof Error ? error.message : String(error)).split('\n')[0];
  for (const [pattern, message] of LIQUID_MESSAGES) if (pattern.test(line)) return line.replace(pattern, message);
  return line;
}

/**
 * LiquidJS checks its render limiter before every block and every node it
 * renders; counting those checks gives a step budget that ends a long loop
 * the same way on every machine, and the deadline stays as a backstop.
 */
function stepLimiter(deadline: number): Context['renderLimit'] {
  let steps = 0;
  const limiter = {
    use() {},
    check(now: number) {
      if (++steps > TEMPLATE_LIMITS.steps) throw new TemplateLimitError(`the template renders more than ${TEMPLATE_LIMITS.steps.toLocaleString('en-US')} steps (a loop is too long)`);
      if (now > deadline) throw new TemplateLimitError(`the template took longer than ${TEMPLATE_LIMITS.renderMs} ms to render`);
    },
  };
  return limiter as unknown as Context['renderLimit'];
}

/** The top-level output, capped: what a part renders to can never outgrow the cap, however the template loops. */
class CappedEmitter implements Emitter {
  buffer = '';
  write(html: unknown): void {
    const s = stringify(html);
    if (this.buffer.length + s.length > TEMPLATE_LIMITS.outputChars) {
      throw new TemplateLimitError(`the template renders more than ${TEMPLATE_LIMITS.outputChars.toLocaleString('en-US')} characters`);
    }
    this.buffer += s;
  }
}

/** How many blocks enclose the innermost node, walked without recursion (the tree may be as deep as the parser's stack allowed). */
function nestingDepth(templates: Template[]): number {
  let deepest = 0;
  const pending: [Template[], number][] = [[templates, 0]];
  while (pending.length) {
    const [list, depth] = pending.pop()!;
    deepest = Math.max(deepest, depth);
    for (const t of list) {
      const children = t.children ? toValueSync(t.children(false, true)) : [];
      if (children.length) pending.push([children, depth + 1]);
    }
  }
  return deepest;
}

/** Parses one part: LiquidJS's parse (refused tags, parseLimit), then the nesting limit. */
export function parseBounded(engine: Liquid, source: string): Template[] {
  const templates = engine.parse(source);
  if (nestingDepth(templates) > TEMPLATE_LIMITS.nesting) throw new TemplateLimitError(`the template nests its tags more than ${TEMPLATE_LIMITS.nesting} deep`);
  return templates;
}

/** Renders parsed templates synchronously within every budget; throws on any error or exceeded limit. */
export function renderBounded(engine: Liquid, templates: Template[], data: Record<string, unknown>): string {
  const deadline = performance.now() + TEMPLATE_LIMITS.renderMs;
  const ctx = new Context(data, engine.options, { sync: true }, { liquid: engine, renderLimit: stepLimiter(deadline) });
  const emitter = new CappedEmitter();
  toValueSync(engine.renderer.renderTemplates(templates, ctx, emitter));
  return emitter.buffer;
}
