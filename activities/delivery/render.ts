import { inAppContentSchema, inboxContentSchema } from '../../domain/definition/app-content';
import { durationToMs } from '../../domain/time/duration';
import {
  emailContentSchema,
  pushContentSchema,
  smsContentSchema,
  webhookContentSchema,
  type Channel,
} from '../../domain/definition/schema';
import { htmlTemplates, renderText, renderValue } from '../templates';

/** What message templates see: `profile`, `event` (the trigger event), `context` (entry data) and `journey`. */
export interface RenderScope {
  profile: Record<string, unknown>;
  event: unknown;
  context: unknown;
  journey: { id: string; version: number; nodeId: string; instanceId: string; userId: string };
}

/** A message with its templates rendered, before the recipient's address is added. */
export type RenderedMessage =
  | { channel: 'email'; subject: string; text?: string; html?: string; templateId?: string; from?: string }
  | { channel: 'push'; title?: string; body?: string; data?: Record<string, string> }
  | { channel: 'sms'; body: string }
  | {
      channel: 'webhook';
      method: 'POST' | 'PUT' | 'PATCH';
      url: string;
      headers: Record<string, string>;
      body?: string;
      timeoutMs?: number;
    }
  | { channel: 'sink'; content: Record<string, unknown> }
  | ({ channel: 'inbox'; category?: string } & RenderedAppMessage)
  | ({
      channel: 'inApp';
      buttons?: { id: string; label: string; deepLink?: string }[];
      maxShows: number;
      minIntervalMs?: number;
    } & RenderedAppMessage);

/** What the inbox and in-app messages share once rendered; `expiresInMs` counts from the send. */
export interface RenderedAppMessage {
  title?: string;
  body?: string;
  imageUrl?: string;
  deepLink?: string;
  custom?: Record<string, string>;
  expiresInMs: number;
}

/** Thrown when the content does not fit its channel or a template does not render: the message takes `failed`. */
export class RenderError extends Error {
  override readonly name = 'RenderError';
}

async function renderRecord(record: Record<string, string> | undefined, scope: object) {
  if (!record) return undefined;
  const entries = await Promise.all(Object.entries(record).map(async ([key, value]) => [key, await renderText(value, scope)] as const));
  return Object.fromEntries(entries);
}

type Parsed<T> = { success: true; data: T } | { success: false; error: { issues: { message: string; path: PropertyKey[] }[] } };

function parse<T>(schema: { safeParse(value: unknown): Parsed<T> }, content: unknown, channel: Channel): T {
  const result = schema.safeParse(content);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) =>
    issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message,
  );
  throw new RenderError(`the ${channel} content is invalid: ${problems.join('; ')}`);
}

async function render(channel: Channel, content: Record<string, unknown>, scope: RenderScope): Promise<RenderedMessage> {
  switch (channel) {
    case 'email': {
      const email = parse(emailContentSchema, content, channel);
      return {
        channel,
        subject: await renderText(email.subject, scope),
        ...(email.body !== undefined ? { text: await renderText(email.body, scope) } : {}),
        ...(email.html !== undefined ? { html: await renderText(email.html, scope, htmlTemplates) } : {}),
        ...(email.template !== undefined ? { templateId: email.template } : {}),
        ...(email.from !== undefined ? { from: email.from } : {}),
      };
    }
    case 'push': {
      const push = parse(pushContentSchema, content, channel);
      const data = await renderRecord(push.data, scope);
      return {
        channel,
        ...(push.title !== undefined ? { title: await renderText(push.title, scope) } : {}),
        ...(push.body !== undefined ? { body: await renderText(push.body, scope) } : {}),
        ...(data ? { data } : {}),
      };
    }
    case 'sms':
      return { channel, body: await renderText(parse(smsContentSchema, content, channel).body, scope) };
    case 'webhook': {
      const hook = parse(webhookContentSchema, content, channel);
      const body =
        typeof hook.body === 'string'
          ? await renderText(hook.body, scope)
          : hook.body === undefined
            ? undefined
            : JSON.stringify(await renderValue(hook.body, scope));
      return {
        channel,
        method: hook.method,
        url: await renderText(hook.url, scope),
        headers: (await renderRecord(hook.headers, scope)) ?? {},
        ...(body !== undefined ? { body } : {}),
        ...(hook.timeoutMs !== undefined ? { timeoutMs: hook.timeoutMs } : {}),
      };
    }
    case 'sink':
      return { channel, content: (await renderValue(content, scope)) as Record<string, unknown> };
    case 'inbox': {
      const inbox = parse(inboxContentSchema, content, channel);
      return {
        channel,
        ...(await renderAppMessage(inbox, scope)),
        ...(inbox.category !== undefined ? { category: inbox.category } : {}),
      };
    }
    case 'inApp': {
      const inApp = parse(inAppContentSchema, content, channel);
      const buttons =
        inApp.buttons &&
        (await Promise.all(
          inApp.buttons.map(async (button) => ({
            id: button.id,
            label: await renderText(button.label, scope),
            ...(button.deepLink !== undefined ? { deepLink: await renderText(button.deepLink, scope) } : {}),
          })),
        ));
      const { minInterval } = inApp.frequency;
      return {
        channel,
        ...(await renderAppMessage(inApp, scope)),
        ...(buttons ? { buttons } : {}),
        maxShows: inApp.frequency.maxShows,
        ...(minInterval !== undefined ? { minIntervalMs: durationToMs(minInterval) } : {}),
      };
    }
  }
}

type AppContent = { title?: string; body?: string; imageUrl?: string; deepLink?: string; custom?: Record<string, string>; expiry: string };

async function renderAppMessage(content: AppContent, scope: RenderScope): Promise<RenderedAppMessage> {
  const text = async (key: 'title' | 'body' | 'imageUrl' | 'deepLink') =>
    content[key] !== undefined ? { [key]: await renderText(content[key], scope) } : {};
  const custom = await renderRecord(content.custom, scope);
  return {
    ...(await text('title')),
    ...(await text('body')),
    ...(await text('imageUrl')),
    ...(await text('deepLink')),
    ...(custom ? { custom } : {}),
    expiresInMs: durationToMs(content.expiry),
  };
}

/**
 * Renders a node's content (the What) for its channel with Liquid: email HTML escapes every value, other
 * fields are plain text; missing variables render empty. Also used by the dry run, which sends nothing.
 */
export async function renderMessage(channel: Channel, content: Record<string, unknown>, scope: RenderScope): Promise<RenderedMessage> {
  try {
    return await render(channel, content, scope);
  } catch (error) {
    if (error instanceof RenderError) throw error;
    throw new RenderError(`a template does not render: ${error instanceof Error ? error.message : String(error)}`);
  }
}
