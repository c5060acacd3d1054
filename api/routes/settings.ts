import { z } from 'zod';
import { deliverySettingsSchema } from '../../domain/delivery/settings';
import { eventSettingsSchema } from '../../domain/events/settings';
import { globalControlSettingsSchema } from '../../domain/global-control-settings';
import { retentionSettingsSchema } from '../../domain/retention/settings';
import type { ApiDeps } from '../deps';
import type { Routes } from '../http/route';

/** One kind of account-wide settings: `GET` and `PUT /v1/settings/{name}`, revisioned by the settings store. */
interface SettingsKind<S extends z.ZodObject> {
  name: string;
  schema: S;
  getSummary: string;
  putSummary: string;
  /** What a 400 names, when it says more than the schema. */
  putDescription?: string;
  read(): Promise<z.infer<S> & { revision: number }>;
  write(body: z.infer<S>, actor: string): Promise<z.infer<S> & { revision: number }>;
}

function addSettingsKind<S extends z.ZodObject>(routes: Routes, kind: SettingsKind<S>): void {
  const view = kind.schema.extend({ revision: z.number().int().describe('Increases with every change; 0: the defaults.') });
  const path = `/v1/settings/${kind.name}`;
  routes.add({
    method: 'get',
    path,
    summary: kind.getSummary,
    tag: 'Settings',
    scope: 'read',
    responses: { 200: { description: 'The current settings (the defaults until first set)', schema: view } },
    async handle() {
      return { status: 200, body: await kind.read() };
    },
  });
  routes.add({
    method: 'put',
    path,
    summary: kind.putSummary,
    tag: 'Settings',
    scope: 'admin',
    body: kind.schema,
    responses: { 200: { description: kind.putDescription ?? 'The new settings', schema: view } },
    async handle({ body, actor }) {
      return { status: 200, body: await kind.write(body as z.infer<S>, actor) };
    },
  });
}

/** Account-wide settings: delivery (time zone, caps, in-doubt policies), retention, events, the global control group. */
export function addSettingsRoutes(routes: Routes, { settings }: ApiDeps): void {
  addSettingsKind(routes, {
    name: 'delivery',
    schema: deliverySettingsSchema,
    getSummary: 'The delivery settings: account time zone, per-channel frequency caps and in-doubt policies',
    putSummary: 'Replaces the delivery settings (sends use them within 2 s)',
    read: () => settings.deliverySettings(),
    write: (body, actor) => settings.putDeliverySettings(body, actor),
  });
  addSettingsKind(routes, {
    name: 'retention',
    schema: retentionSettingsSchema,
    getSummary: 'The retention periods: how long events, facts, deliveries, sink messages and batch chunks are kept',
    putSummary: 'Replaces the retention periods (the next run of the retention schedule applies them)',
    putDescription: 'The new periods. 400 names a field that is not an ISO-8601 duration or is under its minimum.',
    read: () => settings.retentionSettings(),
    write: (body, actor) => settings.putRetentionSettings(body, actor),
  });
  addSettingsKind(routes, {
    name: 'events',
    schema: eventSettingsSchema,
    getSummary: 'The event ingestion settings: what an event of a user without a profile does',
    putSummary: 'Replaces the event ingestion settings (every API replica uses them within 2 s)',
    read: () => settings.eventSettings(),
    write: (body, actor) => settings.putEventSettings(body, actor),
  });
  addSettingsKind(routes, {
    name: 'control-group',
    schema: globalControlSettingsSchema,
    getSummary: 'The global control group: the share of users held out of every journey, and the salt of the draw',
    putSummary: 'Replaces the global control group (new entries use it within 2 s; running instances keep their draw)',
    putDescription: 'The new settings. 400 names `percent` outside 0-20 or a `salt` that is not 1-64 printable characters.',
    read: () => settings.controlGroupSettings(),
    write: (body, actor) => settings.putControlGroupSettings(body, actor),
  });
}
