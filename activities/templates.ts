import type { Liquid } from 'liquidjs';
import { createLiquid } from '../domain/templates/liquid';

/**
 * Liquid, the template language CleverTap and Braze users know. A missing variable renders as empty text
 * (use `{{ profile.firstName | default: "there" }}` for a fallback); the HTML engine escapes every output
 * (`| raw` opts out), so profile and event values cannot inject markup into an email. Both are sandboxed
 * (no file access, parse/render/memory limits: `domain/templates/liquid.ts`).
 */
export const textTemplates = createLiquid({ cache: 500 });
export const htmlTemplates = createLiquid({ cache: 500, outputEscape: 'escape' });

/** Renders one template string with the text engine (strings without tags are returned as they are). */
export async function renderText(template: string, scope: object, engine: Liquid = textTemplates): Promise<string> {
  if (!template.includes('{{') && !template.includes('{%')) return template;
  return engine.parseAndRender(template, scope);
}

/** Renders every string inside a JSON value as a template (strings stay strings, structure is kept). */
export async function renderValue(value: unknown, scope: object): Promise<unknown> {
  if (typeof value === 'string') return renderText(value, scope);
  if (Array.isArray(value)) return Promise.all(value.map((item) => renderValue(item, scope)));
  if (typeof value === 'object' && value !== null) {
    const entries = await Promise.all(Object.entries(value).map(async ([key, item]) => [key, await renderValue(item, scope)] as const));
    return Object.fromEntries(entries);
  }
  return value;
}
