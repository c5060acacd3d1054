import { MAX_INPUT_BYTES, MAX_INPUT_DEPTH } from '../../domain/input-limits';
import { call, startTestStack, type TestStack } from '../helpers/stack';

/**
 * Size and depth limits on the free-form JSON callers send (domain/input-limits.ts), at the API: enrolment
 * and batch `context`, event `properties`, profile `attributes` (PUT, PATCH, an enrolment's `profile`). A value
 * exactly at the limit is accepted; one byte or one level more answers 400 problem+json naming the field.
 */

/** A JSON object of exactly `bytes` bytes: `{"data":"xxx…"}`. */
const ofSize = (bytes: number) => ({ data: 'x'.repeat(bytes - '{"data":""}'.length) });
/** `levels` nested objects: `{ a: { a: … { a: 1 } } }`. */
const ofDepth = (levels: number): Record<string, unknown> => {
  let value: Record<string, unknown> = { a: 1 };
  for (let level = 1; level < levels; level++) value = { a: value };
  return value;
};

const TOO_BIG = `must be at most ${MAX_INPUT_BYTES} bytes as JSON (this one is ${MAX_INPUT_BYTES + 1})`;
const TOO_DEEP = new RegExp(`nest at most ${MAX_INPUT_DEPTH} levels`);

/** A field with a body builder that puts the value where it goes, and the problem path that names it. */
interface Field {
  name: string;
  method: 'POST' | 'PUT' | 'PATCH';
  url: string;
  body: (value: Record<string, unknown>) => unknown;
  path: string;
  accepted: number;
}

describe('input limits', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack();
    const journey = { id: 'limits', name: 'Limits', entry: { type: 'api' }, nodes: { done: { type: 'exit' } } };
    expect((await call(stack, 'POST', '/v1/journeys', journey)).status).toBe(201);
    expect((await call(stack, 'POST', '/v1/journeys/limits/versions/1/publish', {})).status).toBe(200);
    await stack.profiles.put({ userId: 'ada', attributes: {} });
  });
  afterAll(async () => {
    await stack?.close();
  });

  let user = 0;
  const fields: Field[] = [
    {
      name: 'event properties',
      method: 'POST',
      url: '/v1/events',
      body: (properties) => ({ userId: 'ada', name: 'viewed', properties }),
      path: 'body.properties',
      accepted: 202,
    },
    {
      name: 'event properties in a batch',
      method: 'POST',
      url: '/v1/events/batch',
      body: (properties) => ({ events: [{ userId: 'ada', name: 'viewed', properties }] }),
      path: 'body.events.0.properties',
      accepted: 200,
    },
    {
      name: 'enrolment context',
      method: 'POST',
      url: '/v1/journeys/limits/enrollments',
      body: (context) => ({ userId: `u${++user}`, context }),
      path: 'body.context',
      accepted: 202,
    },
    {
      name: 'enrolment profile attributes',
      method: 'POST',
      url: '/v1/journeys/limits/enrollments',
      body: (attributes) => ({ userId: `u${++user}`, profile: { attributes } }),
      path: 'body.profile.attributes',
      accepted: 202,
    },
    {
      name: 'batch row context',
      method: 'POST',
      url: '/v1/journeys/limits/enrollments:batch',
      body: (context) => [{ userId: `u${++user}`, context }],
      path: 'body[0].context',
      accepted: 202,
    },
    {
      name: 'dry-run context',
      method: 'POST',
      url: '/v1/journeys/limits/versions/1/dry-run',
      body: (context) => ({ profile: {}, events: [], context }),
      path: 'body.context',
      accepted: 200,
    },
    {
      name: 'dry-run event properties',
      method: 'POST',
      url: '/v1/journeys/limits/versions/1/dry-run',
      body: (properties) => ({ profile: {}, events: [{ at: 'PT1S', name: 'viewed', properties }] }),
      path: 'body.events.0.properties',
      accepted: 200,
    },
    {
      name: 'profile attributes (PUT)',
      method: 'PUT',
      url: '/v1/users/bob',
      body: (attributes) => ({ attributes }),
      path: 'body.attributes',
      accepted: 200,
    },
    {
      name: 'profile attributes (PATCH)',
      method: 'PATCH',
      url: '/v1/users/cyd',
      body: (attributes) => ({ attributes }),
      path: 'body.attributes',
      accepted: 200,
    },
  ];

  it.each(fields)('$name: exactly at the size and depth limits is accepted', async (field) => {
    for (const value of [ofSize(MAX_INPUT_BYTES), ofDepth(MAX_INPUT_DEPTH)]) {
      const response = await call(stack, field.method, field.url, field.body(value));
      expect({ status: response.status, body: response.body }).toMatchObject({ status: field.accepted });
    }
  });

  it.each(fields)('$name: one byte too big answers 400 naming the field', async (field) => {
    const response = await call(stack, field.method, field.url, field.body(ofSize(MAX_INPUT_BYTES + 1)));
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(response.body.problems).toEqual(expect.arrayContaining([{ path: field.path, message: TOO_BIG }]));
  });

  it.each(fields)('$name: one level too deep, or thousands, answer 400 naming the field', async (field) => {
    for (const levels of [MAX_INPUT_DEPTH + 1, 5_000]) {
      // Written as text: JSON.stringify of thousands of levels can exhaust the test's own stack.
      const deep = `${'{"a":'.repeat(levels - 1)}{"a":1}${'}'.repeat(levels - 1)}`;
      const text = JSON.stringify(field.body({ placeholder: true })).replace('{"placeholder":true}', deep);
      const response = await call(stack, field.method, field.url, text);
      expect(response.status).toBe(400);
      expect(response.body.problems).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ path: expect.stringContaining(field.path), message: expect.stringMatching(TOO_DEEP) }),
        ]),
      );
    }
  });
});
