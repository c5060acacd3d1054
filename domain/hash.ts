/**
 * Deterministic draws from stable ids (sticky experiment paths, the control group): the same key always
 * gives the same number, on every worker, in every replay and in every process. Zod-free and pure, so both
 * workflow code and API code may import it.
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

/**
 * FNV-1a followed by the MurmurHash3 finaliser (fmix32): every input bit affects every output bit, so keys
 * that differ only in their last characters (`user-1`, `user-2`...) still spread evenly. Plain FNV-1a does
 * not: over 1,000 sequential user ids a 20 % threshold held out 26 %. New draws use this one;
 * `unitHash` stays as it is because experiment paths already drawn with it must stay sticky.
 */
export function mixedUnitHash(key: string): number {
  let hash = fnv1a32(key);
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b) >>> 0;
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35) >>> 0;
  hash ^= hash >>> 16;
  return (hash >>> 0) / 0x1_0000_0000;
}
