/**
 * The name of the path parameter that is not valid percent-encoding (`/v1/journeys/%zz` → `id`), found by
 * matching the raw path against the routes' express paths. The router reports only the bad value, and a
 * problem should name the field.
 */
export function malformedParam(rawPath: string, routePaths: readonly string[]): string | undefined {
  const segments = rawPath.split('/');
  for (const routePath of routePaths) {
    // A colon escaped in a route path (`enrollments\\:batch`) is a literal one.
    const parts = routePath.split('/');
    if (parts.length !== segments.length) continue;
    const literalsMatch = parts.every((part, i) => /^:\w+$/.test(part) || part.replace(/\\:/g, ':') === segments[i]);
    if (!literalsMatch) continue;
    const bad = parts.findIndex((part, i) => /^:\w+$/.test(part) && !decodes(segments[i]!));
    if (bad >= 0) return parts[bad]!.slice(1);
  }
  return undefined;
}

function decodes(segment: string): boolean {
  try {
    decodeURIComponent(segment);
    return true;
  } catch {
    return false;
  }
}
