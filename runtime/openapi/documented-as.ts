// For the few inputs whose JSON Schema cannot be derived: a query parameter
// parsed from text ("50") into a number is documented as the integer it
// means, not as the string it arrives as.

const OVERRIDES = new WeakMap<object, Record<string, unknown>>();

export function documentedAs<S extends object>(schema: S, jsonSchema: Record<string, unknown>): S {
  OVERRIDES.set(schema, jsonSchema);
  return schema;
}

export const documentedOverride = (schema: object): Record<string, unknown> | undefined => OVERRIDES.get(schema);
