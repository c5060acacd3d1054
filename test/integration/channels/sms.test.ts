import { CONFIGURATION_ERROR, type SmsAdapter } from '../../../activities/channels/contract';
import { createSmsGatewayAdapter } from '../../../activities/channels/sms';
import { freePort } from '../../../infra/processes';
import { deliveryMeta, transientError } from '../../helpers/channels';
import { startFakeSmsGateway, type FakeSmsGateway } from '../../fakes/sms-gateway';
import { startWebhookReceiver } from '../../fakes/webhook-receiver';

const accountSid = 'AC0123456789abcdef0123456789abcdef';
const authToken = 'secret-token';
const from = '+15005550006';

const meta = () => deliveryMeta('sms-1');

describe('SMS gateway adapter', () => {
  let gateway: FakeSmsGateway;
  let sms: SmsAdapter;
  const logger = { error: jest.fn() };

  beforeAll(async () => {
    gateway = await startFakeSmsGateway({ accountSid, authToken, invalidNumbers: ['+15005550001'], unsubscribedNumbers: ['+15005550002'] });
    sms = createSmsGatewayAdapter({ baseUrl: gateway.url, accountSid, authToken, from, timeoutMs: 2_000, logger });
  });
  afterAll(async () => {
    await gateway?.close();
  });
  beforeEach(() => {
    gateway.messages.length = 0;
    gateway.requests.length = 0;
    logger.error.mockClear();
  });

  it('sends a Twilio-shaped request and returns the sid as the message id', async () => {
    const outcome = await sms.send({ to: '+15551234567', body: 'Hello & welcome' }, meta());

    expect(gateway.messages).toEqual([expect.objectContaining({ To: '+15551234567', From: from, Body: 'Hello & welcome' })]);
    expect(outcome).toEqual({ outcome: 'sent', messageId: gateway.messages[0]!.sid });
    const [request] = gateway.requests;
    expect(request).toMatchObject({ method: 'POST', path: `/2010-04-01/Accounts/${accountSid}/Messages.json` });
    expect(request!.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(sms.provider).toBe('sms-gateway');
    // No idempotency key in the Twilio API: a call left in doubt follows the channel's in-doubt policy.
    expect(sms.idempotent).toBeFalsy();
  });

  it('fails with a configuration error, logged, when the gateway refuses the credentials (401)', async () => {
    const wrongToken = createSmsGatewayAdapter({ baseUrl: gateway.url, accountSid, authToken: 'wrong', from, logger });

    await expect(wrongToken.send({ to: '+15551234567', body: 'hi' }, meta())).resolves.toEqual({
      outcome: 'failed',
      reason: CONFIGURATION_ERROR,
    });
    expect(gateway.messages).toHaveLength(0);
    expect(logger.error).toHaveBeenCalledWith(expect.objectContaining({ status: 401, code: 20003 }), expect.stringMatching(/credentials/));
  });

  it('fails with a configuration error on 403', async () => {
    gateway.fail({ status: 403, code: 20403, message: 'Forbidden' });

    await expect(sms.send({ to: '+15551234567', body: 'hi' }, meta())).resolves.toEqual({ outcome: 'failed', reason: CONFIGURATION_ERROR });
    expect(logger.error).toHaveBeenCalledTimes(1);
  });

  it('throws a transient error, not accepted, with the Retry-After, on 429', async () => {
    gateway.fail({ status: 429, code: 20429, message: 'Too Many Requests', retryAfter: '7' });

    const error = await transientError(sms.send({ to: '+15551234567', body: 'hi' }, meta()));
    expect(error).toMatchObject({ accepted: 'no', retryAfterMs: 7000 });
    expect(error.message).toContain('20429');
    expect(gateway.messages).toHaveLength(0);
  });

  it.each([500, 502, 503])('throws a transient error, not accepted, on %i', async (status) => {
    gateway.fail({ status });

    const error = await transientError(sms.send({ to: '+15551234567', body: 'hi' }, meta()));
    expect(error.accepted).toBe('no');
    expect(error.retryAfterMs).toBeUndefined();
  });

  it('fails an invalid number (21211)', async () => {
    await expect(sms.send({ to: '+15005550001', body: 'hi' }, meta())).resolves.toEqual({ outcome: 'failed', reason: 'invalid_number' });
  });

  it('marks an unsubscribed number unreachable (21610)', async () => {
    await expect(sms.send({ to: '+15005550002', body: 'hi' }, meta())).resolves.toEqual({ outcome: 'unreachable', reason: 'unsubscribed' });
  });

  it('marks a number that is not a mobile unreachable (21614)', async () => {
    gateway.fail({ status: 400, code: 21614, message: "'To' number is not a valid mobile number" });

    await expect(sms.send({ to: '+15551234567', body: 'hi' }, meta())).resolves.toEqual({
      outcome: 'unreachable',
      reason: 'not_a_mobile_number',
    });
  });

  it('fails other 4xx answers with a short reason naming the Twilio code', async () => {
    gateway.fail({ status: 400, code: 21408, message: 'Permission to send an SMS has not been enabled for the region' });

    await expect(sms.send({ to: '+15551234567', body: 'hi' }, meta())).resolves.toEqual({ outcome: 'failed', reason: 'twilio_21408' });
    expect(logger.error).not.toHaveBeenCalled();
  });

  it('throws a transient error of unknown acceptance when the answer takes longer than the timeout', async () => {
    gateway.fail({ acceptThenHang: 5_000 });

    const error = await transientError(sms.send({ to: '+15551234567', body: 'slow' }, meta()));
    expect(error.accepted).toBe('unknown');
    expect(gateway.messages).toEqual([expect.objectContaining({ Body: 'slow' })]);
  });

  it('throws a transient error of unknown acceptance when the connection drops after the request', async () => {
    gateway.fail({ acceptThenDrop: true });

    const error = await transientError(sms.send({ to: '+15551234567', body: 'dropped' }, meta()));
    expect(error.accepted).toBe('unknown');
    expect(gateway.messages).toEqual([expect.objectContaining({ Body: 'dropped' })]);
  });

  describe('behind something that does not answer like Twilio (a plain HTTP server)', () => {
    it.each([404, 302])('fails %i without a Twilio code with its status as the reason, not following redirects', async (status) => {
      const proxy = await startWebhookReceiver();
      proxy.fail({ status, headers: { location: `${gateway.url}/` } });
      try {
        const adapter = createSmsGatewayAdapter({ baseUrl: proxy.url, accountSid, authToken, from });
        await expect(adapter.send({ to: '+15551234567', body: 'hi' }, meta())).resolves.toEqual({
          outcome: 'failed',
          reason: `http_${status}`,
        });
        expect(gateway.requests).toHaveLength(0);
      } finally {
        await proxy.close();
      }
    });

    it('counts a 2xx without a sid as sent, under the delivery key, rather than retrying it', async () => {
      const proxy = await startWebhookReceiver();
      try {
        const delivery = meta();
        const adapter = createSmsGatewayAdapter({ baseUrl: proxy.url, accountSid, authToken, from });
        await expect(adapter.send({ to: '+15551234567', body: 'hi' }, delivery)).resolves.toEqual({
          outcome: 'sent',
          messageId: delivery.deliveryKey,
        });
      } finally {
        await proxy.close();
      }
    });
  });

  it('throws a transient error, not accepted, when the connection is refused', async () => {
    const closed = createSmsGatewayAdapter({ baseUrl: `http://127.0.0.1:${await freePort()}`, accountSid, authToken, from });

    const error = await transientError(closed.send({ to: '+15551234567', body: 'hi' }, meta()));
    expect(error.accepted).toBe('no');
    expect(error.message).toContain('ECONNREFUSED');
  });
});
