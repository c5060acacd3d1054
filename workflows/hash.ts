/**
 * Deterministic draws from stable ids (sticky experiment paths, and later the control group): the same key
 * always gives the same number, on every worker and in every replay.
 */

/** FNV-1a, 32 bits, over the UTF-16 code units of `key`. */
export function fnv1a32(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** A number in [0, 1) drawn from `key`. */
export function unitHash(key: string): number {
  return fnv1a32(key) / 0x1_0000_0000;
}
