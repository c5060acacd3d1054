import { randomUUID } from 'node:crypto';
import type { Request } from 'express';
import { z } from 'zod';
import { NotFoundError, InvalidInputError } from '../../domain/errors';
import type { EngagementKind } from '../../domain/engagement';
import { slugSchema, userIdSchema } from '../../domain/ids';
import { createAppMessageStore, MAX_INBOX_PAGE, parsePageToken, type AppMessageKind, type AppMessageView } from '../../store/app-messages';
import { engagementRecorderFor } from '../engagement-recorder';
import type { ApiDeps } from '../deps';
import type { Routes } from '../http/route';

/**
 * The app-side API: what the app reads of the `inbox` and `inApp` channels, and what it reports back. Ingest
 * scope: the app's backend (or a gateway that knows the signed-in user) calls it for one user. A message of
 * another user, or an unknown or expired one, answers 404. Reads, clicks and dismissals are recorded as the
 * message's engagement (`viewed`, `clicked`, `dismissed`) once each, through the engagement recorder.
 */

const MAX_IN_APP_PER_GET = 5;

const userParams = z.object({ id: userIdSchema });
const messageParams = z.object({
  id: userIdSchema,
  messageId: z.string().min(1).max(700).describe('The `messageId` of a listed message.'),
});

const appMessageFields = {
  messageId: z.string().describe('Opaque id of the message (URL-safe).'),
  title: z.string().optional(),
  body: z.string().optional(),
  imageUrl: z.string().optional(),
  deepLink: z.string().optional(),
  custom: z.record(z.string(), z.string()).optional().describe('The content’s custom key-values, rendered.'),
  createdAt: z.string().describe('When it was sent (ISO-8601).'),
  expiresAt: z.string().describe('When it stops being listed (ISO-8601).'),
};

const inboxItem = z
  .object({
    ...appMessageFields,
    category: z.string().optional(),
    read: z.boolean(),
    readAt: z.string().optional(),
  })
  .describe('One inbox message.');

const inAppItem = z
  .object({
    ...appMessageFields,
    buttons: z.array(z.object({ id: z.string(), label: z.string(), deepLink: z.string().optional() })).optional(),
  })
  .describe('One in-app message to show now.');

const engagementStatus = z
  .enum(['recorded', 'duplicate', 'unknown_delivery', 'not_reported'])
  .describe('What became of the engagement: `recorded` now, `duplicate` (reported before: counted once).');

const inboxAction = z.object({
  messageId: z.string(),
  unreadCount: z.number().int().min(0).describe('Unread messages left (counted up to 1,000).'),
  engagement: engagementStatus,
});

const inAppAction = z.object({ messageId: z.string(), engagement: engagementStatus });

const clickBody = z
  .object({ buttonId: slugSchema.optional().describe('The button clicked, when it was one.') })
  .optional()
  .describe('Optional: which button was clicked.');

/** One id per request, the same when a GET is run again after a transient store error (api/http/route.ts). */
const claims = new WeakMap<Request, string>();
function claimOf(req: Request): string {
  let claim = claims.get(req);
  if (claim === undefined) {
    claim = randomUUID();
    claims.set(req, claim);
  }
  return claim;
}

function fields(message: AppMessageView) {
  const { title, body, imageUrl, deepLink, custom } = message.content as {
    title?: string;
    body?: string;
    imageUrl?: string;
    deepLink?: string;
    custom?: Record<string, string>;
  };
  return {
    messageId: message.messageId,
    ...(title !== undefined ? { title } : {}),
    ...(body !== undefined ? { body } : {}),
    ...(imageUrl !== undefined ? { imageUrl } : {}),
    ...(deepLink !== undefined ? { deepLink } : {}),
    ...(custom !== undefined ? { custom } : {}),
    createdAt: message.createdAt.toISOString(),
    expiresAt: message.expiresAt.toISOString(),
  };
}

