import { toJsonSchema } from '@valibot/to-json-schema';
import { action, MAX_DEPTH, MAX_NAMED_CONDITIONS, MAX_RULES } from './schema.ts';
import { FACT_NAMES, FACT_SHAPES, type FactShape } from './facts.ts';
import { HISTORY_FACT_NAMES, HISTORY_PARAMS } from './history-facts.ts';
import { DECORATOR_NAMES, MAX_DECORATORS, OPERATOR_NAMES } from './operators.ts';
import { FORBIDDEN_SEGMENTS, MAX_PATH_LENGTH } from './path.ts';
import { HOSTILE_KEYS } from './json-safety.ts';

// The JSON Schema (2020-12) of a rules document, for editors and other
// validators. It is built from the same constants and valibot schemas the
// validator uses (actions through @valibot/to-json-schema; the conditions are
// lazy in valibot, so their form is written here from the same lists). It
// states the structure; what needs the whole document (references between
// shared conditions, duplicate names, templates that exist, sizes) stays with
// the validator, so the schema accepts a superset of what PUT /rules accepts.

type Json = Record<string, unknown>;

const NAME = '[A-Za-z_][A-Za-z0-9_]*';
const FORBIDDEN = [...FORBIDDEN_SEGMENTS].map((s) => `${s}(?![A-Za-z0-9_])`).join('|');
const ANY_SEGMENTS = `(?:\\.(?!${FORBIDDEN})${NAME}|\\[[0-9]+\\])*`;

/** A regular expression (without anchors) for the path segments a fact shape accepts after `$`. */
function segmentsPattern(shape: FactShape): string {
  if (shape === 'any') return ANY_SEGMENTS;
  if (shape === 'string') return '(?:\\.length|\\[[0-9]+\\])?';
  if (shape === 'scalar') return '';
  const fields = Object.entries(shape).map(([field, inner]) => `\\.${field}${segmentsPattern(inner)}`);
  return `(?:${fields.join('|')})?`;
}

/** `path` for each fact: the fields it has where known, any plain path where it is open. */
function pathByFact(): Json[] {
  return FACT_NAMES.map((fact) => {
    const shape = FACT_SHAPES[fact];
    // A path on a fact that is not an object is ignored by json-rules-engine, so the validator refuses one.
    const pattern = typeof shape === 'string' && shape !== 'any' ? '^\\$$' : `^\\$${segmentsPattern(shape)}$`;
    // Examples are what editors offer to complete: each known field of the fact.
    const examples = typeof shape === 'object' ? Object.keys(shape).map((field) => `$.${field}`) : [];
    return { if: { properties: { fact: { const: fact } } }, then: { properties: { path: examples.length ? { pattern, examples } : { pattern } } } };
  });
}

/** Each history fact's params, from the schemas validation runs (checks JSON Schema cannot say are left to validation). */
function paramsByFact(): Json[] {
  return HISTORY_FACT_NAMES.map((fact) => {
    const { $schema: _, ...params } = toJsonSchema(HISTORY_PARAMS[fact], { target: 'draft-2020-12', typeMode: 'input', errorMode: 'ignore' }) as Json;
    // eventSum's type and path are required, so its params are too.
    const required = fact === 'eventSum' ? { required: ['params'] } : {};
    return { if: { properties: { fact: { const: fact } } }, then: { properties: { params }, ...required } };
  });
}

const operatorPattern = `^(?:(?:${DECORATOR_NAMES.join('|')}):){0,${MAX_DECORATORS}}(?:${OPERATOR_NAMES.join('|')})$`;
const priority = { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'higher runs first' };
const path = { type: 'string', maxLength: MAX_PATH_LENGTH, description: '"$" then .field or [index] segments, e.g. "$.data.amount"' };

function actionSchema(): Json {
  const { $schema: _, ...json } = toJsonSchema(action, { target: 'draft-2020-12', typeMode: 'input', errorMode: 'ignore' }) as Json;
  // The checks valibot runs as code, restated where JSON Schema can say them.
  const [reward, email] = json.oneOf as { properties: { params: Json & { properties: Record<string, Json> } } }[];
  Object.assign(reward.properties.params.properties.amount, { exclusiveMinimum: 0, description: 'major units, at most 2 decimals (25.5 is $25.50)' });
  reward.properties.params.allOf = [{ if: { properties: { kind: { const: 'percent_discount' } } }, then: { properties: { amount: { maximum: 100 } } } }];
  Object.assign(email.properties.params.properties.data, { type: 'object', description: 'extra data for the template' });
  return json;
}

