import { call, startTestStack, type TestStack } from '../helpers/stack';

/** Account-wide delivery settings through the API: defaults, replacement, validation, scopes. */
describe('delivery settings API', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('starts from defaults and replaces the settings as a whole', async () => {
    expect((await call(stack, 'GET', '/v1/settings/delivery')).body).toEqual({ timezone: 'UTC', caps: {}, inDoubt: {}, revision: 0 });
    const settings = {
      timezone: 'Europe/Paris',
      caps: { email: { max: 3, per: 'P7D', minGap: 'PT4H' }, sms: { minGap: 'PT1H' } },
      inDoubt: { sms: 'resend' },
    };
    const put = await call(stack, 'PUT', '/v1/settings/delivery', settings);
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ ...settings, revision: 1 });
    expect((await call(stack, 'GET', '/v1/settings/delivery')).body).toEqual({ ...settings, revision: 1 });
    expect(await stack.settings.deliverySettings()).toEqual({ ...settings, revision: 1 });
    const second = await call(stack, 'PUT', '/v1/settings/delivery', { caps: {} });
    expect(second.body).toEqual({ timezone: 'UTC', caps: {}, inDoubt: {}, revision: 2 });
  });

  it.each([
    [{ timezone: 'Mars/Olympus' }, 'body.timezone'],
    [{ caps: { email: { max: 3 } } }, 'body.caps.email.per'],
    [{ caps: { fax: { minGap: 'PT1H' } } }, 'Unrecognized key: \\"fax'],
    [{ caps: { email: { minGap: 'one hour' } } }, 'body.caps.email.minGap'],
    [{ unknown: true }, 'body'],
    [{ inDoubt: { email: 'maybe' } }, 'body.inDoubt.email'],
    // The sink and webhooks always resend with the delivery key: a policy for them is refused.
    [{ inDoubt: { webhook: 'skip' } }, 'Unrecognized key: \\"webhook'],
  ])('refuses %j naming %s', async (body, path) => {
    const response = await call(stack, 'PUT', '/v1/settings/delivery', body);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(JSON.stringify(response.body)).toContain(path);
  });

  it('needs the admin scope to change them', async () => {
    const created = await call(stack, 'POST', '/v1/api-keys', { name: 'reader', scopes: ['read'] });
    expect(created.status).toBe(201);
    const key = created.body.key as string;
    expect((await call(stack, 'GET', '/v1/settings/delivery', undefined, { authorization: `Bearer ${key}` })).status).toBe(200);
    expect((await call(stack, 'PUT', '/v1/settings/delivery', {}, { authorization: `Bearer ${key}` })).status).toBe(403);
  });
});
