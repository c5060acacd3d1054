import { RenderError, renderMessage, type RenderScope } from '../../activities/delivery/render';

/**
 * Liquid rendering of message content per channel: the four template scopes, HTML escaping in email html
 * only, missing variables, the default filter, webhook bodies and headers, and the RenderError cases.
 */

const scope: RenderScope = {
  profile: { firstName: 'Ada', plan: 'pro', bio: '<script>alert(1)</script>' },
  event: { name: 'cart_abandoned', properties: { cartUrl: 'https://shop.example.com/cart/42', total: 99.5 } },
  context: { source: 'api', items: 3 },
  journey: { id: 'welcome', version: 2, nodeId: 'send-1', instanceId: 'inst-7', userId: 'u1' },
};

const render = (channel: Parameters<typeof renderMessage>[0], content: Record<string, unknown>) => renderMessage(channel, content, scope);

describe('renderMessage', () => {
  it('email: subject, text and html see profile, event, context and journey', async () => {
    await expect(
      render('email', {
        subject: 'Hi {{ profile.firstName }}, your {{ profile.plan }} cart',
        body: 'Back to {{ event.properties.cartUrl }} ({{ context.items }} items, from {{ context.source }})',
        html: '<p>{{ journey.id }} v{{ journey.version }} / {{ journey.nodeId }} / {{ journey.instanceId }} / {{ journey.userId }}</p>',
        template: 'tpl-1',
        from: 'news@example.com',
        provider: 'sendgrid',
      }),
    ).resolves.toEqual({
      channel: 'email',
      subject: 'Hi Ada, your pro cart',
      text: 'Back to https://shop.example.com/cart/42 (3 items, from api)',
      html: '<p>welcome v2 / send-1 / inst-7 / u1</p>',
      templateId: 'tpl-1',
      from: 'news@example.com',
    });
  });

  it('email: only the fields given', async () => {
    await expect(render('email', { subject: 'Hello', template: 'tpl-1' })).resolves.toEqual({
      channel: 'email',
      subject: 'Hello',
      templateId: 'tpl-1',
    });
  });

  it('email: html escapes a profile value, the text body and the subject do not', async () => {
    const message = await render('email', {
      subject: 'About {{ profile.bio }}',
      body: 'Bio: {{ profile.bio }}',
      html: '<p>{{ profile.bio }}</p>',
    });
    expect(message).toEqual({
      channel: 'email',
      subject: 'About <script>alert(1)</script>',
      text: 'Bio: <script>alert(1)</script>',
      html: '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>',
    });
  });

  it('email: `| raw` opts out of escaping in html', async () => {
    await expect(render('email', { subject: 's', html: '<div>{{ profile.bio | raw }}</div>' })).resolves.toMatchObject({
      html: '<div><script>alert(1)</script></div>',
    });
  });

  it('a missing variable renders empty; `| default` gives a fallback', async () => {
    await expect(
      render('sms', {
        body: 'Hi {{ profile.nickname }}!|{{ event.properties.missing.deeper }}|Hi {{ profile.nickname | default: "there" }}, {{ profile.firstName | default: "there" }}',
      }),
    ).resolves.toEqual({ channel: 'sms', body: 'Hi !||Hi there, Ada' });
  });

  it('Liquid tags and filters work', async () => {
    await expect(
      render('sms', {
        body: '{% if profile.plan == "pro" %}PRO{% else %}FREE{% endif %} {{ profile.firstName | upcase }} {{ event.properties.total | times: 2 }}',
      }),
    ).resolves.toEqual({ channel: 'sms', body: 'PRO ADA 199' });
  });

  it('push: title, body and every data value rendered', async () => {
    await expect(
      render('push', {
        title: '{{ profile.firstName }}, still there?',
        body: 'Your cart from {{ context.source }}',
        data: { url: '{{ event.properties.cartUrl }}', journey: '{{ journey.id }}', fixed: 'plain' },
      }),
    ).resolves.toEqual({
      channel: 'push',
      title: 'Ada, still there?',
      body: 'Your cart from api',
      data: { url: 'https://shop.example.com/cart/42', journey: 'welcome', fixed: 'plain' },
    });
  });

  it('push: a title alone', async () => {
    await expect(render('push', { title: 'Hi {{ profile.firstName }}' })).resolves.toEqual({ channel: 'push', title: 'Hi Ada' });
  });

  it('webhook: url and headers rendered, an object body becomes JSON with each string rendered', async () => {
    const message = await render('webhook', {
      url: 'https://hooks.example.com/users/{{ journey.userId }}',
      method: 'PUT',
      headers: { 'x-journey': '{{ journey.id }}', 'x-static': 'yes' },
      body: {
        user: '{{ journey.userId }}',
        name: '{{ profile.firstName }}',
        nested: { items: ['{{ context.items }}', 7, true, null] },
        total: 5,
      },
      timeoutMs: 2000,
    });
    expect(message).toEqual({
      channel: 'webhook',
      method: 'PUT',
      url: 'https://hooks.example.com/users/u1',
      headers: { 'x-journey': 'welcome', 'x-static': 'yes' },
      body: '{"user":"u1","name":"Ada","nested":{"items":["3",7,true,null]},"total":5}',
      timeoutMs: 2000,
    });
  });

  it('webhook: a string body is rendered as is (not JSON-encoded); method defaults to POST, headers to {}', async () => {
    await expect(
      render('webhook', { url: 'https://hooks.example.com/x', body: 'name={{ profile.firstName }}&plan={{ profile.plan }}' }),
    ).resolves.toEqual({
      channel: 'webhook',
      method: 'POST',
      url: 'https://hooks.example.com/x',
      headers: {},
      body: 'name=Ada&plan=pro',
    });
  });

  it('webhook: no body -> no body field', async () => {
    await expect(render('webhook', { url: 'https://hooks.example.com/x' })).resolves.toEqual({
      channel: 'webhook',
      method: 'POST',
      url: 'https://hooks.example.com/x',
      headers: {},
    });
  });

  it('sink: every string of the content rendered, structure kept', async () => {
    await expect(
      render('sink', { who: '{{ profile.firstName }}', tags: ['{{ event.name }}', 1], meta: { at: '{{ journey.nodeId }}' } }),
    ).resolves.toEqual({
      channel: 'sink',
      content: { who: 'Ada', tags: ['cart_abandoned', 1], meta: { at: 'send-1' } },
    });
  });

  describe('RenderError', () => {
    it.each([
      [
        'email without a subject',
        'email',
        { body: 'hi' },
        /^the email content is invalid: subject: Invalid input: expected string, received undefined$/,
      ],
      [
        'email with an empty subject',
        'email',
        { subject: '', body: 'hi' },
        /^the email content is invalid: subject: an email needs a subject$/,
      ],
      ['email without body, html or template', 'email', { subject: 'hi' }, /an email needs a body, html or template/],
      ['sms without a body', 'sms', {}, /the sms content is invalid/],
      ['push without title or body', 'push', { data: { a: 'b' } }, /a push needs a title or a body/],
      ['webhook with a non-http url', 'webhook', { url: 'ftp://example.com' }, /a webhook needs an http/],
      ['an unknown field', 'sms', { body: 'hi', colour: 'red' }, /unknown field `colour`/],
    ] as const)('invalid content: %s', async (_, channel, content, message) => {
      const rendering = render(channel, content);
      await expect(rendering).rejects.toBeInstanceOf(RenderError);
      await expect(rendering).rejects.toThrow(message);
    });

    it.each([
      ['an unclosed output', 'email', { subject: 'Hi {{ profile.firstName', body: 'x' }],
      ['an unclosed tag', 'sms', { body: '{% if profile.plan %}pro' }],
      ['an unknown tag', 'push', { title: '{% frobnicate %}' }],
      ['a broken template inside a webhook object body', 'webhook', { url: 'https://hooks.example.com/x', body: { a: '{{ }' } }],
    ] as const)('a template that does not parse: %s', async (_, channel, content) => {
      const rendering = render(channel, content);
      await expect(rendering).rejects.toBeInstanceOf(RenderError);
      await expect(rendering).rejects.toThrow(/^a template does not render: /);
    });
  });
});
