import type { DryRunRequest } from './dry-run-types';

/** One scripted event of the form: when (an ISO-8601 offset from the entry), its name, its properties as JSON. */
export interface EventRow {
  at: string;
  name: string;
  properties: string;
}

/** The form as typed: JSON fields are text until sent. */
export interface DryRunForm {
  userId: string;
  profile: string;
  context: string;
  triggerName: string;
  triggerProperties: string;
  events: EventRow[];
  /** `datetime-local` value (the browser's zone); empty: now. */
  startAt: string;
  until: string;
}

export interface FormProblem {
  /** The form field (`profile`, `events.1.properties`...), the id of its input. */
  field: string;
  message: string;
}

export const sampleProfile = JSON.stringify(
  { email: 'ada@example.com', phone: '+33612345678', pushTokens: ['device-1'], timezone: 'Europe/Paris', attributes: { firstName: 'Ada' } },
  null,
  2,
);

export function emptyForm(): DryRunForm {
  return { userId: '', profile: sampleProfile, context: '', triggerName: '', triggerProperties: '', events: [], startAt: '', until: '' };
}

function parseObject(text: string, field: string, problems: FormProblem[]): Record<string, unknown> | undefined {
  if (text.trim() === '') return undefined;
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
    problems.push({ field, message: 'must be a JSON object, e.g. {"plan": "pro"}' });
  } catch (error) {
    problems.push({ field, message: `not valid JSON: ${error instanceof Error ? error.message : String(error)}` });
  }
  return undefined;
}

/**
 * The API request of a form, or the form's own problems (JSON that does not parse, an event without a name).
 * Everything else (offsets, limits, the trigger's filter) is the API's to judge: its problems come back by path.
 */
export function dryRunRequestOf(form: DryRunForm): { ok: true; body: DryRunRequest } | { ok: false; problems: FormProblem[] } {
  const problems: FormProblem[] = [];
  const profile = parseObject(form.profile, 'profile', problems) ?? {};
  const context = parseObject(form.context, 'context', problems);
  const triggerProperties = parseObject(form.triggerProperties, 'triggerProperties', problems);
  const events = form.events.map((row, index) => {
    if (row.name.trim() === '') problems.push({ field: `events.${index}.name`, message: 'an event needs a name' });
    const properties = parseObject(row.properties, `events.${index}.properties`, problems);
    return { at: row.at.trim() || 'PT0S', name: row.name.trim(), ...(properties ? { properties } : {}) };
  });
  if (form.triggerName.trim() === '' && triggerProperties)
    problems.push({ field: 'triggerName', message: 'properties need the entry event’s name' });
  let startAt: string | undefined;
  if (form.startAt) {
    const date = new Date(form.startAt);
    if (Number.isNaN(date.getTime())) problems.push({ field: 'startAt', message: 'not a date and time' });
    else startAt = new Date(Math.ceil(date.getTime() / 1000) * 1000).toISOString();
  }
  if (problems.length > 0) return { ok: false, problems };
  const body = {
    ...(form.userId.trim() ? { userId: form.userId.trim() } : {}),
    profile,
    ...(context ? { context } : {}),
    ...(form.triggerName.trim()
      ? { trigger: { name: form.triggerName.trim(), ...(triggerProperties ? { properties: triggerProperties } : {}) } }
      : {}),
    events,
    ...(startAt ? { startAt } : {}),
    ...(form.until.trim() ? { until: form.until.trim() } : {}),
  } as DryRunRequest;
  return { ok: true, body };
}

/**
 * The form field an API problem path names (`body.events.0.at` → `events.0.at`, `body.trigger.properties` →
 * `triggerProperties`), so the message shows next to its input; undefined for a problem of no one field.
 */
export function fieldOfApiPath(path: string): string | undefined {
  const parts = path.split('.');
  if (parts[0] !== 'body') return undefined;
  const [, first, second, third] = parts;
  switch (first) {
    case 'profile':
    case 'context':
    case 'userId':
    case 'startAt':
    case 'until':
      return first;
    case 'trigger':
      return second === 'properties' ? 'triggerProperties' : 'triggerName';
    case 'events':
      return second === undefined
        ? 'events'
        : `events.${second}.${third === 'properties' ? 'properties' : third === 'name' ? 'name' : 'at'}`;
    default:
      return undefined;
  }
}
