import fc from 'fast-check';

/** The JSON Schema keywords the API's OpenAPI document uses (zod-to-openapi, OpenAPI 3.1). */
export interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  $ref?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
}

export type JsonPath = (string | number)[];

/** A place in a generated value and the schema it was generated from: where a mutation can aim. */
export interface Slot {
  path: JsonPath;
  schema: JsonSchema;
}

/** A value valid for its schema (as far as JSON Schema can say), with every slot in it. */
export interface Generated {
  value: unknown;
  slots: Slot[];
}

export interface SchemaContext {
  /** Resolves `#/components/schemas/X`. */
  components: Record<string, JsonSchema>;
  /** Past this nesting, objects get only their required keys, arrays their fewest items, unions their plainest branch. */
  maxDepth: number;
}

const placeholderEmail = fc.tuple(fc.stringMatching(/^[a-z]{1,8}$/), fc.stringMatching(/^[a-z]{1,8}$/)).map(([a, b]) => `${a}@${b}.test`);
const isoDate = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true });

/** A string arbitrary for a schema's pattern: fast-check knows neither lookarounds nor the `i` flag, so both are relaxed and the result checked against the real pattern. */
function patternArbitrary(pattern: string): fc.Arbitrary<string> {
  // zod-to-openapi writes a flagged regex as `source/flags`.
  const flagged = /^(.*)\/([a-z]+)$/.exec(pattern);
  const [source, flags] = flagged ? [flagged[1]!, flagged[2]!] : [pattern, ''];
  const real = new RegExp(source, flags);
  try {
    const relaxed = new RegExp(source.replace(/\(\?[=!][^()]*\)/g, ''), flags.replace(/[^u]/g, ''));
    return fc.stringMatching(relaxed).filter((s) => real.test(s));
  } catch {
    return fc.constant('x').filter((s) => real.test(s));
  }
}

function stringArbitrary(schema: JsonSchema): fc.Arbitrary<string> {
  if (schema.format === 'date-time') return isoDate.map((d) => d.toISOString());
  if (schema.format === 'email') return placeholderEmail;
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.min(schema.maxLength ?? minLength + 20, minLength + 20);
  if (schema.pattern) {
    return patternArbitrary(schema.pattern).filter((s) => s.length >= minLength && s.length <= (schema.maxLength ?? Infinity));
  }
  return fc
    .string({ unit: 'grapheme', minLength, maxLength })
    .filter((s) => s.length >= minLength && s.length <= (schema.maxLength ?? Infinity));
}

function numberArbitrary(schema: JsonSchema, integer: boolean): fc.Arbitrary<number> {
  const min = schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + (integer ? 1 : 1e-6) : (schema.minimum ?? -1_000_000);
  const max = schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - (integer ? 1 : 1e-6) : (schema.maximum ?? 1_000_000);
  return integer
    ? fc.integer({ min: Math.ceil(min), max: Math.floor(max) })
    : fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
}

const leaf = (value: fc.Arbitrary<unknown>, schema: JsonSchema): fc.Arbitrary<Generated> =>
  value.map((v) => ({ value: v, slots: [{ path: [], schema }] }));

const under = (key: string | number, generated: Generated): Slot[] =>
  generated.slots.map((slot) => ({ ...slot, path: [key, ...slot.path] }));

