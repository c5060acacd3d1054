import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { classifySendGridError, createSendGridAdapter } from '../../../activities/channels/email';
import {
  CONFIGURATION_ERROR,
  TransientSendError,
  type DeliveryMeta,
  type EmailAdapter,
  type EmailMessage,
} from '../../../activities/channels/contract';
import { startFakeSendGrid, type FakeSendGrid } from '../../fakes/sendgrid';
import { transientError } from '../../helpers/channels';

const meta: DeliveryMeta = {
  deliveryKey: 'journey:j-mail:user:u-1:entry-1:node-welcome',
  userId: 'u-1',
  journeyId: 'j-mail',
  version: 3,
  nodeId: 'node-welcome',
  instanceId: 'journey:j-mail:user:u-1',
};

const message: EmailMessage = {
  to: 'ada@example.com',
  from: 'hello@example.com',
  subject: 'Welcome',
  text: 'Hi Ada',
  html: '<p>Hi Ada</p>',
};

/** The SendGrid adapter through the real @sendgrid/mail SDK against a local fake of the API. */
describe('SendGrid email adapter', () => {
  let fake: FakeSendGrid;
  let adapter: EmailAdapter;
  const logger = { error: jest.fn() };

  beforeAll(async () => {
    fake = await startFakeSendGrid();
    adapter = createSendGridAdapter({ apiKey: 'SG.test-key', baseUrl: fake.url, timeoutMs: 2_000, logger });
  });
  afterAll(async () => {
    await fake?.close();
  });
  beforeEach(() => {
    fake.messages.length = 0;
    fake.setFaultPolicy(undefined);
    logger.error.mockClear();
  });

  it('sends the message and answers the message id SendGrid returned', async () => {
    const outcome = await adapter.send(message, meta);

    expect(fake.messages).toHaveLength(1);
    const [accepted] = fake.messages;
    expect(outcome).toEqual({ outcome: 'sent', messageId: accepted!.messageId });
    expect(adapter.provider).toBe('sendgrid');
    expect(accepted!.to).toEqual(['ada@example.com']);
    expect(accepted!.body).toMatchObject({
      from: { email: 'hello@example.com' },
      subject: 'Welcome',
      content: [
        { type: 'text/plain', value: 'Hi Ada' },
        { type: 'text/html', value: '<p>Hi Ada</p>' },
      ],
    });
    expect(accepted!.customArgs).toEqual({
      delivery_key: meta.deliveryKey,
      journey_id: 'j-mail',
      version: '3',
      node_id: 'node-welcome',
      instance_id: meta.instanceId,
      user_id: 'u-1',
    });
  });

  it('sends a template id instead of content', async () => {
    const outcome = await adapter.send({ to: 'ada@example.com', from: 'hello@example.com', subject: '', templateId: 'd-welcome' }, meta);

    expect(outcome).toMatchObject({ outcome: 'sent' });
    expect(fake.messages[0]!.body.template_id).toBe('d-welcome');
    expect(fake.messages[0]!.body.content).toBeUndefined();
  });

  it('takes a 429 as transient, not accepted, retrying after the rate limit reset', async () => {
    fake.fail({ status: 429, resetInSeconds: 30 });

    const error = await transientError(adapter.send(message, meta));

    expect(error.accepted).toBe('no');
    // The reset is a whole epoch second, so up to one second of it has already passed.
    expect(error.retryAfterMs).toBeGreaterThan(28_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(30_000);
    expect(fake.messages).toHaveLength(0);
  });

  it.each([500, 502, 503] as const)('takes a %i as transient, not accepted', async (status) => {
    fake.fail({ status });

    const error = await transientError(adapter.send(message, meta));

    expect(error.accepted).toBe('no');
    expect(error.retryAfterMs).toBeUndefined();
  });

  it.each([400, 413] as const)('fails a message refused with %i, naming the reason', async (status) => {
    fake.fail({ status, message: 'The content value must be a string at least one character in length.' });

    expect(await adapter.send(message, meta)).toEqual({
      outcome: 'failed',
      reason: 'rejected: The content value must be a string at least one character in length.',
    });
    expect(logger.error).not.toHaveBeenCalled();
  });

  it('fails a message the API itself refuses (no content and no template)', async () => {
    const outcome = await adapter.send({ to: 'ada@example.com', from: 'hello@example.com', subject: 'Welcome' }, meta);

    expect(outcome).toEqual({
      outcome: 'failed',
      reason: expect.stringMatching(/^rejected: Unless a valid template_id is provided, the content/),
    });
    expect(fake.messages).toHaveLength(0);
  });

  it.each([401, 403] as const)('fails a %i as a configuration error and logs it', async (status) => {
    fake.fail({ status });

    expect(await adapter.send(message, meta)).toEqual({ outcome: 'failed', reason: CONFIGURATION_ERROR });
    expect(logger.error).toHaveBeenCalledTimes(1);
    expect(logger.error.mock.calls[0]![0]).toMatchObject({ provider: 'sendgrid', error: expect.stringContaining(`HTTP ${status}`) });
  });

  it('takes a timeout after SendGrid accepted the message as transient, maybe accepted', async () => {
    fake.fail({ acceptThenHang: 5_000 });

    const error = await transientError(adapter.send(message, meta));

    expect(error.accepted).toBe('unknown');
    expect(fake.messages).toHaveLength(1);
    // SendGrid has no idempotency key: a repeat could double the message, so the in-doubt policy decides.
    expect(adapter.idempotent).toBeFalsy();
  });

  it('applies the fault policy to the sends it picks', async () => {
    fake.setFaultPolicy((body) => (body.personalizations?.[0]?.to?.[0]?.email === 'grace@example.com' ? { status: 503 } : undefined));
    const requestsBefore = fake.requests;

    await expect(adapter.send({ ...message, to: 'grace@example.com' }, meta)).rejects.toBeInstanceOf(TransientSendError);
    expect(await adapter.send(message, meta)).toMatchObject({ outcome: 'sent' });
    expect(fake.messages.map((m) => m.to)).toEqual([['ada@example.com']]);
    expect(fake.requests - requestsBefore).toBe(2);
  });

  it('takes a refused connection as transient, not accepted', async () => {
    const closedPort = await unusedPort();
    const unreachable = createSendGridAdapter({
      apiKey: 'SG.test-key',
      baseUrl: `http://127.0.0.1:${closedPort}/`,
      timeoutMs: 500,
      logger,
    });

    const error = await transientError(unreachable.send(message, meta));

    expect(error.accepted).toBe('no');
  });

  it('fails every send of a malformed base URL as a configuration error', async () => {
    const misconfigured = createSendGridAdapter({ apiKey: 'SG.test-key', baseUrl: 'not a url', logger });

    expect(await misconfigured.send(message, meta)).toEqual({ outcome: 'failed', reason: CONFIGURATION_ERROR });
    expect(logger.error).toHaveBeenCalledTimes(1);
    expect(logger.error.mock.calls[0]![0]).toMatchObject({ error: 'ERR_INVALID_URL: Invalid URL' });
  });
});

describe('classifySendGridError', () => {
  const now = Date.parse('2026-03-01T10:00:00.000Z');

  /** The shapes @sendgrid/client rejects with: a ResponseError for a status >= 400, axios's error otherwise. */
  function responseError(status: number, headers: Record<string, string> = {}, body: unknown = { errors: [] }) {
    return Object.assign(new Error('status text'), { code: status, response: { headers, body } });
  }
  function axiosError(code: string, message = code) {
    return Object.assign(new Error(message), { code, isAxiosError: true });
  }

  it.each(['ECONNABORTED', 'ETIMEDOUT', 'ECONNRESET', 'EPIPE', 'ERR_CANCELED'])('takes %s as maybe accepted', (code) => {
    expect(classifySendGridError(axiosError(code), now)).toMatchObject({ accepted: 'unknown' });
  });

  it.each(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH'])('takes %s as not accepted', (code) => {
    expect(classifySendGridError(axiosError(code), now)).toMatchObject({ accepted: 'no' });
  });

  it('clamps the retry-after of a 429 between zero and ten minutes, and omits it without the header', () => {
    const retryAfter = (reset?: number) =>
      (
        classifySendGridError(
          responseError(429, reset === undefined ? {} : { 'x-ratelimit-reset': String(reset) }),
          now,
        ) as TransientSendError
      ).retryAfterMs;

    expect(retryAfter(now / 1000 + 12)).toBe(12_000);
    expect(retryAfter(now / 1000 - 5)).toBe(0);
    expect(retryAfter(now / 1000 + 3600)).toBe(600_000);
    expect(retryAfter()).toBeUndefined();
  });

  it('fails other 4xx with the first error message, shortened to 200 characters', () => {
    expect(classifySendGridError(responseError(404), now)).toEqual({ outcome: 'failed', reason: 'rejected: HTTP 404' });
    const long = classifySendGridError(responseError(400, {}, { errors: [{ message: 'x'.repeat(500) }, { message: 'second' }] }), now);
    expect(long).toMatchObject({ outcome: 'failed', reason: expect.stringMatching(/^rejected: x+…$/) });
    expect((long as { reason: string }).reason).toHaveLength(200);
  });

  it('fails an error raised before any request, such as the SDK refusing the message', () => {
    expect(classifySendGridError(new Error('Provide at least one of to, cc or bcc'), now)).toEqual({
      outcome: 'failed',
      reason: 'invalid message: Provide at least one of to, cc or bcc',
    });
  });
});

/** A port nothing listens on: one the OS just handed out and took back. */
async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
