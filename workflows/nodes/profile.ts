import type { Condition } from '../../domain/definition/conditions';

/**
 * The profile paths (without the `profile.` prefix) that conditions read, in predicates and in refs, so that
 * only those values are loaded into workflow history. `''` means the whole profile.
 */
export function profilePathsOf(conditions: readonly Condition[]): string[] {
  const found = new Set<string>();
  const add = (path: unknown) => {
    if (typeof path !== 'string') return;
    if (path === 'profile') found.add('');
    else if (path.startsWith('profile.')) found.add(path.slice('profile.'.length));
  };
  const visit = (node: unknown, depth: number): void => {
    if (depth > 64 || typeof node !== 'object' || node === null || Array.isArray(node)) return;
    const record = node as Record<string, unknown>;
    const keys = Object.keys(record);
    if (keys.length === 1 && (keys[0] === 'all' || keys[0] === 'any')) {
      const list = record[keys[0]];
      if (Array.isArray(list)) for (const item of list) visit(item, depth + 1);
      return;
    }
    if (keys.length === 1 && keys[0] === 'not') return visit(record.not, depth + 1);
    for (const [path, ops] of Object.entries(record)) {
      add(path);
      if (typeof ops !== 'object' || ops === null) continue;
      for (const operand of Object.values(ops as Record<string, unknown>)) {
        for (const item of Array.isArray(operand) ? operand : [operand]) {
          if (typeof item === 'object' && item !== null && 'ref' in item) add((item as { ref: unknown }).ref);
        }
      }
    }
  };
  for (const condition of conditions) visit(condition, 0);
  return [...found].sort();
}
