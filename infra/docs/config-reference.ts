import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { z } from 'zod';

/** One documented environment variable: read from a zod object schema and the doc comment above its key. */
export interface VariableDoc {
  name: string;
  /** The default as text, `(unset)` for optional variables, `(required)` when it must be set. */
  defaultText: string;
  /** Allowed values or bounds, from the schema. */
  values: string;
  meaning: string;
  /** How the compose file sets it, when a compose file is given. */
  compose?: string;
}

/**
 * The doc comments of the keys of the object literal passed to `z.object({...})` in the declaration `name`
 * of a TypeScript file. The comments are the documentation: one source for the code and the docs.
 */
export function keyComments(file: string, name: string): Map<string, string> {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const comments = new Map<string, string>();
  const visit = (node: ts.Node): void => {
    if (ts.isVariableDeclaration(node) && node.name.getText() === name) {
      const literal = firstObjectLiteral(node);
      for (const property of literal?.properties ?? []) {
        if (!ts.isPropertyAssignment(property)) continue;
        const docs = ts.getJSDocCommentsAndTags(property).filter(ts.isJSDoc);
        const text = docs.map((doc) => ts.getTextOfJSDocComment(doc.comment) ?? '').join(' ');
        comments.set(property.name.getText(), text.replace(/\s+/g, ' ').trim());
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return comments;
}

function firstObjectLiteral(node: ts.Node): ts.ObjectLiteralExpression | undefined {
  if (ts.isObjectLiteralExpression(node)) return node;
  return ts.forEachChild(node, firstObjectLiteral);
}

/** The variables of `schema` (a zod object), in declaration order, with their defaults and allowed values. */
export function variableDocs(
  schema: z.ZodObject,
  comments: Map<string, string>,
  options: { shownDefaults?: Record<string, string>; compose?: Map<string, string> } = {},
): VariableDoc[] {
  return Object.entries(schema.shape).map(([name, field]) => ({
    name,
    defaultText: options.shownDefaults?.[name] ?? defaultText(field as z.ZodType),
    values: valuesText(field as z.ZodType),
    meaning: comments.get(name) ?? '',
    ...(options.compose ? { compose: options.compose.get(name) ?? 'not passed' } : {}),
  }));
}

function defaultText(field: z.ZodType): string {
  const parsed = field.safeParse(undefined);
  if (!parsed.success) return '(required)';
  const json = z.toJSONSchema(field, { io: 'input', unrepresentable: 'any' }) as { default?: unknown };
  const value = json.default ?? parsed.data;
  if (value === undefined) return '(unset)';
  return value === '' ? '(empty)' : `\`${String(value)}\``;
}

function valuesText(field: z.ZodType): string {
  const json = z.toJSONSchema(field, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  if (Array.isArray(json.enum)) return json.enum.map((v) => `\`${String(v)}\``).join(', ');
  const parts: string[] = [];
  if (json.type === 'integer' || json.type === 'number') {
    parts.push(json.type === 'integer' ? 'integer' : 'number');
    if (typeof json.minimum === 'number') parts.push(`>= ${json.minimum}`);
    if (typeof json.exclusiveMinimum === 'number') parts.push(`> ${json.exclusiveMinimum}`);
    if (typeof json.maximum === 'number' && json.maximum < Number.MAX_SAFE_INTEGER) parts.push(`<= ${json.maximum}`);
    return parts.join(', ');
  }
  if (json.format === 'uri') return 'URL';
  if (typeof json.minLength === 'number' && json.minLength > 1) return `text, >= ${json.minLength} characters`;
  return 'text';
}

/** A markdown table of variables; `|` in text is escaped so a cell stays a cell. */
export function variableTable(variables: VariableDoc[]): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const withCompose = variables.some((v) => v.compose !== undefined);
  const rows = variables.map(
    (v) =>
      `| \`${v.name}\` | ${cell(v.defaultText)} | ${cell(v.values)} | ${withCompose ? `${cell(v.compose ?? '')} | ` : ''}${cell(v.meaning)} |`,
  );
  const header = withCompose
    ? ['| Variable | Default | Values | In compose | Meaning |', '|---|---|---|---|---|']
    : ['| Variable | Default | Values | Meaning |', '|---|---|---|---|'];
  return [...header, ...rows].join('\n');
}
