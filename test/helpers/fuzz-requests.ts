import fc from 'fast-check';
import {
  admittedTypes,
  schemaArbitrary,
  type Generated,
  type JsonPath,
  type JsonSchema,
  type SchemaContext,
  type Slot,
} from './openapi-arbitraries';

/** The parts of the OpenAPI document the fuzzer reads. */
export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}
interface OpenApiOperation {
  parameters?: { name: string; in: string; required?: boolean; schema?: JsonSchema }[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
  security?: unknown[];
}

/** One operation of the document, as the fuzzer drives it. */
export interface FuzzOperation {
  /** `POST /v1/events`, the document's path. */
  key: string;
  method: string;
  path: string;
  pathParams: { name: string; schema: JsonSchema }[];
  query: { name: string; schema: JsonSchema }[];
  body?: JsonSchema;
}

export function operationsOf(document: OpenApiDocument): FuzzOperation[] {
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => {
      const parameters = operation.parameters ?? [];
      const of = (where: string) => parameters.filter((p) => p.in === where).map((p) => ({ name: p.name, schema: p.schema ?? {} }));
      return {
        key: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        pathParams: of('path'),
        query: of('query'),
        body: operation.requestBody?.content?.['application/json']?.schema,
      };
    }),
  );
}

/** A request the fuzzer sends: the raw target, headers and body bytes, and what it expects of the answer. */
export interface FuzzCase {
  operation: string;
  method: string;
  /** The request target exactly as sent (path and query, percent-encoding included or broken on purpose). */
  target: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** What was done to the request: the table's and the failure message's label. */
  variant: string;
  /**
   * A field this case made invalid beyond doubt (`body.userId`, `params.id`): a 400 invalid_input must name it,
   * a field above it or one below it.
   */
  invalidField?: string;
}

/** Values that exist on the server under test, so requests also get past the 404s. */
export interface FuzzPools {
  /** Known values by path parameter name (`id`: a journey, `version`: `1`...). */
  pathValues: Record<string, string[]>;
  /** Keys by scope; `admin` is used most. */
  keys: { admin: string; read?: string; ingest?: string };
}

const fieldName = (where: string, path: JsonPath) => [where, ...path.map(String)].join('.');

/** Broken or hostile path segments, sent raw. */
const hostileSegment = fc.oneof(
  fc.constantFrom('%', '%zz', '%E0%A4%A', '%%41', '%ED%A0%80', '%C0%AF', '%FF', '%u0041', 'abc%'),
  fc.constantFrom(
    '..',
    '.',
    '%2e%2e',
    '%2F',
    '..%2F..%2Fetc%2Fpasswd',
    'a%00b',
    '%20',
    '%0d%0aX-Injected:%201',
    '__proto__',
    'constructor',
  ),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }).map(encodeURIComponent),
  fc.integer({ min: 200, max: 8_000 }).map((n) => 'a'.repeat(n)),
);
/** Segments that fail percent-decoding: the answer is a 400 naming the parameter. */
const malformedPercent = /%(?![0-9a-f]{2})|%(?:E0%A4%A|ED%A0%80|C0%AF|FF)(?![0-9a-f])/i;

function pathValue(param: { name: string; schema: JsonSchema }, context: SchemaContext, pools: FuzzPools): fc.Arbitrary<string> {
  const known = pools.pathValues[param.name] ?? [];
  const valid = schemaArbitrary(param.schema, context).map((g) => encodeURIComponent(String(g.value)));
  return fc.oneof(
    { weight: 5, arbitrary: known.length > 0 ? fc.constantFrom(...known.map(encodeURIComponent)) : valid },
    { weight: 2, arbitrary: valid },
    { weight: 3, arbitrary: hostileSegment },
  );
}

const hostileQueryValue = fc.oneof(
  fc.constantFrom('', '%', '%zz', '-1', '0', '1e999', 'NaN', 'null', 'true', '[]', '{}', '__proto__', '9007199254740993'),
  fc.string({ unit: 'grapheme', maxLength: 30 }).map(encodeURIComponent),
  fc.integer({ min: 200, max: 6_000 }).map((n) => '9'.repeat(n)),
);

