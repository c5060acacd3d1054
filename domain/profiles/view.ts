/**
 * Pure helpers over profile views, shared by the profile store, its activities and workflow code.
 *
 * The *view* of a profile is what conditions and templates see as `profile`: the custom `attributes` at the
 * root, plus the known fields `email`, `phone`, `timezone`, `pushTokens` and `consent` (which win over an
 * attribute of the same name). `profile.plan` is the attribute `plan`; `profile.timezone` is the field.
 */

import { unsafeSegment } from '../conditions/path-segments';

/** Profile properties kept as top-level fields of the document; every other property is an attribute. */
export const PROFILE_FIELDS = ['email', 'phone', 'timezone', 'pushTokens', 'consent'] as const;
export type ProfileField = (typeof PROFILE_FIELDS)[number];

export type ProfileView = Record<string, unknown>;

/**
 * A copy of `view` holding only the values at `paths` (dot-separated, e.g. `plan`, `address.city`), so that
 * no more of the profile than a decision needs is written to workflow history. An empty path selects all.
 */
export function pickPaths(view: ProfileView, paths: readonly string[]): ProfileView {
  if (paths.some((path) => path === '')) return view;
  const picked: ProfileView = {};
  for (const path of paths) {
    // Validation refuses these segments; a path stored before it did is skipped, never assigned through.
    if (unsafeSegment(path) !== undefined) continue;
    const segments = path.split('.');
    let source: unknown = view;
    for (const segment of segments) {
      source = isRecord(source) && Object.hasOwn(source, segment) ? source[segment] : undefined;
    }
    if (source === undefined) continue;
    let target = picked;
    segments.forEach((segment, index) => {
      if (index === segments.length - 1) {
        target[segment] = source;
        return;
      }
      // Only an own object of `picked` is walked into: an inherited one (Object.prototype) never is.
      const next = Object.hasOwn(target, segment) ? target[segment] : undefined;
      if (!isRecord(next)) target[segment] = {};
      target = target[segment] as ProfileView;
    });
  }
  return picked;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
