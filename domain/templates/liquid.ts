import { Liquid, type LiquidOptions } from 'liquidjs';

/**
 * The one place the Liquid engine options live, shared by rendering (activities/templates.ts) and the
 * parse checks of validation (domain/definition/validate.ts), so that what validates is what renders.
 *
 * Templates come from journey content written through the API, so they are untrusted:
 * - no file system: `include`, `render` and `layout` are refused when a template is parsed, and the engine's
 *   file lookups go to an empty in-memory map (never the working directory);
 * - limits against denial of service: template length, render time and allocations per render.
 */

/** Tags that would read other templates (files); refused with this message. */
export const REFUSED_TAGS = ['include', 'render', 'layout'] as const;

export const TEMPLATE_LIMITS = {
  /** Characters parsed in one call (a template is at most this long). */
  parseLimit: 200_000,
  /** Milliseconds one render may take: a runaway loop stops here instead of holding a worker. */
  renderLimit: 2_000,
  /** Allocations one render may make (liquidjs counts string and array growth): a doubling string stops here. */
  memoryLimit: 10_000_000,
} as const;

/** Thrown by the refused tags at parse time; validation and rendering both report it. */
export function refusedTagMessage(tag: string): string {
  return `the {% ${tag} %} tag is not available: templates are self-contained and cannot read other templates or files`;
}

/** A Liquid engine with the sandbox options; `outputEscape: 'escape'` for HTML. */
export function createLiquid(options: Pick<LiquidOptions, 'cache' | 'outputEscape'> = {}): Liquid {
  const engine = new Liquid({
    ...options,
    // An empty in-memory map replaces the file system for every lookup (include, render, layout, renderFile).
    templates: {},
    ownPropertyOnly: true,
    ...TEMPLATE_LIMITS,
  });
  for (const tag of REFUSED_TAGS) {
    engine.registerTag(tag, {
      parse() {
        throw new Error(refusedTagMessage(tag));
      },
      render() {
        throw new Error(refusedTagMessage(tag));
      },
    });
  }
  return engine;
}
