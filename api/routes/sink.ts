import { z } from 'zod';
import { userIdSchema } from '../../domain/ids';
import type { ApiDeps } from '../deps';
import type { Routes } from '../http/route';

const sinkMessageSchema = z.object({
  deliveryKey: z.string(),
  instanceId: z.string(),
  journeyId: z.string(),
  version: z.number().int(),
  nodeId: z.string(),
  userId: z.string(),
  content: z.record(z.string(), z.unknown()),
  createdAt: z.date(),
});

export function addSinkRoutes(routes: Routes, { models }: ApiDeps): void {
  routes.add({
    method: 'get',
    path: '/v1/sink/messages',
    summary: 'Messages delivered to the dev sink channel, oldest first',
    tag: 'Sink',
    scope: 'read',
    query: z.object({ userId: userIdSchema.optional(), limit: z.coerce.number().int().min(1).max(1000).default(100) }),
    responses: { 200: { description: 'Messages', schema: z.object({ items: z.array(sinkMessageSchema) }) } },
    async handle({ query }) {
      const filter = query.userId ? { userId: query.userId } : {};
      const docs = await models.sinkMessages.find(filter, { _id: 0 }).sort({ createdAt: 1 }).limit(query.limit).lean();
      return { status: 200, body: { items: docs.map((doc) => ({ ...doc, content: JSON.parse(doc.content) as Record<string, unknown> })) } };
    },
  });
}
