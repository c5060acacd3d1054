/**
 * Places the API's validation problems (problem+json `problems`, each with a `path` such as
 * `content.email-shipping.subject` or `content.test-offer.weights.discount`) next to the field they name.
 */

export interface PathProblem {
  path: string;
  message: string;
}

/** `content.a-b["odd key"][0].c` -> ['content', 'a-b', 'odd key', '0', 'c']. */
export function pathSegments(path: string): string[] {
  const segments: string[] = [];
  const pattern = /\[("(?:[^"\\]|\\.)*")\]|\[(\d+)\]|\.?([^.[\]]+)/g;
  for (const match of path.matchAll(pattern)) {
    if (match[1] !== undefined) segments.push(JSON.parse(match[1]) as string);
    else segments.push((match[2] ?? match[3])!);
  }
  return segments;
}

/**
 * Field key -> messages for one node's content. The key is the path under the node's content joined by dots
 * (`subject`, `weights.discount`, `weights`); `''` holds what names the content as a whole or another part of the journey.
 */
export function problemsByField(nodeId: string, problems: readonly PathProblem[]): Record<string, string[]> {
  const byField: Record<string, string[]> = {};
  for (const problem of problems) {
    const [root, node, ...rest] = pathSegments(problem.path);
    const ours = (root === 'content' || root === 'body') && node === nodeId;
    const key = ours ? rest.join('.') : '';
    (byField[key] ??= []).push(problem.message);
  }
  return byField;
}
