import { contentProblems } from '../../domain/definition/validate';

const hook = { type: 'message', channel: 'webhook', next: {} } as const;
const problemsOf = (url: string) => contentProblems('hook', hook, { url, method: 'POST' });

describe('webhook URL rule: no template in the scheme or host', () => {
  it.each([
    'https://{{ profile.host }}/x',
    'https://{{ profile.host }}',
    'https://api.example.com{{ event.properties.suffix }}/x',
    'https://{{ profile.sub }}.example.com/x',
    'https://user:{{ context.password }}@api.example.com/x',
    'https://api.example.com:{{ context.port }}/x',
    'http://{% if profile.vip %}vip{% else %}std{% endif %}.example.com/x',
    'https:{{ profile.host }}/x',
  ])('refuses %s, naming the field', (url) => {
    // Some of these are no valid URL either (a template as the port), which the schema also says.
    expect(problemsOf(url)).toEqual(
      expect.arrayContaining([
        {
          nodeId: 'hook',
          path: 'content.hook.url',
          message: expect.stringMatching(/^content hook `url`: the scheme and host of a webhook URL cannot be templated/),
        },
      ]),
    );
  });

  it.each([
    'https://api.example.com/users/{{ profile.id }}',
    'https://api.example.com/x?user={{ profile.id }}&plan={{ profile.plan }}',
    'https://api.example.com#{{ profile.id }}',
    'https://api.example.com?{{ profile.query }}',
    'http://127.0.0.1:8080/hooks/{% if profile.vip %}vip{% endif %}',
  ])('accepts templates after the host: %s', (url) => {
    expect(problemsOf(url)).toEqual([]);
  });

  it('refuses a templated scheme too (besides the schema saying it is no http(s) URL)', () => {
    const messages = problemsOf('{{ profile.scheme }}://api.example.com/x').map((p) => p.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/http:\/\/ or https:\/\//),
        expect.stringMatching(/cannot be templated \(`\{\{ profile\.scheme \}\}:\/\/api\.example\.com`\)/),
      ]),
    );
  });
});
