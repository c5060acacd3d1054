import { fieldsOf } from '../../console/src/pages/content/channel-fields';
import { toContent, toFormValues } from '../../console/src/pages/content/content-form';
import { pathSegments, problemsByField } from '../../console/src/pages/content/field-problems';

/** The content form's pure parts: fields per channel, text <-> content, and where the API's problems go. */

test('each channel offers its own fields; the sink offers the text fields it has', () => {
  const names = (channel: Parameters<typeof fieldsOf>[0], content = {}) => fieldsOf(channel, content).map((field) => field.name);
  expect(names('email')).toEqual(['subject', 'body', 'html', 'template', 'from', 'provider']);
  expect(names('push')).toEqual(['title', 'body', 'data', 'provider']);
  expect(names('sms')).toEqual(['body', 'provider']);
  expect(names('webhook')).toEqual(['url', 'method', 'headers', 'body', 'timeoutMs']);
  expect(names('inbox')).toEqual(['title', 'body', 'imageUrl', 'deepLink', 'custom', 'expiry', 'category']);
  expect(names('sink', { headline: 'Hi', count: 3 })).toEqual(['headline']);
  expect(names('sink')).toEqual(['subject', 'body']);
});

test('text round-trips to content: empty optional fields left out, required ones kept, numbers and JSON parsed', () => {
  const fields = fieldsOf('webhook', {});
  const original = { url: 'https://x.example/a', headers: { 'x-a': '1' }, body: { id: '{{ user.id }}' }, timeoutMs: 500 };
  const values = toFormValues(fields, original);
  expect(values).toEqual({
    url: 'https://x.example/a',
    method: 'POST',
    headers: '{\n  "x-a": "1"\n}',
    body: '{\n  "id": "{{ user.id }}"\n}',
    timeoutMs: '500',
  });
  expect(toContent(fields, { ...values, headers: '', body: 'plain {{ user.id }}' }, original)).toEqual({
    ok: true,
    content: { url: 'https://x.example/a', method: 'POST', body: 'plain {{ user.id }}', timeoutMs: 500 },
  });
  // A required field is sent even empty, so the API names what is missing.
  const email = fieldsOf('email', {});
  expect(toContent(email, { subject: '', body: 'x' }, {})).toEqual({ ok: true, content: { subject: '', body: 'x' } });
});

test('what cannot be parsed is named by its field before anything is sent', () => {
  const fields = fieldsOf('webhook', {});
  const result = toContent(fields, { url: 'https://x.example', headers: '{"a": 1}', body: '{oops', timeoutMs: '1.5' }, {});
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(Object.keys(result.errors).sort()).toEqual(['body', 'headers', 'timeoutMs']);
  expect(result.errors.headers).toBe('values must be strings (not a)');
  expect(result.errors.body).toMatch(/^not valid JSON/);
  expect(result.errors.timeoutMs).toBe('must be a whole number');
});

test("the API's problem paths are placed by node and field", () => {
  expect(pathSegments('content.test-offer.weights.discount')).toEqual(['content', 'test-offer', 'weights', 'discount']);
  expect(pathSegments('content["odd id"].headers["x.y"][0]')).toEqual(['content', 'odd id', 'headers', 'x.y', '0']);
  expect(
    problemsByField('mail', [
      { path: 'content.mail.subject', message: 'an email needs a subject' },
      { path: 'content.mail', message: 'an email needs a body, html or template' },
      { path: 'content.other.body', message: 'elsewhere' },
      { path: 'body.mail.html', message: 'from the request body' },
    ]),
  ).toEqual({
    subject: ['an email needs a subject'],
    '': ['an email needs a body, html or template', 'elsewhere'],
    html: ['from the request body'],
  });
});
