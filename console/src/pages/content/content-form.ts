import type { ContentField } from './channel-fields';

/** What the form holds: every field as the text of its input. */
export type FormValues = Record<string, string>;

/** Field name -> message; `''` is the content as a whole. */
export type FieldErrors = Record<string, string>;

/** The inputs' text for a content object. */
export function toFormValues(fields: readonly ContentField[], content: Record<string, unknown>): FormValues {
  const values: FormValues = {};
  for (const field of fields) {
    const value = content[field.name];
    if (value === undefined || value === null) values[field.name] = field.kind === 'choice' ? (field.options?.[0] ?? '') : '';
    else if (typeof value === 'string') values[field.name] = value;
    else if (typeof value === 'number') values[field.name] = String(value);
    else values[field.name] = JSON.stringify(value, null, 2);
  }
  return values;
}

export type ContentResult = { ok: true; content: Record<string, unknown> } | { ok: false; errors: FieldErrors };

/**
 * The content to send for the form's text: fields the form does not show keep their value, empty optional
 * fields are left out, JSON and numbers are parsed. What cannot be parsed here is named by field; everything
 * else (a missing subject, a bad URL, a template that does not parse) is the API's to say.
 */
export function toContent(fields: readonly ContentField[], values: FormValues, original: Record<string, unknown>): ContentResult {
  const content: Record<string, unknown> = { ...original };
  const errors: FieldErrors = {};
  for (const field of fields) {
    const text = values[field.name] ?? '';
    delete content[field.name];
    if (text.trim() === '' && !field.required) continue;
    const parsed = parseField(field, text);
    if ('error' in parsed) errors[field.name] = parsed.error;
    else content[field.name] = parsed.value;
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, content };
}

function parseField(field: ContentField, text: string): { value: unknown } | { error: string } {
  switch (field.kind) {
    case 'text':
    case 'multiline':
    case 'choice':
      return { value: text };
    case 'integer': {
      const number = Number(text.trim());
      return Number.isInteger(number) ? { value: number } : { error: 'must be a whole number' };
    }
    case 'stringMap': {
      const parsed = parseObject(text);
      if ('error' in parsed) return parsed;
      const notText = Object.keys(parsed.value).filter((key) => typeof parsed.value[key] !== 'string');
      return notText.length > 0 ? { error: `values must be strings (not ${notText.join(', ')})` } : parsed;
    }
    case 'textOrObject':
      return text.trimStart().startsWith('{') ? parseObject(text) : { value: text };
    case 'json':
      try {
        return { value: JSON.parse(text) as unknown };
      } catch (error) {
        return { error: `not valid JSON: ${(error as Error).message}` };
      }
    default: {
      const unknownKind: never = field.kind;
      throw new Error(`unknown field kind ${String(unknownKind)}`);
    }
  }
}

function parseObject(text: string): { value: Record<string, unknown> } | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { error: `not valid JSON: ${(error as Error).message}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: 'must be a JSON object' };
  return { value: value as Record<string, unknown> };
}