export function addAppMessageRoutes(routes: Routes, deps: ApiDeps): void {
  const store = createAppMessageStore(deps.models);

  function notFound(userId: string, messageId: string): NotFoundError {
    return new NotFoundError(`user ${userId} has no such message`, { userId, messageId });
  }

  /** Records one engagement of a message of this user; repeats answer `duplicate`. */
  async function engage(deliveryKey: string, userId: string, kind: EngagementKind, at: Date, properties?: Record<string, unknown>) {
    const outcome = await engagementRecorderFor(deps).record({
      deliveryKey,
      kind,
      at,
      userId,
      receivedAt: at,
      ...(properties ? { properties } : {}),
    });
    return outcome.status;
  }

  routes.add({
    method: 'get',
    path: '/v1/users/:id/inbox',
    summary: "A user's app inbox: unexpired messages not dismissed, newest first, with the unread count",
    tag: 'App',
    scope: 'ingest',
    params: userParams,
    query: z.object({
      limit: z.coerce.number().int().min(1).max(MAX_INBOX_PAGE).default(20).describe(`Page size, 1 to ${MAX_INBOX_PAGE} (default 20).`),
      pageToken: z.string().max(1000).optional().describe('`nextPageToken` of the previous page.'),
      category: slugSchema.optional().describe('Only messages of this category.'),
    }),
    responses: {
      200: {
        description:
          'One page; `nextPageToken` when there are more. `unreadCount` counts the whole inbox (the category filter too), up to 1,000.',
        schema: z.object({ items: z.array(inboxItem), unreadCount: z.number().int().min(0), nextPageToken: z.string().optional() }),
      },
    },
    async handle({ params, query }) {
      const after = query.pageToken === undefined ? undefined : parsePageToken(query.pageToken);
      if (query.pageToken !== undefined && after === undefined) {
        throw new InvalidInputError('invalid pageToken', [{ path: 'query.pageToken', message: 'is not a token this API gave' }]);
      }
      const page = await store.inbox(params.id, {
        now: new Date(),
        limit: query.limit,
        ...(query.category !== undefined ? { category: query.category } : {}),
        ...(after ? { after } : {}),
      });
      return {
        status: 200,
        body: {
          items: page.items.map((message) => ({
            ...fields(message),
            ...(message.category !== undefined ? { category: message.category } : {}),
            read: message.readAt !== undefined,
            ...(message.readAt ? { readAt: message.readAt.toISOString() } : {}),
          })),
          unreadCount: page.unreadCount,
          ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}),
        },
      };
    },
  });

  const inboxActions = [
    { action: 'read', field: 'read', kind: 'viewed', summary: 'Marks an inbox message read (engagement `viewed`)' },
    { action: 'click', field: 'click', kind: 'clicked', summary: 'Reports a tap on an inbox message (engagement `clicked`)' },
    { action: 'dismiss', field: 'dismiss', kind: 'dismissed', summary: 'Removes a message from the inbox (engagement `dismissed`)' },
  ] as const;
  for (const { action, field, kind, summary } of inboxActions) {
    routes.add({
      method: 'post',
      path: `/v1/users/:id/inbox/:messageId/${action}`,
      summary,
      tag: 'App',
      scope: 'ingest',
      params: messageParams,
      responses: {
        200: { description: 'Done, or done before (idempotent); the unread count after it.', schema: inboxAction },
        404: { description: 'No such message for this user (unknown, expired, or another user’s)' },
      },
      async handle({ params }) {
        const now = new Date();
        const result = await store[field]('inbox', params.id, params.messageId, now);
        if (!result.found) throw notFound(params.id, params.messageId);
        const engagement = await engage(result.deliveryKey, params.id, kind, now);
        const unreadCount = await store.unreadCount(params.id, now);
        return { status: 200, body: { messageId: params.messageId, unreadCount, engagement } };
      },
    });
  }

  routes.add({
    method: 'get',
    path: '/v1/users/:id/in-app',
    summary: 'The in-app messages to show now; each answer takes one show of each message returned',
    tag: 'App',
    scope: 'ingest',
    params: userParams,
    query: z.object({
      limit: z.coerce
        .number()
        .int()
        .min(1)
        .max(MAX_IN_APP_PER_GET)
        .default(1)
        .describe(`At most this many messages, 1 to ${MAX_IN_APP_PER_GET} (default 1).`),
    }),
    responses: {
      200: {
        description:
          'Messages due under their frequency rule (once, by default), newest first. A message returned here is not returned again ' +
          'until its rule allows another show; of two sessions asking at once, only one gets it. Clicked or dismissed ends its shows.',
        schema: z.object({ items: z.array(inAppItem) }),
      },
    },
    async handle({ params, query, req }) {
      const shown = await store.takeInAppShows(params.id, new Date(), query.limit, claimOf(req));
      return {
        status: 200,
        body: {
          items: shown.map((message) => {
            const { buttons } = message.content as { buttons?: { id: string; label: string; deepLink?: string }[] };
            return { ...fields(message), ...(buttons ? { buttons } : {}) };
          }),
        },
      };
    },
  });

  const inAppActions = [
    { action: 'viewed', field: 'read', kind: 'viewed', summary: 'Reports that an in-app message was seen (engagement `viewed`)' },
    {
      action: 'clicked',
      field: 'click',
      kind: 'clicked',
      summary: 'Reports a click on an in-app message (engagement `clicked`); ends its shows',
    },
    { action: 'dismissed', field: 'dismiss', kind: 'dismissed', summary: 'Reports that an in-app message was dismissed; ends its shows' },
  ] as const;
  for (const { action, field, kind, summary } of inAppActions) {
    routes.add({
      method: 'post',
      path: `/v1/users/:id/in-app/:messageId/${action}`,
      summary,
      tag: 'App',
      scope: 'ingest',
      params: messageParams,
      body: clickBody,
      responses: {
        200: { description: 'Recorded, or recorded before (idempotent).', schema: inAppAction },
        404: { description: 'No such message for this user (unknown, expired, or another user’s)' },
      },
      async handle({ params, body }) {
        const now = new Date();
        const result = await store[field]('inApp' satisfies AppMessageKind, params.id, params.messageId, now);
        if (!result.found) throw notFound(params.id, params.messageId);
        const properties = kind === 'clicked' && body?.buttonId !== undefined ? { buttonId: body.buttonId } : undefined;
        const engagement = await engage(result.deliveryKey, params.id, kind, now, properties);
        return { status: 200, body: { messageId: params.messageId, engagement } };
      },
    });
  }
}
