import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { CONFIGURATION_ERROR, type DeliveryMeta, type EmailMessage } from '../../../activities/channels/contract';
import { createSmtpAdapter } from '../../../activities/channels/smtp';
import { startFakeSmtpRelay, type FakeSmtpRelay } from '../../fakes/smtp-relay';
import { transientError } from '../../helpers/channels';

const meta: DeliveryMeta = {
  deliveryKey: 'journey:j-mail:user:u-1:entry-1:welcome',
  userId: 'u-1',
  journeyId: 'j-mail',
  version: 2,
  nodeId: 'welcome',
  instanceId: 'journey:j-mail:user:u-1',
};
const message: EmailMessage = {
  to: 'ada@example.com',
  from: 'hello@example.com',
  subject: 'Welcome',
  text: 'Hi Ada',
  html: '<p>Hi Ada</p>',
};

/** A TCP server that accepts connections and says nothing: a relay that hangs before its greeting. */
async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** The SMTP relay adapter through nodemailer against the real smtp-server, and relays that fail in each way. */
describe('SMTP relay email adapter', () => {
  let relay: FakeSmtpRelay;
  const logger = { error: jest.fn() };

  beforeAll(async () => {
    relay = await startFakeSmtpRelay();
  });
  afterAll(async () => {
    await relay?.close();
  });
  beforeEach(() => logger.error.mockClear());

  const adapter = (options: Partial<Parameters<typeof createSmtpAdapter>[0]> = {}) =>
    createSmtpAdapter({ url: relay.url, requireTls: false, timeoutMs: 2_000, logger, ...options });

  it('sends text and HTML with the same Message-ID on every attempt of a delivery', async () => {
    const first = await adapter().send(message, meta);
    const again = await adapter().send(message, meta);
    expect(first).toMatchObject({ outcome: 'sent', messageId: expect.stringMatching(/@example\.com>$/) });
    expect(again).toEqual(first);
    const [sent] = relay.messages.slice(-2);
    expect(sent!.headers['message-id']).toBe((first as { messageId: string }).messageId);
    expect(sent!.headers['content-type']).toMatch(/^multipart\/alternative/);
    expect(sent!.raw).toContain('Hi Ada');
    expect(sent!.raw).toContain('<p>Hi Ada</p>');
  });

  it('takes rejected credentials, and a relay without the TLS we require, as configuration errors, logged', async () => {
    const wrongPassword = adapter({ url: relay.url.replace('relay-secret', 'wrong') });
    expect(await wrongPassword.send(message, meta)).toEqual({ outcome: 'failed', reason: CONFIGURATION_ERROR });
    expect(await adapter({ requireTls: true }).send(message, meta)).toEqual({ outcome: 'failed', reason: CONFIGURATION_ERROR });
    expect(logger.error).toHaveBeenCalledTimes(2);
    // The log names the relay, never the password.
    expect(JSON.stringify(logger.error.mock.calls)).not.toContain('relay-secret');
  });

  it('takes 421 and 452 as transient refusals and other 5xx as permanent failures', async () => {
    relay.fail({ at: 'rcpt', code: 421, message: '4.7.0 too busy' });
    expect((await transientError(adapter().send(message, meta))).accepted).toBe('no');
    relay.fail({ at: 'data', code: 452, message: '4.3.1 insufficient storage' });
    expect((await transientError(adapter().send(message, meta))).accepted).toBe('no');
    relay.fail({ at: 'data', code: 554, message: '5.7.1 message refused' });
    expect(await adapter().send(message, meta)).toEqual({ outcome: 'failed', reason: 'smtp_554: 5.7.1 message refused' });
  });

  it('knows the message was not taken when the relay is unreachable or never greets, and honours the timeout', async () => {
    const refused = await transientError(createSmtpAdapter({ url: 'smtp://127.0.0.1:1', requireTls: false }).send(message, meta));
    expect(refused.accepted).toBe('no');
    const silent = await silentServer();
    try {
      const started = Date.now();
      const hung = await transientError(
        createSmtpAdapter({ url: `smtp://127.0.0.1:${silent.port}`, requireTls: false, timeoutMs: 600 }).send(message, meta),
      );
      expect(hung.accepted).toBe('no');
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await silent.close();
    }
  });

  it('leaves a message in doubt when the relay took it all but never answered within the timeout', async () => {
    relay.fail({ at: 'data', hang: true });
    const started = Date.now();
    const lost = await transientError(adapter({ timeoutMs: 800 }).send(message, meta));
    expect(lost.accepted).toBe('unknown');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('refuses content that has only a provider template: a relay has none', async () => {
    expect(await adapter().send({ to: 'ada@example.com', from: 'hello@example.com', subject: 'Hi', templateId: 'd-1' }, meta)).toEqual({
      outcome: 'failed',
      reason: 'smtp_needs_a_body',
    });
  });
});