/** The value of a schema, built from its keywords; `depth` counts object and array levels above it. */
export function schemaArbitrary(schema: JsonSchema, context: SchemaContext, depth = 0): fc.Arbitrary<Generated> {
  const deep = depth >= context.maxDepth;
  if (schema.$ref) {
    const name = schema.$ref.replace('#/components/schemas/', '');
    const target = context.components[name];
    if (!target) throw new Error(`unresolved ${schema.$ref}`);
    return schemaArbitrary(target, context, depth);
  }
  if (schema.const !== undefined) return leaf(fc.constant(schema.const), schema);
  if (schema.enum) return leaf(fc.constantFrom(...schema.enum), schema);
  const union = schema.anyOf ?? schema.oneOf;
  if (union) {
    // Deep down, the branches without a reference back up the tree, so recursion ends.
    const plain = union.filter((branch) => !JSON.stringify(branch).includes('$ref'));
    const branches = deep && plain.length > 0 ? plain : union;
    return fc.oneof(...branches.map((branch) => schemaArbitrary(branch, context, depth)));
  }
  if (schema.allOf) return schemaArbitrary(Object.assign({}, ...schema.allOf) as JsonSchema, context, depth);
  if (Array.isArray(schema.type)) {
    return fc.oneof(...schema.type.map((type) => schemaArbitrary({ ...schema, type }, context, depth)));
  }
  switch (schema.type) {
    case 'string':
      return leaf(stringArbitrary(schema), schema);
    case 'integer':
      return leaf(numberArbitrary(schema, true), schema);
    case 'number':
      return leaf(numberArbitrary(schema, false), schema);
    case 'boolean':
      return leaf(fc.boolean(), schema);
    case 'null':
      return leaf(fc.constant(null), schema);
    case 'array':
      return arrayArbitrary(schema, context, depth);
    case 'object':
      return objectArbitrary(schema, context, depth);
    default:
      // `{}`: any JSON.
      return leaf(fc.jsonValue({ maxDepth: 2 }), schema);
  }
}

function arrayArbitrary(schema: JsonSchema, context: SchemaContext, depth: number): fc.Arbitrary<Generated> {
  const minLength = schema.minItems ?? 0;
  const maxLength = depth >= context.maxDepth ? minLength : Math.min(schema.maxItems ?? minLength + 3, minLength + 3);
  const item = schemaArbitrary(schema.items ?? {}, context, depth + 1);
  return fc.array(item, { minLength, maxLength }).map((items) => ({
    value: items.map((i) => i.value),
    slots: [{ path: [], schema }, ...items.flatMap((i, index) => under(index, i))],
  }));
}

function objectArbitrary(schema: JsonSchema, context: SchemaContext, depth: number): fc.Arbitrary<Generated> {
  const required = new Set(schema.required ?? []);
  const deep = depth >= context.maxDepth;
  const known = Object.entries(schema.properties ?? {})
    .filter(([key]) => required.has(key) || !deep)
    .map(([key, property]) => {
      const value = schemaArbitrary(property, context, depth + 1).map((generated) => [key, generated] as const);
      return required.has(key) ? value : fc.option(value, { nil: undefined });
    });
  const extra = schema.additionalProperties;
  const additional =
    typeof extra === 'object' && !deep
      ? fc.array(
          fc.tuple(
            // Plain keys, so that a base value stays valid where the schema cannot say which keys are (the odd keys are a mutation).
            fc.stringMatching(/^[a-z][a-zA-Z0-9_]{0,11}$/).filter((key) => !(key in (schema.properties ?? {}))),
            schemaArbitrary(extra, context, depth + 1),
          ),
          { maxLength: 3 },
        )
      : fc.constant([] as [string, Generated][]);
  return fc.tuple(fc.tuple(...known), additional).map(([entries, extras]) => {
    const present = [...entries.filter((entry) => entry !== undefined), ...extras];
    return {
      value: Object.fromEntries(present.map(([key, generated]) => [key, generated.value])),
      slots: [{ path: [], schema }, ...present.flatMap(([key, generated]) => under(key, generated))],
    };
  });
}

/** The JSON types a schema admits at its top, as far as a mutation needs to know (undefined: anything). */
export function admittedTypes(schema: JsonSchema, context: SchemaContext): Set<string> | undefined {
  if (schema.$ref) return admittedTypes(context.components[schema.$ref.replace('#/components/schemas/', '')] ?? {}, context);
  if (schema.const !== undefined || schema.enum) {
    return new Set([...(schema.enum ?? [schema.const])].map((v) => (v === null ? 'null' : typeof v === 'number' ? 'number' : typeof v)));
  }
  const union = schema.anyOf ?? schema.oneOf;
  if (union) {
    const types = new Set<string>();
    for (const branch of union) {
      const admitted = admittedTypes(branch, context);
      if (!admitted) return undefined;
      for (const type of admitted) types.add(type);
    }
    return types;
  }
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : undefined;
  return types ? new Set(types.map((type) => (type === 'integer' ? 'number' : type))) : undefined;
}
