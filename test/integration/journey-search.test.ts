import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { call, startTestStack, testAdminKey, type TestStack } from '../helpers/stack';

// The CLI test runs a fresh node process (about a second with tsx).
jest.setTimeout(120_000);

/**
 * The journey list's search on the real API and FerretDB: `q` (name or id, case-insensitive substring),
 * `entryType` (a version entering that way), `createdBy` (the actor who created the journey: key name, id or
 * both), combined with state, label, archive flag and paging; and the CLI's `list --search --entry-type
 * --created-by` as a child process.
 */
describe('journey list search', () => {
  let stack: TestStack;
  let marketing: { id: string; key: string };
  const exit = { done: { type: 'exit' } };

  const ids = async (query: string) => {
    const response = await call(stack, 'GET', `/v1/journeys?${query}`);
    expect(response.status).toBe(200);
    return { ids: (response.body.items as Array<{ id: string }>).map((j) => j.id).sort(), total: response.body.total as number };
  };

  beforeAll(async () => {
    stack = await startTestStack();
    const created = await call(stack, 'POST', '/v1/api-keys', { name: 'marketing', scopes: ['admin'] });
    expect(created.status).toBe(201);
    marketing = created.body;
    const asMarketing = { authorization: `Bearer ${marketing.key}` };
    const create = async (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
      expect((await call(stack, 'POST', '/v1/journeys', { nodes: exit, ...body }, headers)).status).toBe(201);

    await create({ id: 'spring-sale', name: 'Spring Sale', labels: ['retail'], entry: { type: 'api' } });
    await create(
      { id: 'cart-rescue', name: 'Abandoned cart rescue', labels: ['retail'], entry: { type: 'event', event: 'cart' } },
      asMarketing,
    );
    await create({ id: 'vip-upload', name: 'VIP upload', entry: { type: 'list' } }, asMarketing);
    await create({ id: 'x-promo-1', name: 'Other', entry: { type: 'api' } });
    // Version 1 enters by API (published), its draft version 2 by event: it is found under both entry types.
    await create({ id: 'switching', name: 'Switching entry', entry: { type: 'api' } });
    expect((await call(stack, 'POST', '/v1/journeys/switching/versions/1/publish', {})).status).toBe(200);
    const v2 = { id: 'switching', name: 'Switching entry', entry: { type: 'event', event: 'cart' }, nodes: exit };
    expect((await call(stack, 'POST', '/v1/journeys/switching/versions', { definition: v2 }, asMarketing)).status).toBe(201);
    await create({ id: 'old-sale', name: 'Old SALE', entry: { type: 'api' } });
    expect((await call(stack, 'POST', '/v1/journeys/old-sale/archive', {})).status).toBe(200);
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('q: a case-insensitive substring of the name or the id', async () => {
    expect(await ids('q=SALE')).toEqual({ ids: ['spring-sale'], total: 1 });
    expect(await ids('q=sale&archived=true')).toEqual({ ids: ['old-sale'], total: 1 });
    expect(await ids('q=promo')).toEqual({ ids: ['x-promo-1'], total: 1 });
    expect(await ids('q=Cart%20Res')).toEqual({ ids: ['cart-rescue'], total: 1 });
    expect(await ids('q=r')).toEqual({ ids: ['cart-rescue', 'spring-sale', 'switching', 'x-promo-1'], total: 4 });
    expect(await ids('q=nothing-like-this')).toEqual({ ids: [], total: 0 });
  });

  it('entryType: journeys with a version that enters that way', async () => {
    expect(await ids('entryType=event')).toEqual({ ids: ['cart-rescue', 'switching'], total: 2 });
    expect(await ids('entryType=api')).toEqual({ ids: ['spring-sale', 'switching', 'x-promo-1'], total: 3 });
    expect(await ids('entryType=list')).toEqual({ ids: ['vip-upload'], total: 1 });
    expect(await ids('entryType=segment')).toEqual({ ids: [], total: 0 });
  });

  it('createdBy: the creator of the journey (not of a later version), by key name, key id or the whole actor', async () => {
    const byMarketing = { ids: ['cart-rescue', 'vip-upload'], total: 2 };
    expect(await ids('createdBy=marketing')).toEqual(byMarketing);
    expect(await ids(`createdBy=${marketing.id}`)).toEqual(byMarketing);
    expect(await ids(`createdBy=${encodeURIComponent(`marketing (${marketing.id})`)}`)).toEqual(byMarketing);
    expect(await ids('createdBy=bootstrap')).toEqual({ ids: ['spring-sale', 'switching', 'x-promo-1'], total: 3 });
    expect(await ids('createdBy=market')).toEqual({ ids: [], total: 0 });
  });

  it('combines with each other, state, label and paging (total counts every match)', async () => {
    expect(await ids('entryType=event&createdBy=marketing&q=cart')).toEqual({ ids: ['cart-rescue'], total: 1 });
    expect(await ids('entryType=api&state=running')).toEqual({ ids: ['switching'], total: 1 });
    expect(await ids('label=retail&createdBy=bootstrap')).toEqual({ ids: ['spring-sale'], total: 1 });
    const first = await ids('entryType=api&limit=2&offset=0');
    const second = await ids('entryType=api&limit=2&offset=2');
    expect([first.total, second.total]).toEqual([3, 3]);
    expect([...first.ids, ...second.ids].sort()).toEqual(['spring-sale', 'switching', 'x-promo-1']);
  });

  it('answers a bad filter with a 400 naming it', async () => {
    for (const [query, field] of [
      ['entryType=webhook', 'entryType'],
      [`q=${'x'.repeat(201)}`, 'q'],
      ['q=', 'q'],
      ['createdBy=', 'createdBy'],
    ] as const) {
      const response = await call(stack, 'GET', `/v1/journeys?${query}`);
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(JSON.stringify(response.body)).toContain(field);
    }
  });

  it('the CLI: list --search, --entry-type, --created-by', async () => {
    const run = await cli(['list', '--search', 'cart', '--entry-type', 'event', '--created-by', 'marketing']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const rows = run.stdout.trimEnd().split('\n');
    expect(rows[0]).toMatch(/^ID\s+NAME\s+LABELS\s+VERSIONS$/);
    expect(rows.slice(1)).toEqual([expect.stringMatching(/^cart-rescue\s+Abandoned cart rescue\s+retail\s+v1 draft$/)]);

    const json = await cli(['list', '--json', '--entry-type', 'api', '--search', 'S']);
    expect(
      JSON.parse(json.stdout)
        .map((j: { id: string }) => j.id)
        .sort(),
    ).toEqual(['spring-sale', 'switching']);
    expect((await cli(['list', '--created-by', 'nobody'])).stdout.trim()).toBe('no journeys match');
    const bad = await cli(['list', '--entry-type', 'webhook']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('webhook');
  });

  function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const env: NodeJS.ProcessEnv = { ...process.env, JOURNEYS_API_URL: stack.baseUrl, JOURNEYS_API_KEY: testAdminKey, NO_COLOR: '1' };
    delete env.FORCE_COLOR;
    return new Promise((done) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'cli/main.ts', ...args],
        { cwd: resolve(__dirname, '../..'), env, timeout: 45_000, encoding: 'utf8' },
        (error, stdout, stderr) => done({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
      );
    });
  }
});
