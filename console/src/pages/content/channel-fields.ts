/**
 * The editable fields of a message's content, derived from its channel (the API's content schemas,
 * domain/definition/schema.ts): the form shows these and nothing else, so a field the channel refuses is never offered.
 */

export const channels = ['email', 'push', 'sms', 'webhook', 'sink', 'inbox', 'inApp'] as const;
export type Channel = (typeof channels)[number];

/** A channel this console knows the fields of (an API newer than the console may have more). */
export function isKnownChannel(channel: string | undefined): channel is Channel {
  return (channels as readonly string[]).includes(channel ?? '');
}

export type FieldKind =
  /** One line of text (a template). */
  | 'text'
  /** Several lines of text (a template). */
  | 'multiline'
  /** A JSON object of strings (push data, webhook headers). */
  | 'stringMap'
  /** A string template, or a JSON object when the text starts with `{` (a webhook body). */
  | 'textOrObject'
  /** Any JSON value (in-app buttons, a frequency rule). */
  | 'json'
  /** A whole number. */
  | 'integer'
  /** One of `options`. */
  | 'choice';

export interface ContentField {
  name: string;
  label: string;
  kind: FieldKind;
  /** Sent even when empty, so the API names what is missing. */
  required?: boolean;
  hint?: string;
  options?: readonly string[];
}

const provider: ContentField = { name: 'provider', label: 'Provider', kind: 'text', hint: 'Empty: the channel default.' };

const emailFields: readonly ContentField[] = [
  { name: 'subject', label: 'Subject', kind: 'text', required: true },
  { name: 'body', label: 'Text body', kind: 'multiline' },
  { name: 'html', label: 'HTML body', kind: 'multiline' },
  { name: 'template', label: 'Provider template id', kind: 'text' },
  { name: 'from', label: 'From address', kind: 'text' },
  provider,
];

const pushFields: readonly ContentField[] = [
  { name: 'title', label: 'Title', kind: 'text' },
  { name: 'body', label: 'Body', kind: 'multiline' },
  { name: 'data', label: 'Data payload', kind: 'stringMap', hint: 'A JSON object of strings, e.g. {"screen": "cart"}.' },
  provider,
];

const smsFields: readonly ContentField[] = [{ name: 'body', label: 'Text', kind: 'multiline', required: true }, provider];

const webhookFields: readonly ContentField[] = [
  { name: 'url', label: 'URL', kind: 'text', required: true, hint: 'http:// or https://, templates allowed.' },
  { name: 'method', label: 'Method', kind: 'choice', options: ['POST', 'PUT', 'PATCH'] },
  { name: 'headers', label: 'Headers', kind: 'stringMap', hint: 'A JSON object of strings.' },
  { name: 'body', label: 'Body', kind: 'textOrObject', hint: 'A template, or a JSON object (templated JSON).' },
  { name: 'timeoutMs', label: 'Timeout (ms)', kind: 'integer' },
];

const appFields: readonly ContentField[] = [
  { name: 'imageUrl', label: 'Image URL', kind: 'text' },
  {
    name: 'deepLink',
    label: 'Deep link',
    kind: 'text',
    hint: 'Where the app goes on a tap, e.g. myapp://orders/{{ event.properties.orderId }}.',
  },
];
const custom: ContentField = {
  name: 'custom',
  label: 'Custom key-values',
  kind: 'stringMap',
  hint: 'A JSON object of strings for the app.',
};

const inboxFields: readonly ContentField[] = [
  { name: 'title', label: 'Title', kind: 'text', required: true },
  { name: 'body', label: 'Text', kind: 'multiline' },
  ...appFields,
  custom,
  { name: 'expiry', label: 'Expiry', kind: 'text', hint: 'An ISO-8601 duration after the send, e.g. P30D (the default).' },
  { name: 'category', label: 'Category', kind: 'text' },
];

const inAppFields: readonly ContentField[] = [
  { name: 'title', label: 'Title', kind: 'text' },
  { name: 'body', label: 'Text', kind: 'multiline' },
  ...appFields,
  {
    name: 'buttons',
    label: 'Buttons',
    kind: 'json',
    hint: 'Up to 3, e.g. [{"id": "shop", "label": "Shop now", "deepLink": "myapp://shop"}].',
  },
  custom,
  { name: 'expiry', label: 'Expiry', kind: 'text', hint: 'An ISO-8601 duration after the send, e.g. P7D (the default).' },
  { name: 'frequency', label: 'Frequency', kind: 'json', hint: 'e.g. {"maxShows": 3, "minInterval": "P1D"}; once by default.' },
];

/** The dev sink records any fields: its text fields as they are, or a subject and a body to start with. */
function sinkFields(content: Record<string, unknown>): ContentField[] {
  const texts = Object.keys(content).filter((key) => typeof content[key] === 'string');
  const names = texts.length > 0 ? texts : ['subject', 'body'];
  return names.map((name) => ({ name, label: name.charAt(0).toUpperCase() + name.slice(1), kind: name === 'body' ? 'multiline' : 'text' }));
}

export function fieldsOf(channel: Channel, content: Record<string, unknown>): readonly ContentField[] {
  switch (channel) {
    case 'email':
      return emailFields;
    case 'push':
      return pushFields;
    case 'sms':
      return smsFields;
    case 'webhook':
      return webhookFields;
    case 'sink':
      return sinkFields(content);
    case 'inbox':
      return inboxFields;
    case 'inApp':
      return inAppFields;
    default: {
      const unknownChannel: never = channel;
      throw new Error(`unknown channel ${String(unknownChannel)}`);
    }
  }
}
