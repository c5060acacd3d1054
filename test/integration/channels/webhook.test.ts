import type { WebhookAdapter, WebhookMessage } from '../../../activities/channels/contract';
import { signWebhookBody, verifyWebhookSignature } from '../../../activities/channels/webhook';
import { freePort } from '../../../infra/processes';
import { deliveryMeta, localWebhookAdapter, transientError } from '../../helpers/channels';
import { startWebhookReceiver, type WebhookReceiver } from '../../fakes/webhook-receiver';

const secret = 'whsec_test';
const now = Date.UTC(2030, 0, 1, 12, 0, 0);

const meta = () => deliveryMeta('hook-1');

describe('webhook adapter', () => {
  let receiver: WebhookReceiver;
  let webhook: WebhookAdapter;
  const logger = { error: jest.fn() };
  const message = (overrides: Partial<WebhookMessage> = {}): WebhookMessage => ({
    method: 'POST',
    url: `${receiver.url}/hooks/welcome?tenant=acme`,
    headers: { 'X-Custom': 'yes' },
    body: '{"userId":"u1","plan":"pro"}',
    ...overrides,
  });

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    webhook = localWebhookAdapter({ signingSecret: secret, defaultTimeoutMs: 300, now: () => now, logger });
  });
  afterAll(async () => {
    await receiver?.close();
  });
  beforeEach(() => {
    receiver.requests.length = 0;
    logger.error.mockClear();
  });

  describe('the request', () => {
    it('carries the body, the message headers and the engine headers', async () => {
      const delivery = meta();
      const outcome = await webhook.send(message(), delivery);

      expect(outcome).toEqual({ outcome: 'sent', messageId: delivery.deliveryKey });
      const [request] = receiver.requests;
      expect(request).toMatchObject({ method: 'POST', path: '/hooks/welcome?tenant=acme', body: '{"userId":"u1","plan":"pro"}' });
      expect(request!.headers).toMatchObject({
        'content-type': 'application/json',
        'x-custom': 'yes',
        'idempotency-key': delivery.deliveryKey,
        'user-agent': 'journeys-engine',
        'x-journeys-delivery': delivery.deliveryKey,
      });
      expect(webhook.provider).toBe('http');
    });

    it('keeps the Content-Type the message sets, and sends PUT and PATCH', async () => {
      await webhook.send(message({ method: 'PUT', headers: { 'content-type': 'text/plain' }, body: 'plain' }), meta());
      await webhook.send(message({ method: 'PATCH' }), meta());

      expect(receiver.requests.map((r) => [r.method, r.headers['content-type']])).toEqual([
        ['PUT', 'text/plain'],
        ['PATCH', 'application/json'],
      ]);
    });

    it('does not let the message override the Idempotency-Key or the signature', async () => {
      const delivery = meta();
      await webhook.send(message({ headers: { 'Idempotency-Key': 'mine', 'X-Journeys-Signature': 'forged' } }), delivery);

      const { headers, body } = receiver.requests[0]!;
      expect(headers['idempotency-key']).toBe(delivery.deliveryKey);
      expect(verifyWebhookSignature(secret, String(headers['x-journeys-signature']), body, 300, now)).toBe(true);
    });

    it('sends the same Idempotency-Key when the same delivery is retried, and declares itself idempotent (resent after a crash)', async () => {
      const delivery = meta();
      await webhook.send(message(), delivery);
      await webhook.send(message(), delivery);

      expect(receiver.requests.map((r) => r.headers['idempotency-key'])).toEqual([delivery.deliveryKey, delivery.deliveryKey]);
      expect(webhook.idempotent).toBe(true);
    });

    it('is not signed without a signing secret', async () => {
      await localWebhookAdapter().send(message(), meta());

      expect(receiver.requests[0]!.headers).not.toHaveProperty('x-journeys-signature');
      expect(receiver.requests[0]!.headers).toHaveProperty('idempotency-key');
    });
  });

  describe('the signature', () => {
    it('is t=<unix seconds>,v1=<hex hmac> and verifies against the raw body', async () => {
      await webhook.send(message(), meta());

      const { headers, body } = receiver.requests[0]!;
      const header = String(headers['x-journeys-signature']);
      expect(header).toBe(signWebhookBody(secret, now / 1000, body));
      expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
      expect(verifyWebhookSignature(secret, header, body, 300, now)).toBe(true);
    });

    it('fails with a wrong secret, a tampered body, or a stale timestamp', async () => {
      await webhook.send(message(), meta());

      const { headers, body } = receiver.requests[0]!;
      const header = String(headers['x-journeys-signature']);
      expect(verifyWebhookSignature('whsec_wrong', header, body, 300, now)).toBe(false);
      expect(verifyWebhookSignature(secret, header, body.replace('pro', 'enterprise'), 300, now)).toBe(false);
      expect(verifyWebhookSignature(secret, header, body, 300, now + 301_000)).toBe(false);
      expect(verifyWebhookSignature(secret, 'garbage', body, 300, now)).toBe(false);
    });

    it('verifies when any v1 matches (secret rotation) and signs an empty body as "<t>."', () => {
      const signed = signWebhookBody(secret, 1_900_000_000, '');
      const rotated = `${signWebhookBody('whsec_old', 1_900_000_000, '')},v1=${signed.split('v1=')[1]}`;

      expect(verifyWebhookSignature(secret, rotated, '', 60, 1_900_000_000_000)).toBe(true);
    });
  });

  describe('the answer', () => {
    it('takes the message id from x-request-id when the receiver gives one', async () => {
      receiver.fail({ status: 202, headers: { 'x-request-id': 'req-42' } });

      await expect(webhook.send(message(), meta())).resolves.toEqual({ outcome: 'sent', messageId: 'req-42' });
    });

    it.each([408, 429, 500, 502, 503])('%i is transient, not accepted', async (status) => {
      receiver.fail({ status });

      const error = await transientError(webhook.send(message(), meta()));
      expect(error).toMatchObject({ accepted: 'no', message: `http: HTTP ${status}` });
      expect(error.retryAfterMs).toBeUndefined();
    });

    it.each([
      ['seconds', '120', 120_000],
      ['an HTTP date', new Date(now + 30_000).toUTCString(), 30_000],
      ['a date in the past, as 0', new Date(now - 30_000).toUTCString(), 0],
      ['more than 10 minutes, capped', '86400', 600_000],
      ['something unreadable, ignored', 'soon', undefined],
    ])('honours a Retry-After of %s', async (_label, retryAfter, expected) => {
      receiver.fail({ status: 503, retryAfter });

      const error = await transientError(webhook.send(message(), meta()));
      expect(error.retryAfterMs).toBe(expected);
    });

    it.each([400, 401, 404, 410, 422])('%i fails with its status as the reason, logged without the query string', async (status) => {
      receiver.fail({ status });

      await expect(webhook.send(message(), meta())).resolves.toEqual({ outcome: 'failed', reason: `http_${status}` });
      expect(logger.error).toHaveBeenCalledWith(
        expect.objectContaining({ status, url: `${receiver.url}/hooks/welcome` }),
        expect.any(String),
      );
    });

    it('does not follow a redirect', async () => {
      receiver.fail({ status: 302, headers: { location: `${receiver.url}/elsewhere` } });

      await expect(webhook.send(message(), meta())).resolves.toEqual({ outcome: 'failed', reason: 'redirect' });
      expect(receiver.requests.map((r) => r.path)).toEqual(['/hooks/welcome?tenant=acme']);
    });
  });

  describe('failures to talk to the receiver', () => {
    it('a hang longer than the default timeout is transient of unknown acceptance, and the receiver got the request', async () => {
      receiver.fail({ acceptThenHang: 5_000 });

      const error = await transientError(webhook.send(message(), meta()));
      expect(error.accepted).toBe('unknown');
      expect(error.message).toMatch(/timed out/);
      expect(receiver.requests).toHaveLength(1);
    });

    it("the message's timeoutMs overrides the default", async () => {
      const patient = localWebhookAdapter({ defaultTimeoutMs: 100 });
      receiver.fail({ acceptThenHang: 400 }, { acceptThenHang: 5_000 });

      await expect(patient.send(message({ timeoutMs: 2_000 }), meta())).resolves.toMatchObject({ outcome: 'sent' });
      // The receiver answers after 5 s: under the 10 s default that would be `sent`; the message's 200 ms cuts it.
      const error = await transientError(localWebhookAdapter({ defaultTimeoutMs: 10_000 }).send(message({ timeoutMs: 200 }), meta()));
      expect(error.accepted).toBe('unknown');
      expect(error.message).toMatch(/timed out/);
    });

    it('a connection dropped after the request is transient of unknown acceptance', async () => {
      receiver.fail({ acceptThenDrop: true });

      const error = await transientError(webhook.send(message(), meta()));
      expect(error.accepted).toBe('unknown');
      expect(receiver.requests).toHaveLength(1);
    });

    it('a refused connection is transient, not accepted', async () => {
      const error = await transientError(webhook.send(message({ url: `http://127.0.0.1:${await freePort()}/hook` }), meta()));

      expect(error.accepted).toBe('no');
      expect(error.message).toContain('ECONNREFUSED');
    });

    it('a host that does not resolve is transient, not accepted', async () => {
      const error = await transientError(webhook.send(message({ url: 'http://journeys-test.invalid/hook' }), meta()));

      expect(error.accepted).toBe('no');
      expect(error.message).toMatch(/ENOTFOUND|EAI_AGAIN/);
    });

    it.each(['not a url', 'ftp://example.com/hook'])('a URL fetch cannot use (%s) fails as invalid_url', async (url) => {
      await expect(webhook.send(message({ url }), meta())).resolves.toEqual({ outcome: 'failed', reason: 'invalid_url' });
    });
  });
});