function queryString(operation: FuzzOperation, context: SchemaContext): fc.Arbitrary<string> {
  const pairs = operation.query.map((param) =>
    fc.oneof(
      { weight: 3, arbitrary: fc.constant([] as string[]) },
      {
        weight: 4,
        arbitrary: schemaArbitrary(param.schema, context).map((g) =>
          g.value === null ? [] : [`${param.name}=${encodeURIComponent(String(g.value))}`],
        ),
      },
      { weight: 2, arbitrary: hostileQueryValue.map((v) => [`${param.name}=${v}`]) },
      // Repeated: the query parser answers an array.
      {
        weight: 1,
        arbitrary: fc.tuple(hostileQueryValue, hostileQueryValue).map(([a, b]) => [`${param.name}=${a}`, `${param.name}=${b}`]),
      },
    ),
  );
  const unknown = fc.oneof(
    { weight: 5, arbitrary: fc.constant([] as string[]) },
    { weight: 1, arbitrary: fc.constantFrom(['__proto__[x]=1'], ['constructor[prototype][x]=1'], ['a[b][c]=1'], ['%zz=%zz'], ['&&=&']) },
  );
  return fc.tuple(fc.tuple(...pairs), unknown).map(([parts, extra]) => {
    const all = [...parts.flat(), ...extra];
    return all.length > 0 ? `?${all.join('&')}` : '';
  });
}

function authHeaders(pools: FuzzPools): fc.Arbitrary<Record<string, string>> {
  const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
  const options: fc.WeightedArbitrary<Record<string, string>>[] = [
    { weight: 12, arbitrary: fc.constant(bearer(pools.keys.admin)) },
    { weight: 1, arbitrary: fc.constant({ 'x-api-key': pools.keys.admin }) },
    { weight: 1, arbitrary: fc.constant({}) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        bearer('not-a-key'),
        { authorization: 'Bearer' },
        { authorization: 'Basic !!!' },
        { authorization: `Basic ${Buffer.from(':').toString('base64')}` },
        { authorization: `Basic ${Buffer.from(`user:${pools.keys.admin}`).toString('base64')}` },
        { authorization: 'Digest x' },
        { 'x-api-key': ' ' },
        { authorization: `Bearer ${'k'.repeat(8_000)}` },
      ),
    },
  ];
  if (pools.keys.read) options.push({ weight: 2, arbitrary: fc.constant(bearer(pools.keys.read)) });
  if (pools.keys.ingest) options.push({ weight: 2, arbitrary: fc.constant(bearer(pools.keys.ingest)) });
  return fc.oneof(...options);
}

const contentTypes = fc.oneof(
  { weight: 10, arbitrary: fc.constant('application/json') },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      'application/json; charset=utf-8',
      'application/json; charset=latin1',
      'application/json; charset=utf-16',
      'application/merge-patch+json',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/x-ndjson',
      'application/json; boundary=',
      '*/*',
      'garbage',
    ),
  },
  { weight: 1, arbitrary: fc.constant(undefined) },
);

const otherHeaders: fc.Arbitrary<Record<string, string>> = fc.oneof(
  { weight: 8, arbitrary: fc.constant({} as Record<string, string>) },
  {
    weight: 2,
    arbitrary: fc.constantFrom<Record<string, string>>(
      { 'content-encoding': 'gzip' },
      { 'content-encoding': 'br' },
      { 'content-encoding': 'identity, zz' },
      { accept: 'text/html;q=0, */*;q=x' },
      { 'x-forwarded-for': '999.999.999.999, ::zz' },
      { 'x-request-id': '\u00ff'.repeat(3) },
      { 'if-none-match': '*' },
    ),
  },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 1_000, max: 10_000 }).map((n): Record<string, string> => ({ 'x-fuzz-padding': 'p'.repeat(n) })),
  },
);

/** What goes where a mutation puts raw JSON text (a nesting too deep for JSON.stringify, a `__proto__` key). */
const RAW = '\u0000fuzz-raw\u0000';

interface BodyDraft {
  text?: string;
  variant: string;
  invalidField?: string;
}

function setAt(value: unknown, path: JsonPath, replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<string | number, unknown>;
  copy[path[0]!] = setAt(copy[path[0]!], path.slice(1), replacement);
  return copy;
}

const valueOfType: Record<string, unknown> = { string: 'fuzz', number: 7, boolean: true, null: null, array: [1], object: { fuzz: 1 } };
const typeOf = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value);

const nesting = fc.record({
  depth: fc.constantFrom(80, 1_000, 10_000, 100_000),
  shape: fc.constantFrom('array', 'object'),
});