let cached: Json | undefined;

export function rulesJsonSchema(): Json {
  return (cached ??= {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'advocate-rules rules document',
    description: `Rules in the json-rules-engine format. Conditions nest at most ${MAX_DEPTH} levels.`,
    type: 'object',
    properties: {
      $schema: { type: 'string' },
      rules: { type: 'array', maxItems: MAX_RULES, items: { $ref: '#/$defs/rule' } },
      conditions: {
        type: 'object',
        description: 'shared conditions, used from rules as {"condition": "<name>"}',
        maxProperties: MAX_NAMED_CONDITIONS,
        propertyNames: { minLength: 1, maxLength: 120, not: { enum: [...HOSTILE_KEYS] } },
        additionalProperties: { $ref: '#/$defs/topCondition' },
      },
    },
    required: ['rules'],
    additionalProperties: false,
    $defs: {
      rule: {
        type: 'object',
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 120 },
          priority,
          conditions: { $ref: '#/$defs/topCondition' },
          event: { $ref: '#/$defs/action' },
        },
        required: ['name', 'conditions', 'event'],
        additionalProperties: false,
      },
      topCondition: {
        oneOf: [{ $ref: '#/$defs/all' }, { $ref: '#/$defs/any' }, { $ref: '#/$defs/not' }, { $ref: '#/$defs/reference' }],
      },
      condition: {
        oneOf: [{ $ref: '#/$defs/all' }, { $ref: '#/$defs/any' }, { $ref: '#/$defs/not' }, { $ref: '#/$defs/reference' }, { $ref: '#/$defs/leaf' }],
      },
      all: { type: 'object', properties: { all: { type: 'array', items: { $ref: '#/$defs/condition' } }, priority }, required: ['all'], additionalProperties: false },
      any: { type: 'object', properties: { any: { type: 'array', items: { $ref: '#/$defs/condition' } }, priority }, required: ['any'], additionalProperties: false },
      not: { type: 'object', properties: { not: { $ref: '#/$defs/condition' }, priority }, required: ['not'], additionalProperties: false },
      reference: {
        type: 'object',
        properties: { condition: { type: 'string', minLength: 1, description: 'the name of a shared condition' }, priority },
        required: ['condition'],
        additionalProperties: false,
      },
      leaf: {
        type: 'object',
        properties: {
          fact: { $ref: '#/$defs/fact' },
          operator: {
            type: 'string',
            pattern: operatorPattern,
            description: `an operator (${OPERATOR_NAMES.join(', ')}) after up to ${MAX_DECORATORS} decorators (${DECORATOR_NAMES.join(', ')}), e.g. "not:someFact:equal"`,
            examples: [...OPERATOR_NAMES, ...DECORATOR_NAMES.map((d) => `${d}:equal`)],
          },
          value: {
            description: 'a JSON constant, or {"fact": ..., "path": ...} to compare with another fact',
            if: { type: 'object', properties: { fact: true }, required: ['fact'] },
            then: { $ref: '#/$defs/factReference' },
          },
          path,
          params: {
            type: 'object',
            description: 'for a history fact only: eventCount {type?, days?}, eventSum {type, path, days?}, referralCount {converted?, days?}, rewardTotal {kind?, currency?, days?}',
          },
          priority,
        },
        required: ['fact', 'operator', 'value'],
        additionalProperties: false,
        allOf: [...pathByFact(), ...paramsByFact()],
      },
      factReference: {
        type: 'object',
        properties: { fact: { $ref: '#/$defs/fact' }, path },
        required: ['fact'],
        additionalProperties: false,
        allOf: pathByFact(),
      },
      fact: {
        enum: [...FACT_NAMES, ...HISTORY_FACT_NAMES],
        description: 'history facts (with params, over the participant’s past before the event): eventCount, eventSum (a number in their events’ data), referralCount, rewardTotal (minor units); event {type, data, occurredAt}; participant and referrer {id, email, firstName, lastName, locale, countryCode, referredBy, w9OnFile, payoutInfoComplete, emailVerified, unsubscribed, referralFlags (the referral checks that flagged the referral, e.g. [\"disposableEmail\"]), createdAt}; stats {rewardCount, referralCount, cashRewardsThisYear, w9Required, ...}; program {id, name, settings}; now (ISO 8601)',
      },
      action: actionSchema(),
    },
  });
}
