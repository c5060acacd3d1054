/**
 * Path segments that name JavaScript's prototype machinery. A user-given dotted path (a condition property or
 * ref, an updateProfile property, a delay's date property) that walks through one of them could read or, where
 * a path is assigned, write `Object.prototype` (prototype pollution), so validation refuses them and the code
 * that walks or assigns paths at run time skips them.
 */
export const UNSAFE_SEGMENTS: readonly string[] = ['__proto__', 'constructor', 'prototype'];

/** The first unsafe segment of a dot-separated path, or undefined when it has none. */
export function unsafeSegment(path: string): string | undefined {
  return path.split('.').find((segment) => UNSAFE_SEGMENTS.includes(segment));
}

/** The validation message for a path holding `segment`. */
export function unsafeSegmentMessage(segment: string): string {
  return `the path segment \`${segment}\` is not allowed (__proto__, constructor and prototype are reserved)`;
}