function bodyDrafts(schema: JsonSchema, context: SchemaContext): fc.Arbitrary<BodyDraft> {
  const base = schemaArbitrary(schema, context);
  const json = (value: unknown, raw?: string) => {
    const text = JSON.stringify(value);
    return raw === undefined ? text : text.replace(JSON.stringify(RAW), raw);
  };
  const pick = (generated: Generated, index: number, keep: (slot: Slot) => boolean = () => true) => {
    const slots = generated.slots.filter(keep);
    return slots.length > 0 ? slots[index % slots.length] : undefined;
  };
  const certainIf = (slot: Slot, newType: string) => {
    const admitted = admittedTypes(slot.schema, context);
    return admitted && !admitted.has(newType) ? fieldName('body', slot.path) : undefined;
  };
  return fc.oneof(
    { weight: 6, arbitrary: base.map((g) => ({ text: json(g.value), variant: 'valid body' })) },
    {
      weight: 3,
      arbitrary: fc.tuple(base, fc.nat(), fc.constantFrom(...Object.keys(valueOfType))).map(([g, index, type]) => {
        const slot = pick(g, index)!;
        return { text: json(setAt(g.value, slot.path, valueOfType[type])), variant: 'wrong type', invalidField: certainIf(slot, type) };
      }),
    },
    {
      weight: 2,
      arbitrary: fc.tuple(base, fc.nat()).map(([g, index]) => {
        const slot = pick(g, index, (s) => (s.schema.required ?? []).length > 0 && typeOf(valueAt(g.value, s.path)) === 'object');
        if (!slot) return { text: json(g.value), variant: 'valid body' };
        const key = slot.schema.required![index % slot.schema.required!.length]!;
        const object = { ...(valueAt(g.value, slot.path) as object) } as Record<string, unknown>;
        delete object[key];
        return {
          text: json(setAt(g.value, slot.path, object)),
          variant: 'missing required field',
          invalidField: fieldName('body', [...slot.path, key]),
        };
      }),
    },
    {
      weight: 2,
      arbitrary: fc.tuple(base, fc.nat()).map(([g, index]) => {
        const slot = pick(g, index, (s) => typeOf(valueAt(g.value, s.path)) === 'object');
        if (!slot) return { text: json({ ...(g.value as object), fuzzExtra: 1 }), variant: 'extra field' };
        const object = { ...(valueAt(g.value, slot.path) as object), fuzzExtraField: 'x' };
        const strict = slot.schema.additionalProperties === false;
        return {
          text: json(setAt(g.value, slot.path, object)),
          variant: 'extra field',
          invalidField: strict ? fieldName('body', slot.path) : undefined,
        };
      }),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          base,
          fc.nat(),
          fc.constantFrom(' a', 'a ', ' ', '\t', 'a.b', '.', '$set', '', '\u0000', 'a\u0000b', 'é', '𝒳', 'toString', 'hasOwnProperty'),
        )
        .map(([g, index, key]) => {
          const slot = pick(g, index, (s) => typeOf(valueAt(g.value, s.path)) === 'object');
          const object = { ...((slot ? valueAt(g.value, slot.path) : {}) as object), [key]: 1 };
          return { text: json(slot ? setAt(g.value, slot.path, object) : object), variant: 'odd key' };
        }),
    },
    {
      weight: 3,
      arbitrary: fc.tuple(base, fc.nat(), nesting).map(([g, index, { depth, shape }]) => {
        const slot = pick(g, index)!;
        const raw = shape === 'array' ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
        return {
          text: json(setAt(g.value, slot.path, RAW), raw),
          variant: `deep nesting (${depth})`,
          invalidField: certainIf(slot, shape),
        };
      }),
    },
    {
      weight: 2,
      arbitrary: fc.tuple(base, fc.nat(), fc.constantFrom(10_000, 200_000, 1_100_000)).map(([g, index, length]) => {
        const slot = pick(g, index)!;
        const tooLong = slot.schema.maxLength !== undefined && length > slot.schema.maxLength;
        const field = certainIf(slot, 'string') ?? (tooLong ? fieldName('body', slot.path) : undefined);
        // Past the body limit the answer is 413, not a field.
        return {
          text: json(setAt(g.value, slot.path, 'x'.repeat(length))),
          variant: 'huge string',
          invalidField: length < 1_000_000 ? field : undefined,
        };
      }),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          base,
          fc.nat(),
          fc.constantFrom(
            '"__proto__":{"polluted":"yes"}',
            '"constructor":{"prototype":{"polluted":"yes"}}',
            '"__proto__":null',
            '"__proto__":[1]',
          ),
        )
        .map(([g, index, member]) => {
          const slot = pick(g, index, (s) => typeOf(valueAt(g.value, s.path)) === 'object');
          if (!slot) return { text: `{${member}}`, variant: 'prototype keys' };
          const text = json(setAt(g.value, slot.path, { [RAW]: 0 }));
          return { text: text.replace(`${JSON.stringify(RAW)}:0`, member), variant: 'prototype keys' };
        }),
    },
    {
      weight: 2,
      arbitrary: fc
        .oneof(
          base.map((g) => json(g.value).slice(0, -1)),
          fc.constantFrom(
            '{',
            '[',
            '{"a":1,}',
            "{'a':1}",
            'NaN',
            '{"a":NaN}',
            '\ufeff{}',
            'null',
            '""',
            '0',
            '[]',
            'true',
            '{"a":1}{"b":2}',
            '\u0000',
          ),
          fc.string({ unit: 'binary', maxLength: 60 }),
        )
        .map((text) => ({ text, variant: 'invalid or odd JSON' })),
    },
    { weight: 1, arbitrary: fc.constant({ text: '', variant: 'empty body' }) },
    { weight: 1, arbitrary: fc.constant({ variant: 'no body' }) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((value) => ({ text: JSON.stringify(value), variant: 'random JSON' })) },
  );
}

