import { createProviderAdapters } from '../../activities/channels';
import type { EmailAdapter } from '../../activities/channels/contract';
import { unknownProviderReason, withNamedProvider, type ChannelDefaults } from '../../activities/channels/named';
import { messageIdFor } from '../../activities/channels/smtp';
import { unknownProviderProblems } from '../../domain/delivery/provider-names';
import type { JourneyDefinition } from '../../domain/definition/schema';
import { loadAppConfig } from '../../platform/config';

/** An adapter that only says who it is: these tests pick adapters, they never send. */
function adapter(provider: string): EmailAdapter {
  return { provider, send: () => Promise.reject(new Error('not called')) };
}

const definition = (content: Record<string, Record<string, unknown>>): Pick<JourneyDefinition, 'nodes' | 'content'> => ({
  nodes: {
    mail: { type: 'message', channel: 'email', next: {} },
    text: { type: 'message', channel: 'sms', next: {} },
    hook: { type: 'message', channel: 'webhook', next: {} },
    done: { type: 'exit' },
  } as JourneyDefinition['nodes'],
  content,
});

describe('a message content naming its provider', () => {
  const names = { email: ['marketing', 'transactional'], sms: ['default'] };

  it('passes when the name is configured for the node channel, or is sink, or is absent', () => {
    const ok = definition({
      mail: { subject: 'Hi', body: 'x', provider: 'transactional' },
      text: { body: 'x', provider: 'sink' },
      hook: { url: 'https://example.com' },
    });
    expect(unknownProviderProblems(ok, names)).toEqual([]);
  });

  it('names each unknown provider by its field, with the names it could have given', () => {
    const problems = unknownProviderProblems(
      definition({
        mail: { subject: 'Hi', body: 'x', provider: 'sendgrid' },
        // Configured for email, not for SMS.
        text: { body: 'x', provider: 'marketing' },
        hook: { url: 'https://example.com', provider: 'http' },
      }),
      names,
    );
    expect(problems).toEqual([
      {
        nodeId: 'mail',
        path: 'content.mail.provider',
        message:
          'content mail `provider`: no email provider is named "sendgrid" in this deployment (known: "marketing", "transactional", "sink")',
      },
      {
        nodeId: 'text',
        path: 'content.text.provider',
        message: 'content text `provider`: no sms provider is named "marketing" in this deployment (known: "default", "sink")',
      },
      { nodeId: 'hook', path: 'content.hook.provider', message: expect.stringContaining('no webhook provider is named "http"') },
    ]);
  });
});

describe('the send picking the provider the content names', () => {
  const marketing = adapter('sendgrid:marketing');
  const transactional = adapter('sendgrid:transactional');
  const adapters: ChannelDefaults = {
    email: transactional,
    named: { email: { marketing, transactional, staging: 'sink' } },
  };

  it('takes the named provider, and the channel default when the content names none', () => {
    expect((withNamedProvider(adapters, 'email', 'marketing') as ChannelDefaults).email).toBe(marketing);
    expect((withNamedProvider(adapters, 'email', 'transactional') as ChannelDefaults).email).toBe(transactional);
    expect(withNamedProvider(adapters, 'email', undefined)).toBe(adapters);
  });

  it('leaves the channel without adapter for a provider of type sink (the dispatch records it in the dev sink)', () => {
    const picked = withNamedProvider(adapters, 'email', 'staging') as ChannelDefaults;
    expect(picked.email).toBeUndefined();
  });

  it('fails, never falls back, when the name is no longer configured', () => {
    expect(withNamedProvider(adapters, 'email', 'gone')).toBe(unknownProviderReason('email', 'gone'));
    expect(withNamedProvider(adapters, 'email', 'gone')).toMatch(/^unknown_provider: no email provider is named "gone"/);
    expect(withNamedProvider(adapters, 'sms', 'marketing')).toMatch(/^unknown_provider: no sms provider is named "marketing"/);
    expect(withNamedProvider(adapters, 'webhook', 'http')).toMatch(/^unknown_provider/);
  });
});

describe('the SMTP Message-ID', () => {
  it('is the same for every attempt of a delivery, differs between deliveries, and is a valid id on the sender domain', () => {
    const first = messageIdFor('journey:j:user:u:entry-1:mail', 'News <news@example.com>');
    expect(messageIdFor('journey:j:user:u:entry-1:mail', 'News <news@example.com>')).toBe(first);
    expect(messageIdFor('journey:j:user:u:entry-2:mail', 'News <news@example.com>')).not.toBe(first);
    expect(first).toMatch(/^<[A-Za-z0-9_-]+\.journeys@example\.com>$/);
    expect(messageIdFor('k', 'not an address')).toMatch(/@journeys\.invalid>$/);
  });
});

describe('the worker building its adapters from the configuration', () => {
  const silent = { error: () => undefined, info: () => undefined };

  it('builds one adapter per named provider, labelled <type>:<name>, and takes the default from PROVIDER_DEFAULTS', () => {
    const config = loadAppConfig({
      PROVIDERS: JSON.stringify({
        email: {
          marketing: { type: 'sendgrid', apiKey: 'SG.m' },
          transactional: { type: 'sendgrid', apiKey: 'SG.t', from: 'noreply@example.com' },
          relay: { type: 'smtp', url: 'smtp://u:p@127.0.0.1:2525' },
          staging: { type: 'sink' },
        },
        sms: { later: { type: 'sink' } },
      }),
      PROVIDER_DEFAULTS: 'email=transactional',
    });
    const adapters = createProviderAdapters(config, silent);
    const named = adapters.named!.email!;
    // `smtp`: content naming the type reaches the only SMTP relay; `sendgrid` names none (two accounts).
    expect(Object.keys(named)).toEqual(['marketing', 'transactional', 'relay', 'staging', 'smtp']);
    expect(named.smtp).toBe(named.relay);
    expect((named.marketing as EmailAdapter).provider).toBe('sendgrid:marketing');
    expect((named.relay as EmailAdapter).provider).toBe('smtp:relay');
    expect(named.staging).toBe('sink');
    expect(adapters.email).toBe(named.transactional);
    expect(adapters.email!.from).toBe('noreply@example.com');
    // A channel whose default is a sink-type provider has no adapter: its messages go to the dev sink.
    expect(adapters.sms).toBeUndefined();
    expect(adapters.named!.sms).toEqual({ later: 'sink' });
  });

  it('keeps the legacy variables as the provider named default, recorded as before (sendgrid, sms-gateway)', () => {
    const adapters = createProviderAdapters(
      loadAppConfig({
        SENDGRID_API_KEY: 'SG.legacy',
        SMS_GATEWAY_URL: 'https://sms.example.com',
        SMS_ACCOUNT_SID: 'AC1',
        SMS_AUTH_TOKEN: 't',
        SMS_FROM: '+1555',
      }),
      silent,
    );
    expect(adapters.email!.provider).toBe('sendgrid');
    expect(adapters.sms!.provider).toBe('sms-gateway');
    expect(adapters.named!.email!.default).toBe(adapters.email);
    expect(adapters.push).toBeUndefined();
    // Content written as `provider: sendgrid` (the spec's example) goes through the legacy account, not elsewhere.
    expect((withNamedProvider(adapters, 'email', 'sendgrid') as ChannelDefaults).email).toBe(adapters.email);
    // No push provider: `provider: fcm` leaves push to the dev sink, as content naming none.
    expect((withNamedProvider(adapters, 'push', 'fcm') as ChannelDefaults).push).toBeUndefined();
  });
});
