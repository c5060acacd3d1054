import { lookup } from 'node:dns/promises';
import type { WebhookMessage } from '../../../activities/channels/contract';
import type { ResolveHost } from '../../../activities/channels/outbound-guard';
import { createWebhookAdapter } from '../../../activities/channels/webhook';
import { startWebhookReceiver, type WebhookReceiver } from '../../fakes/webhook-receiver';
import { deliveryMeta, localWebhookAdapter } from '../../helpers/channels';

/**
 * The outbound guard of webhooks: each refused class of destination fails the send for good (no retry) and
 * nothing reaches it; WEBHOOK_ALLOW_HOSTS lets the local fake receiver through. Host names are mapped to
 * chosen addresses by an injected resolver (as a hostile DNS server would answer).
 */
describe('webhook outbound guard', () => {
  let receiver: WebhookReceiver;
  let other: WebhookReceiver;
  const logger = { error: jest.fn() };
  const message = (url: string): WebhookMessage => ({ method: 'POST', url, headers: {}, body: '{"userId":"u1"}' });
  const port = () => new URL(receiver.url).port;
  /** Answers from a table of names; other names as the system resolves them. */
  const resolver =
    (table: Record<string, string[]>): ResolveHost =>
    async (hostname) =>
      table[hostname]?.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })) ?? (await lookup(hostname, { all: true }));
  // A short timeout: should the guard let a private address through, the send ends quickly (and the test fails).
  const guarded = () =>
    createWebhookAdapter({
      defaultTimeoutMs: 1_000,
      logger,
      resolve: resolver({ 'crm.example.test': ['10.1.2.3'], 'mixed.example.test': ['93.184.215.14', '192.168.0.7'] }),
    });

  beforeAll(async () => {
    [receiver, other] = await Promise.all([startWebhookReceiver(), startWebhookReceiver()]);
  });
  afterAll(async () => {
    await Promise.all([receiver?.close(), other?.close()]);
  });
  beforeEach(() => {
    receiver.requests.length = 0;
    other.requests.length = 0;
    logger.error.mockClear();
  });

  it.each([
    ['loopback IPv4 (the local receiver itself)', () => `${receiver.url}/hook`, 'loopback'],
    ['loopback IPv6', () => `http://[::1]:${port()}/hook`, 'loopback'],
    ['a name that resolves to loopback (localhost)', () => `http://localhost:${port()}/hook`, 'loopback'],
    ['private 10/8', () => 'http://10.0.0.1/hook', 'private'],
    ['private 172.16/12', () => 'http://172.16.5.4/hook', 'private'],
    ['private 192.168/16', () => 'https://192.168.1.1/hook', 'private'],
    ['private IPv6 (fc00::/7)', () => 'http://[fd12:3456::1]/hook', 'private'],
    ['a name that resolves to a private address', () => 'https://crm.example.test/hook', 'private'],
    ['a name with one private address among public ones', () => 'https://mixed.example.test/hook', 'private'],
    ['CGNAT 100.64/10', () => 'http://100.64.0.1/hook', 'shared address space (CGNAT)'],
    ['link-local IPv4', () => 'http://169.254.1.1/hook', 'link-local'],
    ['link-local IPv6', () => 'http://[fe80::1]/hook', 'link-local'],
    ['the metadata address', () => 'http://169.254.169.254/latest/meta-data/', 'cloud metadata'],
    ['the AWS IPv6 metadata address', () => 'http://[fd00:ec2::254]/latest/meta-data/', 'cloud metadata'],
    ['the GCP metadata name', () => 'http://metadata.google.internal/computeMetadata/v1/', 'cloud metadata'],
    ['multicast IPv4', () => 'http://224.0.0.1/hook', 'multicast'],
    ['multicast IPv6', () => 'http://[ff02::1]/hook', 'multicast'],
    ['unspecified IPv4 (0.0.0.0 reaches this host)', () => `http://0.0.0.0:${port()}/hook`, 'unspecified'],
    ['unspecified IPv6', () => `http://[::]:${port()}/hook`, 'unspecified'],
    ['IPv4-mapped IPv6 loopback', () => `http://[::ffff:127.0.0.1]:${port()}/hook`, 'loopback (IPv4-mapped 127.0.0.1)'],
    ['IPv4-mapped IPv6 metadata', () => 'http://[::ffff:169.254.169.254]/', 'cloud metadata (IPv4-mapped 169.254.169.254)'],
    ['a decimal IPv4 (2130706433 = 127.0.0.1)', () => `http://2130706433:${port()}/hook`, 'loopback'],
  ])('refuses %s: a permanent failure, logged, and nothing is sent', async (_label, url, range) => {
    const delivery = deliveryMeta('hook-1');
    const outcome = await guarded().send(message(url()), delivery);

    expect(outcome).toEqual({ outcome: 'failed', reason: expect.stringMatching(/^destination_refused: /) });
    expect(outcome).toMatchObject({ reason: expect.stringContaining(`is ${range}, not in WEBHOOK_ALLOW_HOSTS`) });
    expect(logger.error).toHaveBeenCalledWith(
      expect.objectContaining({ range, deliveryKey: delivery.deliveryKey }),
      'webhook destination refused by the outbound guard',
    );
    expect(receiver.requests).toEqual([]);
  });

  it('checks the address each connection uses, so a name that changes its answer (DNS rebinding) is refused', async () => {
    const answers = [['127.0.0.1'], ['10.0.0.8']];
    const rebinding = createWebhookAdapter({
      allowHosts: ['127.0.0.1'],
      logger,
      resolve: async () => answers.shift()!.map((address) => ({ address, family: 4 })),
    });
    const url = `http://rebind.example.test:${port()}/hook`;

    await expect(rebinding.send(message(url), deliveryMeta('hook-1'))).resolves.toMatchObject({ outcome: 'sent' });
    await expect(rebinding.send(message(url), deliveryMeta('hook-1'))).resolves.toEqual({
      outcome: 'failed',
      reason: 'destination_refused: rebind.example.test -> 10.0.0.8 is private, not in WEBHOOK_ALLOW_HOSTS',
    });
    expect(receiver.requests).toHaveLength(1);
  });

  it('does not follow a redirect to a refused address', async () => {
    // Allowed by name only: the other receiver, on the same loopback address, is not.
    const byName = createWebhookAdapter({ allowHosts: ['hooks.example.test'], resolve: resolver({ 'hooks.example.test': ['127.0.0.1'] }) });
    receiver.fail({ status: 307, headers: { location: `${other.url}/steal` } });

    await expect(byName.send(message(`http://hooks.example.test:${port()}/hook`), deliveryMeta('hook-1'))).resolves.toEqual({
      outcome: 'failed',
      reason: 'redirect',
    });
    expect(receiver.requests).toHaveLength(1);
    expect(other.requests).toEqual([]);
  });

  describe('WEBHOOK_ALLOW_HOSTS', () => {
    it('lets the local fake receiver through (the tests allow-list 127.0.0.1)', async () => {
      await expect(localWebhookAdapter().send(message(`${receiver.url}/hook`), deliveryMeta('hook-1'))).resolves.toMatchObject({
        outcome: 'sent',
      });
      expect(receiver.requests.map((r) => r.path)).toEqual(['/hook']);
    });

    it.each([
      ['a host name', ['crm.example.test'], 'http://crm.example.test'],
      ['a CIDR', ['127.0.0.0/8'], 'http://crm.example.test'],
      ['an IP', ['127.0.0.1'], 'http://127.0.0.1'],
    ])('takes %s', async (_label, allowHosts, base) => {
      const adapter = createWebhookAdapter({ allowHosts, resolve: resolver({ 'crm.example.test': ['127.0.0.1'] }) });

      await expect(adapter.send(message(`${base}:${port()}/hook`), deliveryMeta('hook-1'))).resolves.toMatchObject({ outcome: 'sent' });
      expect(receiver.requests).toHaveLength(1);
    });

    it('lets only what it names through', async () => {
      const adapter = createWebhookAdapter({
        allowHosts: ['hooks.example.test', '10.0.0.0/8'],
        resolve: resolver({ 'crm.example.test': ['127.0.0.1'] }),
      });

      await expect(adapter.send(message(`http://crm.example.test:${port()}/hook`), deliveryMeta('hook-1'))).resolves.toMatchObject({
        outcome: 'failed',
        reason: expect.stringMatching(/^destination_refused: crm\.example\.test -> 127\.0\.0\.1 is loopback/),
      });
      expect(receiver.requests).toEqual([]);
    });
  });
});