function valueAt(value: unknown, path: JsonPath): unknown {
  return path.reduce<unknown>((at, key) => (at as Record<string | number, unknown> | undefined)?.[key], value);
}

/** Every request the fuzzer may send to one operation: valid or hostile path values, query, headers and body. */
export function caseArbitrary(operation: FuzzOperation, document: OpenApiDocument, pools: FuzzPools): fc.Arbitrary<FuzzCase> {
  const context: SchemaContext = { components: document.components?.schemas ?? {}, maxDepth: 3 };
  const params = fc.tuple(
    ...operation.pathParams.map((param) => pathValue(param, context, pools).map((value) => [param.name, value] as const)),
  );
  const body: fc.Arbitrary<BodyDraft> = operation.body
    ? bodyDrafts(operation.body, context)
    : fc.oneof(
        { weight: 4, arbitrary: fc.constant<BodyDraft>({ variant: 'no body' }) },
        {
          weight: 1,
          arbitrary: fc.constantFrom<BodyDraft>({ text: '{"x":1}', variant: 'unexpected body' }, { text: '{', variant: 'unexpected body' }),
        },
      );
  return fc
    .record({
      params,
      query: queryString(operation, context),
      auth: authHeaders(pools),
      contentType: contentTypes,
      other: otherHeaders,
      body,
    })
    .map(({ params: values, query, auth, contentType, other, body: draft }) => {
      const path = values.reduce((p, [name, value]) => p.replace(`{${name}}`, value), operation.path);
      const malformed = values.find(([, value]) => malformedPercent.test(value));
      const bytes = draft.text === undefined ? undefined : Buffer.from(draft.text);
      const headers: Record<string, string> = { ...auth, ...other };
      if (bytes && contentType !== undefined) headers['content-type'] = contentType;
      // What the app parses as JSON (application/json, application/*+json) in a charset it reads.
      const jsonBody =
        contentType !== undefined && /^application\/([^;]*\+)?json(;|$)/.test(contentType) && !/charset=(latin1|utf-16)/.test(contentType);
      const variants = [malformed ? 'malformed % in path' : undefined, draft.variant].filter(Boolean);
      return {
        operation: operation.key,
        method: operation.method,
        target: path + query,
        headers,
        ...(bytes ? { body: bytes } : {}),
        variant: variants.join(', '),
        // A malformed path decides the answer before the body is read; a body not read as JSON names nothing.
        invalidField: malformed ? `params.${malformed[0]}` : jsonBody && !other['content-encoding'] ? draft.invalidField : undefined,
      };
    });
}

/** Requests to every operation of the document, each operation as likely as the next. */
export function documentCases(document: OpenApiDocument, pools: FuzzPools): fc.Arbitrary<FuzzCase> {
  return fc.oneof(...operationsOf(document).map((operation) => caseArbitrary(operation, document, pools)));
}
