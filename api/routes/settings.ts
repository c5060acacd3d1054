import { deliverySettingsSchema } from '../../domain/delivery/settings';
import { eventSettingsSchema } from '../../domain/events/settings';
import { globalControlSettingsSchema } from '../../domain/global-control-settings';
import { retentionSettingsSchema } from '../../domain/retention/settings';
import type { ApiDeps } from '../deps';
import type { Routes } from '../http/route';
import { z } from 'zod';

const settingsView = deliverySettingsSchema.extend({ revision: z.number().int().describe('Increases with every change.') });
const eventsView = eventSettingsSchema.extend({ revision: z.number().int().describe('Increases with every change; 0: the defaults.') });
const controlGroupView = globalControlSettingsSchema.extend({
  revision: z.number().int().describe('Increases with every change; 0: the defaults.'),
});
const retentionView = retentionSettingsSchema.extend({
  revision: z.number().int().describe('Increases with every change; 0: the defaults.'),
});

/** Account-wide delivery settings: the fallback time zone, per-channel frequency caps and in-doubt policies. */
export function addSettingsRoutes(routes: Routes, { settings }: ApiDeps): void {
  routes.add({
    method: 'get',
    path: '/v1/settings/delivery',
    summary: 'The delivery settings: account time zone, per-channel frequency caps and in-doubt policies',
    tag: 'Settings',
    scope: 'read',
    responses: { 200: { description: 'The current settings', schema: settingsView } },
    async handle() {
      return { status: 200, body: await settings.deliverySettings() };
    },
  });

  routes.add({
    method: 'put',
    path: '/v1/settings/delivery',
    summary: 'Replaces the delivery settings (sends use them within 2 s)',
    tag: 'Settings',
    scope: 'admin',
    body: deliverySettingsSchema,
    responses: { 200: { description: 'The new settings', schema: settingsView } },
    async handle({ body, actor }) {
      return { status: 200, body: await settings.putDeliverySettings(body, actor) };
    },
  });

  routes.add({
    method: 'get',
    path: '/v1/settings/retention',
    summary: 'The retention periods: how long events, facts, deliveries, sink messages and batch chunks are kept',
    tag: 'Settings',
    scope: 'read',
    responses: { 200: { description: 'The current periods (the defaults until first set)', schema: retentionView } },
    async handle() {
      return { status: 200, body: await settings.retentionSettings() };
    },
  });

  routes.add({
    method: 'put',
    path: '/v1/settings/retention',
    summary: 'Replaces the retention periods (the next run of the retention schedule applies them)',
    tag: 'Settings',
    scope: 'admin',
    body: retentionSettingsSchema,
    responses: {
      200: {
        description: 'The new periods. 400 names a field that is not an ISO-8601 duration or is under its minimum.',
        schema: retentionView,
      },
    },
    async handle({ body, actor }) {
      return { status: 200, body: await settings.putRetentionSettings(body, actor) };
    },
  });

  routes.add({
    method: 'get',
    path: '/v1/settings/events',
    summary: 'The event ingestion settings: what an event of a user without a profile does',
    tag: 'Settings',
    scope: 'read',
    responses: { 200: { description: 'The current settings (the defaults until first set)', schema: eventsView } },
    async handle() {
      return { status: 200, body: await settings.eventSettings() };
    },
  });

  routes.add({
    method: 'put',
    path: '/v1/settings/events',
    summary: 'Replaces the event ingestion settings (every API replica uses them within 2 s)',
    tag: 'Settings',
    scope: 'admin',
    body: eventSettingsSchema,
    responses: { 200: { description: 'The new settings', schema: eventsView } },
    async handle({ body, actor }) {
      return { status: 200, body: await settings.putEventSettings(body, actor) };
    },
  });

  routes.add({
    method: 'get',
    path: '/v1/settings/control-group',
    summary: 'The global control group: the share of users held out of every journey, and the salt of the draw',
    tag: 'Settings',
    scope: 'read',
    responses: { 200: { description: 'The current settings (the defaults until first set)', schema: controlGroupView } },
    async handle() {
      return { status: 200, body: await settings.controlGroupSettings() };
    },
  });

  routes.add({
    method: 'put',
    path: '/v1/settings/control-group',
    summary: 'Replaces the global control group (new entries use it within 2 s; running instances keep their draw)',
    tag: 'Settings',
    scope: 'admin',
    body: globalControlSettingsSchema,
    responses: {
      200: {
        description: 'The new settings. 400 names `percent` outside 0-20 or a `salt` that is not 1-64 printable characters.',
        schema: controlGroupView,
      },
    },
    async handle({ body, actor }) {
      return { status: 200, body: await settings.putControlGroupSettings(body, actor) };
    },
  });
}
