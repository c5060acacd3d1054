/**
 * The reference part of docs/journey-format.md, generated from the JSON Schema of journey files (itself
 * generated from the zod schemas in domain/definition/): every entry type, setting, node type and content field
 * with its type, default and description, so the reference cannot drift from what validation accepts.
 */
type Schema = {
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  default?: unknown;
  description?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  required?: string[];
  items?: Schema;
  oneOf?: Schema[];
  anyOf?: Schema[];
  allOf?: Schema[];
  $ref?: string;
  format?: string;
  examples?: unknown[];
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
};

const ISO_DURATION = /^\^P\(\?!\$\)/;

/** A short human type: `duration`, `date-time`, `email \| push`, `list of text`, `condition`... */
function typeOf(schema: Schema): string {
  if (schema.$ref) return schema.$ref.endsWith('/Condition') ? 'condition' : schema.$ref.split('/').pop()!;
  if (schema.const !== undefined) return `\`${String(schema.const)}\``;
  if (schema.enum) return schema.enum.map((v) => `\`${String(v)}\``).join(' \\| ');
  const alternatives = schema.oneOf ?? schema.anyOf;
  if (alternatives) return [...new Set(alternatives.map(typeOf))].join(' or ');
  if (schema.allOf?.length === 1) return typeOf(schema.allOf[0]!);
  if (schema.format === 'date-time') return 'date-time';
  const pattern = (schema as { pattern?: string }).pattern;
  if (pattern && ISO_DURATION.test(pattern)) return 'duration';
  if (schema.type === 'array') return `list of ${schema.items ? typeOf(schema.items) : 'values'}`;
  if (schema.type === 'object') return schema.properties ? 'object' : 'map';
  if (schema.type === 'string') return 'text';
  if (schema.type === 'integer' || schema.type === 'number') {
    const bounds = [
      schema.minimum !== undefined ? `${schema.minimum}` : '',
      schema.maximum !== undefined && schema.maximum < 1e15 ? `${schema.maximum}` : '',
    ];
    return bounds[0] && bounds[1] ? `${schema.type} ${bounds[0]}-${bounds[1]}` : String(schema.type);
  }
  if (Array.isArray(schema.type)) return schema.type.join(' or ');
  return schema.type ?? 'any';
}

function describe(schema: Schema): string {
  const inner = schema.allOf?.length === 1 ? schema.allOf[0]! : schema;
  return (schema.description ?? inner.description ?? '').replace(/\s+/g, ' ').trim();
}

/** Rows `field | type | default | description`, nested objects flattened with dotted names (two levels). */
function rows(schema: Schema, prefix = '', depth = 0): string[] {
  const required = new Set(schema.required ?? []);
  const out: string[] = [];
  for (const [name, field] of Object.entries(schema.properties ?? {})) {
    if (name === 'type' && field.const !== undefined) continue;
    const path = `${prefix}${name}`;
    const def =
      field.default !== undefined && !(typeof field.default === 'object' && Object.keys(field.default ?? {}).length === 0)
        ? `\`${JSON.stringify(field.default)}\``
        : '';
    const flag = required.has(name) ? ' (required)' : '';
    out.push(`| \`${path}\`${flag} | ${typeOf(field)} | ${def} | ${describe(field).replace(/\|/g, '\\|')} |`);
    if (field.type === 'object' && field.properties && depth < 1) out.push(...rows(field, `${path}.`, depth + 1));
  }
  return out;
}

function table(schema: Schema): string {
  const body = rows(schema);
  return body.length === 0
    ? '_No fields besides `type`._'
    : ['| Field | Type | Default | Description |', '|---|---|---|---|', ...body].join('\n');
}

function variants(schema: Schema): Schema[] {
  return schema.oneOf ?? schema.anyOf ?? [schema];
}

export function journeyReference(root: Schema): string {
  const props = root.properties!;
  const parts: string[] = [
    '### Top level',
    '',
    table({ ...root, properties: Object.fromEntries(Object.entries(props).map(([k, v]) => [k, { ...v, properties: undefined }])) }),
  ];

  parts.push('', '### Entry types (`entry`)');
  for (const entry of variants(props.entry!)) {
    parts.push(
      '',
      `#### \`${String(entry.properties?.type?.const)}\``,
      '',
      describe(entry) || describe(entry.properties!.type!),
      '',
      table(entry),
    );
  }

  parts.push('', '### Settings (`settings`)', '', table(props.settings!));

  parts.push('', '### Node types (`nodes.<id>`)');
  const nodes = props.nodes!.additionalProperties as Schema;
  for (const node of variants(nodes)) {
    const type = String(node.properties?.type?.const);
    parts.push('', `#### \`${type}\``, '', describe(node) || describe(node.properties!.type!), '', table(node));
  }

  parts.push(
    '',
    '### Content (`content.<node id>`)',
    '',
    describe(props.content!),
    '',
    table(props.content!.additionalProperties as Schema),
  );
  return parts.join('\n').replace(/\n{3,}/g, '\n\n');
}
