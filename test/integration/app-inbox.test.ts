import { createInboxAdapter } from '../../activities/channels/inbox';
import { TransientSendError, type ChannelAdapter } from '../../activities/channels/contract';
import type { AppChannelMessage } from '../../activities/channels/in-app';
import { stopDryRuns } from '../../api/dry-run/runner';
import { serviceTaskQueue } from '../../domain/naming';
import { appMessageId, createAppMessageStore } from '../../store/app-messages';
import type { RetentionResult, RetentionWorkflow } from '../../workflows/contract';
import { eventually } from '../helpers/eventually';
import { reportThriceAtOnce } from '../helpers/app-reports';
import { call, startTestStack, type TestStack } from '../helpers/stack';

/**
 * The app inbox channel on the real servers: a journey's inbox message is stored for the user (quiet hours do
 * not hold it), listed by `GET /v1/users/:id/inbox` with the unread count, read and dismissed (idempotent, each
 * recorded once as engagement), 404 for another user's or an unknown message; a send whose answer was lost is
 * retried and stored once; an expired message is not listed and the retention service prunes it; erasure
 * deletes the user's messages; the OpenAPI document lists the routes.
 */
describe('app inbox', () => {
  let stack: TestStack;
  /** Users whose first inbox send stores the message, then loses the answer (a worker crash after the write). */
  const crashOnce = new Set<string>();
  const calls: string[] = [];

  beforeAll(async () => {
    stack = await startTestStack({
      channel: {
        adapters: {
          inbox: crashingInbox(() => createInboxAdapter(createAppMessageStore(stack.db.models), () => new Date())),
        },
      },
    });
    // Quiet all day, every day: an email would be dropped; the inbox is exempt.
    const allDay = [
      { days: ['mon-sun'], from: '00:00', to: '12:00' },
      { days: ['mon-sun'], from: '12:00', to: '00:00' },
    ];
    const news = {
      id: 'news',
      name: 'News',
      entry: { type: 'api' },
      settings: { reentry: { allowed: true }, quietHours: { timezone: 'UTC', windows: allDay, action: 'drop' } },
      nodes: { note: { type: 'message', channel: 'inbox', next: { sent: 'bye' } }, bye: { type: 'exit' } },
      content: {
        note: {
          title: 'Hello {{ profile.name }}',
          body: 'Your order {{ context.orderId }} shipped',
          imageUrl: 'https://cdn.example.com/{{ context.orderId }}.png',
          deepLink: 'shop://orders/{{ context.orderId }}',
          custom: { orderId: '{{ context.orderId }}', kind: 'shipping' },
          category: 'orders',
        },
      },
    };
    const flash = {
      id: 'flash',
      name: 'Flash sale',
      entry: { type: 'api' },
      nodes: { note: { type: 'message', channel: 'inbox', next: { sent: 'bye' } }, bye: { type: 'exit' } },
      content: { note: { title: 'Flash sale', expiry: 'PT2S', category: 'promo' } },
    };
    const once = {
      id: 'once',
      name: 'Once',
      entry: { type: 'api' },
      settings: { reentry: { allowed: true } },
      nodes: { note: { type: 'message', channel: 'inbox', delivery: { maxTimes: 1 }, next: { sent: 'bye' } }, bye: { type: 'exit' } },
      content: { note: { title: 'Only once' } },
    };
    for (const journey of [news, flash, once]) {
      expect((await call(stack, 'POST', '/v1/journeys', journey)).status).toBe(201);
      expect((await call(stack, 'POST', `/v1/journeys/${journey.id}/versions/1/publish`, {})).status).toBe(200);
    }
  });
  afterAll(async () => {
    await stopDryRuns();
    await stack?.close();
  });

  function crashingInbox(real: () => ChannelAdapter<AppChannelMessage>): ChannelAdapter<AppChannelMessage> {
    return {
      provider: 'inbox',
      idempotent: true,
      async send(message, meta) {
        calls.push(meta.userId);
        const outcome = await real().send(message, meta);
        if (crashOnce.delete(meta.userId)) throw new TransientSendError('answer lost', { accepted: 'unknown' });
        return outcome;
      },
    };
  }

  async function enrol(journey: string, userId: string, context: Record<string, unknown> = {}): Promise<void> {
    const enrolled = await call(stack, 'POST', `/v1/journeys/${journey}/enrollments`, { userId, context });
    expect(enrolled.status).toBe(202);
    await stack.client.workflow.getHandle(enrolled.body.instanceId).result();
  }

  const inbox = (userId: string, query = '') => call(stack, 'GET', `/v1/users/${userId}/inbox${query}`);

  it('lists a sent message with the unread count; read and dismiss are idempotent and recorded once as engagement', async () => {
    expect((await call(stack, 'PUT', '/v1/users/ada', { attributes: { name: 'Ada' } })).status).toBe(200);
    await enrol('news', 'ada', { orderId: 'o-42' });

    const listed = await inbox('ada');
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual({
      items: [
        {
          messageId: expect.any(String),
          title: 'Hello Ada',
          body: 'Your order o-42 shipped',
          imageUrl: 'https://cdn.example.com/o-42.png',
          deepLink: 'shop://orders/o-42',
          custom: { orderId: 'o-42', kind: 'shipping' },
          category: 'orders',
          createdAt: expect.any(String),
          expiresAt: expect.any(String),
          read: false,
        },
      ],
      unreadCount: 1,
    });
    const [item] = listed.body.items;
    // Default expiry: 30 days after the send.
    expect(Date.parse(item.expiresAt) - Date.parse(item.createdAt)).toBe(30 * 24 * 3600 * 1000);
    expect((await inbox('ada', '?category=promo')).body).toEqual({ items: [], unreadCount: 0 });

    const read = await call(stack, 'POST', `/v1/users/ada/inbox/${item.messageId}/read`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual({ messageId: item.messageId, unreadCount: 0, engagement: 'recorded' });
    const again = await call(stack, 'POST', `/v1/users/ada/inbox/${item.messageId}/read`);
    expect(again.body).toEqual({ messageId: item.messageId, unreadCount: 0, engagement: 'duplicate' });
    const afterRead = await inbox('ada');
    expect(afterRead.body.unreadCount).toBe(0);
    expect(afterRead.body.items[0]).toMatchObject({ read: true, readAt: expect.any(String) });

    const dismissed = await call(stack, 'POST', `/v1/users/ada/inbox/${item.messageId}/dismiss`);
    expect(dismissed.body).toMatchObject({ engagement: 'recorded' });
    expect((await inbox('ada')).body).toEqual({ items: [], unreadCount: 0 });
    // Dismissed is gone from the list, but a repeat of the dismissal is still fine.
    expect((await call(stack, 'POST', `/v1/users/ada/inbox/${item.messageId}/dismiss`)).body).toMatchObject({ engagement: 'duplicate' });

    // Each engagement once: a record per kind, and one message_event fact each.
    const deliveryKey = Buffer.from(item.messageId, 'base64url').toString('utf8');
    const engagements = await stack.db.models.engagements.find({ deliveryKey }).lean();
    expect(engagements.map((doc) => doc.kind).sort()).toEqual(['dismissed', 'viewed']);
    const facts = (await stack.db.models.facts.find({ userId: 'ada' }).lean()).flatMap(
      (batch) => batch.facts as { kind: string; outcome?: string }[],
    );
    expect(
      facts
        .filter((fact) => fact.kind === 'message_event')
        .map((fact) => fact.outcome)
        .sort(),
    ).toEqual(['dismissed', 'viewed']);
  });

  it('keeps every read, click and dismiss of messages changed at once, each recorded once as engagement', async () => {
    // 4 users with 4 messages each; all read and clicked, every other one dismissed, each action sent 3 times,
    // all at once. (The store's own race test, app-message-store.test.ts, hammers many more messages; this one
    // checks the same through the API: answers, listing, unread count, engagement.)
    const users = ['ray', 'sam', 'tia', 'uma'];
    const MESSAGES_PER_USER = 4;
    await Promise.all(
      users.map(async (userId) => {
        for (let n = 0; n < MESSAGES_PER_USER; n++) await enrol('news', userId, { orderId: `${userId}-${n}` });
      }),
    );
    const ids = new Map<string, string[]>();
    for (const userId of users) {
      const listed = await inbox(userId, '?limit=100');
      expect(listed.body).toMatchObject({ items: expect.any(Array), unreadCount: MESSAGES_PER_USER });
      expect(listed.body.items).toHaveLength(MESSAGES_PER_USER);
      ids.set(
        userId,
        listed.body.items.map((item: { messageId: string }) => item.messageId),
      );
    }
    const dismissed = new Set(users.flatMap((userId) => ids.get(userId)!.filter((_, i) => i % 2 === 0)));
    const kinds = { read: 'viewed', click: 'clicked', dismiss: 'dismissed' } as const;
    const actionsOf = (id: string) => (dismissed.has(id) ? (['read', 'click', 'dismiss'] as const) : (['read', 'click'] as const));
    await reportThriceAtOnce(
      stack,
      users,
      users.flatMap((userId) =>
        ids.get(userId)!.flatMap((messageId) =>
          actionsOf(messageId).map((action) => ({
            userId,
            messageId,
            path: `/v1/users/${userId}/inbox/${messageId}/${action}`,
            kind: kinds[action],
          })),
        ),
      ),
    );

    // The stored messages: no change lost.
    const docs = await stack.db.models.appMessages.find({ userId: { $in: users } }).lean();
    expect(docs).toHaveLength(users.length * MESSAGES_PER_USER);
    for (const doc of docs) {
      const id = appMessageId(doc._id);
      expect({ id, read: !!doc.readAt, clicked: !!doc.clickedAt, dismissed: !!doc.dismissedAt }).toEqual({
        id,
        read: true,
        clicked: true,
        dismissed: dismissed.has(id),
      });
    }
    // Each inbox: the undismissed half, every one read; nothing unread.
    for (const userId of users) {
      const after = await inbox(userId, '?limit=100');
      expect(after.body.unreadCount).toBe(0);
      expect(after.body.items.map((item: { messageId: string }) => item.messageId).sort()).toEqual(
        ids
          .get(userId)!
          .filter((id) => !dismissed.has(id))
          .sort(),
      );
      for (const item of after.body.items) expect(item).toMatchObject({ read: true, readAt: expect.any(String) });
    }
  }, 180_000);

  it('answers 404 problem+json for an unknown message and for another user’s, and 400 for a bad page token', async () => {
    await enrol('news', 'cy', { orderId: 'o-7' });
    const [message] = (await inbox('cy')).body.items;
    for (const path of [
      `/v1/users/dee/inbox/${message.messageId}/read`,
      `/v1/users/dee/inbox/${message.messageId}/dismiss`,
      `/v1/users/cy/inbox/${appMessageId('no/such/message')}/read`,
      '/v1/users/cy/inbox/not-base64!/read',
      `/v1/users/cy/in-app/${message.messageId}/viewed`,
    ]) {
      const answer = await call(stack, 'POST', path);
      expect(answer.status).toBe(404);
      expect(answer.headers.get('content-type')).toContain('application/problem+json');
    }
    // Unchanged for its owner.
    expect((await inbox('cy')).body.unreadCount).toBe(1);
    const bad = await inbox('cy', '?pageToken=xyz');
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
  });

  it('pages newest first with a token', async () => {
    for (const orderId of ['p-1', 'p-2', 'p-3']) await enrol('news', 'pat', { orderId });
    const first = await inbox('pat', '?limit=2');
    expect(first.body.items.map((m: { custom: { orderId: string } }) => m.custom.orderId)).toEqual(['p-3', 'p-2']);
    expect(first.body.unreadCount).toBe(3);
    const second = await inbox('pat', `?limit=2&pageToken=${first.body.nextPageToken}`);
    expect(second.body.items.map((m: { custom: { orderId: string } }) => m.custom.orderId)).toEqual(['p-1']);
    expect(second.body.nextPageToken).toBeUndefined();
  });

  it('stores a message once when its send is retried after the answer was lost', async () => {
    crashOnce.add('rex');
    await enrol('news', 'rex', { orderId: 'r-1' });
    expect(calls.filter((user) => user === 'rex')).toHaveLength(2);
    expect(await stack.db.models.appMessages.countDocuments({ userId: 'rex' })).toBe(1);
    expect((await inbox('rex')).body.items).toHaveLength(1);
    const delivery = await stack.db.models.deliveries.findOne({ userId: 'rex' }).lean();
    expect(delivery).toMatchObject({ outcome: 'sent', provider: 'inbox' });
  });

  it('applies consent and frequency caps as for any channel', async () => {
    expect((await call(stack, 'PUT', '/v1/users/noa', { consent: { inbox: false } })).status).toBe(200);
    await enrol('news', 'noa', { orderId: 'n-1' });
    expect(await stack.db.models.deliveries.findOne({ userId: 'noa' }).lean()).toMatchObject({
      outcome: 'unreachable',
      reason: 'no_consent',
    });
    expect(await stack.db.models.appMessages.countDocuments({ userId: 'noa' })).toBe(0);

    await enrol('once', 'max');
    await enrol('once', 'max');
    const outcomes = (await stack.db.models.deliveries.find({ userId: 'max' }).lean()).map((doc) => doc.reason ?? doc.outcome).sort();
    expect(outcomes).toEqual(['capped', 'sent']);
    expect((await inbox('max')).body.items).toHaveLength(1);
  });

  it('does not list an expired message, and the retention service prunes expired ones', async () => {
    await enrol('flash', 'eve');
    expect((await inbox('eve')).body.items).toHaveLength(1);
    await eventually(async () => expect((await inbox('eve')).body).toEqual({ items: [], unreadCount: 0 }), 10_000);
    // One long expired (past the period kept after expiry, 1 day by default), one just expired: only the first goes.
    const { models } = stack.db;
    const message = (await models.appMessages.findOne({ userId: 'eve' }).lean())!;
    await models.appMessages.create({
      ...message,
      _id: `${message._id}-old`,
      createdAt: new Date(Date.now() - 40 * 86_400_000),
      expiresAt: new Date(Date.now() - 10 * 86_400_000),
    });
    const result: RetentionResult = await stack.client.workflow.execute<RetentionWorkflow>('retentionWorkflow', {
      workflowId: `retention-app-inbox:${stack.taskQueue}`,
      taskQueue: serviceTaskQueue(stack.taskQueue),
      args: [{ batchSize: 1 }],
    });
    expect(result.deleted.appMessages).toBe(1);
    expect((await models.appMessages.find({ userId: 'eve' }).lean()).map((doc) => doc._id)).toEqual([message._id]);
  });

  it('renders the inbox message in a dry run, storing nothing', async () => {
    const dry = await call(stack, 'POST', '/v1/journeys/news/versions/1/dry-run', {
      userId: 'dry-ada',
      profile: { attributes: { name: 'Ada' } },
      context: { orderId: 'd-1' },
      events: [],
    });
    expect(dry.status).toBe(200);
    expect(dry.body.messages).toEqual([
      expect.objectContaining({
        nodeId: 'note',
        channel: 'inbox',
        outcome: 'sent',
        message: {
          title: 'Hello Ada',
          body: 'Your order d-1 shipped',
          imageUrl: 'https://cdn.example.com/d-1.png',
          deepLink: 'shop://orders/d-1',
          custom: { orderId: 'd-1', kind: 'shipping' },
          category: 'orders',
          expiresInMs: 30 * 24 * 3600 * 1000,
        },
      }),
    ]);
    expect(await stack.db.models.appMessages.countDocuments({ userId: 'dry-ada' })).toBe(0);
  });

  it('documents the app-side routes in the OpenAPI document', async () => {
    const { body } = await call(stack, 'GET', '/openapi.json');
    for (const [path, method] of [
      ['/v1/users/{id}/inbox', 'get'],
      ['/v1/users/{id}/inbox/{messageId}/read', 'post'],
      ['/v1/users/{id}/inbox/{messageId}/click', 'post'],
      ['/v1/users/{id}/inbox/{messageId}/dismiss', 'post'],
      ['/v1/users/{id}/in-app', 'get'],
      ['/v1/users/{id}/in-app/{messageId}/viewed', 'post'],
      ['/v1/users/{id}/in-app/{messageId}/clicked', 'post'],
      ['/v1/users/{id}/in-app/{messageId}/dismissed', 'post'],
    ] as const) {
      expect(body.paths[path]?.[method]).toMatchObject({ tags: ['App'] });
    }
    expect(body.paths['/v1/users/{id}/inbox'].get.responses['200'].content['application/json'].schema).toBeDefined();
  });

  it('erases the user’s inbox messages with the user', async () => {
    await enrol('news', 'zed', { orderId: 'z-1' });
    await enrol('news', 'zed', { orderId: 'z-2' });
    const erased = await call(stack, 'DELETE', '/v1/users/zed');
    expect(erased.status).toBe(200);
    expect(erased.body.other).toEqual({ inbox: 2, inApp: 0 });
    expect(await stack.db.models.appMessages.countDocuments({ userId: 'zed' })).toBe(0);
    expect((await inbox('zed')).body).toEqual({ items: [], unreadCount: 0 });
  });
});
