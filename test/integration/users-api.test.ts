import { call, startTestStack, type TestStack } from '../helpers/stack';

/** The profiles API over HTTP on FerretDB: replace, merge, read, every refusal, and concurrent merges. */
describe('users API', () => {
  let stack: TestStack;
  let readKey: string;
  let ingestKey: string;
  const as = (key: string) => ({ authorization: `Bearer ${key}` });

  beforeAll(async () => {
    stack = await startTestStack();
    readKey = (await call(stack, 'POST', '/v1/api-keys', { name: 'reader', scopes: ['read'] })).body.key;
    ingestKey = (await call(stack, 'POST', '/v1/api-keys', { name: 'ingester', scopes: ['ingest'] })).body.key;
  });
  afterAll(async () => {
    await stack?.close();
  });

  const full = {
    attributes: { plan: 'pro', address: { city: 'Paris', zip: '75001' }, tags: ['a', 'b'], visits: 3 },
    email: 'ada@example.com',
    phone: '+33612345678',
    timezone: 'Europe/Paris',
    pushTokens: ['token-1', 'token-2'],
    consent: { email: true, sms: false },
  };

  it('replaces a whole profile with PUT and shows it with GET', async () => {
    const put = await call(stack, 'PUT', '/v1/users/ada', full, as(ingestKey));
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ userId: 'ada', ...full, updatedAt: expect.any(String) });
    expect((await call(stack, 'GET', '/v1/users/ada', undefined, as(readKey))).body).toEqual(put.body);

    // Fields left out of a PUT are gone.
    const replaced = await call(stack, 'PUT', '/v1/users/ada', { attributes: { plan: 'free' }, email: 'ada@example.org' });
    expect(replaced.body).toEqual({
      userId: 'ada',
      attributes: { plan: 'free' },
      email: 'ada@example.org',
      pushTokens: [],
      consent: {},
      updatedAt: expect.any(String),
    });
    expect((await call(stack, 'GET', '/v1/users/ada')).body).toEqual(replaced.body);
    expect(Date.parse(replaced.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(put.body.updatedAt));
  });

  it('merges a PATCH: attributes and consent key by key, null deletes, given fields replace, others kept', async () => {
    await call(stack, 'PUT', '/v1/users/grace', full);
    const patched = await call(
      stack,
      'PATCH',
      '/v1/users/grace',
      {
        attributes: { plan: 'team', visits: null, address: { city: 'Lyon' }, newsletter: true },
        consent: { sms: true, push: false },
        email: null,
        timezone: 'America/New_York',
        pushTokens: ['token-3'],
      },
      as(ingestKey),
    );
    expect(patched.status).toBe(200);
    expect(patched.body).toEqual({
      userId: 'grace',
      // `visits` deleted, `address` replaced whole (not merged deeper), `tags` kept, `newsletter` added.
      attributes: { plan: 'team', address: { city: 'Lyon' }, tags: ['a', 'b'], newsletter: true },
      phone: '+33612345678',
      timezone: 'America/New_York',
      pushTokens: ['token-3'],
      consent: { email: true, sms: true, push: false },
      updatedAt: expect.any(String),
    });
    expect((await call(stack, 'GET', '/v1/users/grace')).body).toEqual(patched.body);

    const removed = await call(stack, 'PATCH', '/v1/users/grace', { phone: null, timezone: null, pushTokens: [] });
    expect(removed.body).toEqual({ ...patched.body, phone: undefined, timezone: undefined, pushTokens: [], updatedAt: expect.any(String) });
    expect(removed.body).not.toHaveProperty('phone');

    const untouched = await call(stack, 'PATCH', '/v1/users/grace', {});
    expect(untouched.body).toEqual({ ...removed.body, updatedAt: expect.any(String) });
  });

  it('creates a missing profile with PATCH', async () => {
    const created = await call(stack, 'PATCH', '/v1/users/new-user', {
      attributes: { plan: 'trial', gone: null },
      consent: { email: false },
    });
    expect(created).toMatchObject({
      status: 200,
      body: { userId: 'new-user', attributes: { plan: 'trial' }, pushTokens: [], consent: { email: false } },
    });
    expect(created.body.attributes).not.toHaveProperty('gone');
  });

  it('answers 404 for a user without a profile', async () => {
    const missing = await call(stack, 'GET', '/v1/users/nobody');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(missing.body).toMatchObject({ status: 404, code: 'not_found', userId: 'nobody' });
  });

  it.each([
    ['an invalid email', { email: 'not-an-email' }, 'body.email', /email address/],
    ['a phone number not in E.164', { phone: '06 12 34 56 78' }, 'body.phone', /E\.164/],
    ['a phone number without its country code', { phone: '0612345678' }, 'body.phone', /E\.164/],
    ['an unknown time zone', { timezone: 'Mars/Olympus' }, 'body.timezone', /IANA time zone/],
    ['an offset instead of a time zone', { timezone: '+01:00' }, 'body.timezone', /IANA time zone/],
    ['too many push tokens', { pushTokens: Array.from({ length: 51 }, (_, i) => `t${i}`) }, 'body.pushTokens', /at most 50/],
    ['a push token twice', { pushTokens: ['t1', 't1'] }, 'body.pushTokens', /twice/],
    ['an empty push token', { pushTokens: [''] }, 'body.pushTokens.0', /./],
    ['push tokens that are not strings', { pushTokens: [42] }, 'body.pushTokens.0', /./],
    ['consent for an unknown channel', { consent: { fax: true } }, 'body.consent', /fax/],
    ['consent that is not a boolean', { consent: { email: 'yes' } }, 'body.consent.email', /boolean/],
    ['an unknown field', { emails: 'x@example.com' }, 'body', /emails/],
    ['attributes that are not an object', { attributes: ['plan'] }, 'body.attributes', /object/],
    ['an attribute key starting with $', { attributes: { $where: 1 } }, 'body.attributes.$where', /must not start with "\$"/],
    ['an attribute key with a dot', { attributes: { 'a.b': 1 } }, 'body.attributes.a.b', /attribute key "a\.b" must not contain "\."/],
    ['an empty attribute key', { attributes: { '': 1 } }, 'body.attributes.', /must not be empty/],
    [
      'an attribute key with white space around it',
      { attributes: { ' a': 1 } },
      'body.attributes. a',
      /must not start or end with white space/,
    ],
    ['a nested key of white space', { attributes: { address: { '\t': 1 } } }, 'body.attributes.address.\t', /white space/],
    ['a nested key with a dot', { attributes: { address: { 'ci.ty': 'Paris' } } }, 'body.attributes.address.ci.ty', /"ci\.ty"/],
    ['a nested key with $ inside a list', { attributes: { items: [{ $gt: 1 }] } }, 'body.attributes.items.0.$gt', /"\$gt"/],
    ['a list inside a list', { attributes: { matrix: [[1, 2]] } }, 'body.attributes.matrix.0', /list inside a list/],
  ])('refuses %s with 400 naming the field', async (_what, body, path, message) => {
    for (const method of ['PUT', 'PATCH']) {
      const response = await call(stack, method, '/v1/users/bad-input', body);
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('invalid_input');
      expect(response.body.problems).toEqual(expect.arrayContaining([{ path, message: expect.stringMatching(message) }]));
    }
    expect((await call(stack, 'GET', '/v1/users/bad-input')).status).toBe(404);
  });

  it('refuses attributes nested deeper than 20 levels', async () => {
    let deep: unknown = 1;
    for (let level = 0; level < 25; level++) deep = { inner: deep };
    const response = await call(stack, 'PATCH', '/v1/users/bad-input', { attributes: { deep } });
    expect(response).toMatchObject({ status: 400, body: { problems: [{ message: 'attributes may nest at most 20 levels' }] } });
  });

  it('refuses PATCH null for fields that cannot be removed, and user ids with ":" or spaces', async () => {
    for (const body of [{ attributes: null }, { consent: null }, { pushTokens: null }, { consent: { email: null } }]) {
      expect((await call(stack, 'PATCH', '/v1/users/bad-input', body)).status).toBe(400);
    }
    expect((await call(stack, 'PUT', '/v1/users/a:b', {})).body).toMatchObject({ status: 400, problems: [{ path: 'params.id' }] });
    expect((await call(stack, 'GET', '/v1/users/a%20b')).status).toBe(400);
  });

  it('needs the ingest scope to write and the read scope to read', async () => {
    for (const method of ['PUT', 'PATCH']) {
      const response = await call(stack, method, '/v1/users/scoped', { attributes: { x: 1 } }, as(readKey));
      expect(response).toMatchObject({ status: 403, body: { code: 'forbidden', scope: 'ingest' } });
    }
    expect((await call(stack, 'GET', '/v1/users/scoped', undefined, as(readKey))).status).toBe(404);
    expect((await call(stack, 'PUT', '/v1/users/scoped', {}, as(ingestKey))).status).toBe(200);
    const read = await call(stack, 'GET', '/v1/users/scoped', undefined, as(ingestKey));
    expect(read).toMatchObject({ status: 403, body: { code: 'forbidden', scope: 'read' } });
    expect((await call(stack, 'GET', '/v1/users/scoped', undefined, { authorization: '' })).status).toBe(401);
  });

  /**
   * What FerretDB v1 guarantees for concurrent PATCHes of one profile: each PATCH is one single-document
   * update, applied whole or not at all (never half of one), and answers the profile as its own update left
   * it; attributes no PATCH touches are kept. It does NOT isolate concurrent updates of one document (each is
   * a read-modify-write of the whole document), so a PATCH may undo a concurrent one: only some of them are
   * left in the final profile. (MongoDB would keep all of them.)
   */
  it('applies each of concurrent PATCHes of different attributes whole, keeping untouched attributes', async () => {
    await call(stack, 'PUT', '/v1/users/busy', { attributes: { keep: 'me' }, email: 'busy@example.com' });
    const count = 20;
    const responses = await Promise.all(
      Array.from({ length: count }, (_, i) => call(stack, 'PATCH', '/v1/users/busy', { attributes: { [`a${i}`]: i, [`b${i}`]: i } })),
    );
    responses.forEach((response, i) => {
      expect(response.status).toBe(200);
      expect(response.body.attributes).toMatchObject({ keep: 'me', [`a${i}`]: i, [`b${i}`]: i });
    });

    const { attributes, email } = (await call(stack, 'GET', '/v1/users/busy')).body;
    expect(email).toBe('busy@example.com');
    expect(attributes.keep).toBe('me');
    const applied = Array.from({ length: count }, (_, i) => i).filter((i) => `a${i}` in attributes);
    expect(applied.length).toBeGreaterThanOrEqual(1);
    for (let i = 0; i < count; i++) expect(`b${i}` in attributes).toBe(applied.includes(i));
    expect(Object.keys(attributes)).toHaveLength(1 + 2 * applied.length);
  });

  it('creates a profile once under concurrent first writes', async () => {
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, i) => call(stack, 'PATCH', '/v1/users/fresh', { attributes: { [`k${i}`]: i } })),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(await stack.db.connection.collection('profiles').countDocuments({ _id: 'fresh' as never })).toBe(1);
  });
});
