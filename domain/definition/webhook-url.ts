/**
 * The webhook URL rule: no template in the scheme or the authority (user info, host, port) of a webhook URL.
 *
 * A URL is rendered from profile, event and context, so a templated host lets whoever writes those data pick
 * where the worker sends (and signs) a request: `https://{{ profile.host }}/` or `https://api.example.com{{ x }}`
 * (x = `.attacker.net`). Templates may go in the path, query and fragment, which start after a literal `/`,
 * `?`, `#` or `\` (WHATWG URLs read `\` as `/` in http(s)), and in headers and body. The worker's outbound
 * guard checks the rendered host again at send time.
 */

const TEMPLATE = /\{\{|\{%/;

/** The scheme and authority of a URL template: everything before the first `/`, `?`, `#` or `\` after `//`. */
function schemeAndAuthority(url: string): string {
  const scheme = /^[^:/?#]*:(\/\/)?/.exec(url)?.[0] ?? '';
  const rest = url.slice(scheme.length);
  return scheme + rest.slice(0, rest.search(/[/?#\\]/) === -1 ? rest.length : rest.search(/[/?#\\]/));
}

/** The problem of a webhook URL template, or undefined when its scheme and host are literal. */
export function webhookUrlProblem(url: string): string | undefined {
  const head = schemeAndAuthority(url);
  if (!TEMPLATE.test(head)) return undefined;
  return (
    `the scheme and host of a webhook URL cannot be templated (\`${head}\`): the data would choose where the request goes; ` +
    'write the host literally and put the variable parts in the path, query, headers or body'
  );
}
