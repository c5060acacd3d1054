/**
 * @jest-environment jsdom
 */
import { render, screen, within } from '@testing-library/react';
import { dryRunRequestSchema, dryRunResponseSchema, type DryRunResponse } from '../../api/dry-run/schema';
import { dryRunRequestOf, emptyForm, fieldOfApiPath } from '../../console/src/pages/dry-run/dry-run-request';
import { isolatedHtml, readableOffset, renderedFields, timelineOf } from '../../console/src/pages/dry-run/dry-run-timeline';
import { DryRunResult } from '../../console/src/pages/dry-run/DryRunResult';

/** An answer of the shape the API validates against (the schema parses it). */
const answer: DryRunResponse = dryRunResponseSchema.parse({
  journeyId: 'abandoned-cart',
  version: 1,
  userId: 'dry-run-user',
  startedAt: '2026-03-02T09:00:00.000Z',
  until: 'P17D',
  path: [
    { nodeId: 'wait-checkout', enteredAt: '2026-03-02T09:00:00.000Z', offset: 'PT0S' },
    { nodeId: 'test-offer', enteredAt: '2026-03-02T10:00:00.000Z', offset: 'PT1H' },
    { nodeId: 'email-shipping', enteredAt: '2026-03-02T10:00:00.000Z', offset: 'PT1H' },
  ],
  exit: { reason: 'goal', nodeId: 'email-shipping', goalId: 'purchase', at: '2026-03-03T11:00:00.000Z', offset: 'P1DT2H' },
  messages: [
    {
      nodeId: 'email-shipping',
      channel: 'email',
      outcome: 'sent',
      to: 'ada@example.com',
      message: {
        subject: 'Free shipping on your cart',
        text: 'Your cart is waiting: https://shop.example.com/c-1',
        html: '<p>Your cart <img src="https://tracker.example.com/x.gif"></p>',
      },
      at: '2026-03-02T10:00:00.000Z',
      offset: 'PT1H',
    },
  ],
  experiments: { 'test-offer': 'shipping' },
  errors: [],
  enrolments: [],
  events: [{ name: 'order_completed', at: '2026-03-03T11:00:00.000Z', offset: 'P1DT2H', delivered: true }],
  profile: { email: 'ada@example.com' },
});

describe('dry run request', () => {
  it('turns the form into a request the API accepts', () => {
    const form = {
      ...emptyForm(),
      triggerName: 'cart_updated',
      triggerProperties: '{"items": 2, "cartId": "c-1"}',
      events: [{ at: 'P1DT2H', name: ' order_completed ', properties: '' }],
      until: 'P3D',
    };
    const request = dryRunRequestOf(form);
    expect(request.ok).toBe(true);
    if (!request.ok) return;
    expect(request.body).toEqual({
      profile: JSON.parse(emptyForm().profile),
      trigger: { name: 'cart_updated', properties: { items: 2, cartId: 'c-1' } },
      events: [{ at: 'P1DT2H', name: 'order_completed' }],
      until: 'P3D',
    });
    expect(dryRunRequestSchema.safeParse(request.body).success).toBe(true);
  });

  it('names the field of each mistake: JSON that does not parse, an object expected, an event without a name', () => {
    const request = dryRunRequestOf({
      ...emptyForm(),
      profile: '{"email": ',
      context: '[1]',
      events: [
        { at: 'PT1H', name: 'ok', properties: '' },
        { at: 'PT2H', name: '', properties: '{' },
      ],
    });
    expect(request.ok).toBe(false);
    if (request.ok) return;
    expect(request.problems.map((p) => p.field)).toEqual(['profile', 'context', 'events.1.name', 'events.1.properties']);
    expect(request.problems[1]!.message).toMatch(/JSON object/);
  });

  it("maps the API's problem paths to the form's fields", () => {
    expect(fieldOfApiPath('body.events.3.at')).toBe('events.3.at');
    expect(fieldOfApiPath('body.events.0.properties.total')).toBe('events.0.properties');
    expect(fieldOfApiPath('body.trigger.properties')).toBe('triggerProperties');
    expect(fieldOfApiPath('body.trigger')).toBe('triggerName');
    expect(fieldOfApiPath('body.profile.email')).toBe('profile');
    expect(fieldOfApiPath('params.version')).toBeUndefined();
  });
});

describe('dry run result', () => {
  it('orders the path, sends, events and exit by simulated time (the node before its send, the event before the exit)', () => {
    expect(timelineOf(answer).map((row) => `${row.offset} ${row.kind} ${row.text}`)).toEqual([
      'PT0S node entered wait-checkout',
      'PT1H node entered test-offer',
      'PT1H node entered email-shipping',
      'PT1H message email sent',
      'P1DT2H event event order_completed',
      'P1DT2H exit exit: goal (goal purchase)',
    ]);
    // A send belongs to its node: at one instant it comes before the entry into the next node.
    const sameInstant = {
      ...answer,
      path: [...answer.path, { nodeId: 'wait-1d', enteredAt: '2026-03-02T10:00:00.000Z', offset: 'PT1H' }],
      events: [],
      exit: null,
    };
    expect(timelineOf(sameInstant).map((row) => `${row.kind} ${row.nodeId}`)).toEqual([
      'node wait-checkout',
      'node test-offer',
      'node email-shipping',
      'message email-shipping',
      'node wait-1d',
    ]);
    expect(['P1DT22H52M36S', 'PT1H', 'PT0S', 'P3D', 'odd'].map(readableOffset)).toEqual([
      '1 d 22 h 52 min 36 s',
      '1 h',
      '0 s',
      '3 d',
      'odd',
    ]);
    expect(renderedFields({ html: '<p/>', text: 't', subject: 's', extra: 1 }).map((f) => f.name)).toEqual([
      'subject',
      'text',
      'html',
      'extra',
    ]);
    expect(isolatedHtml('<p>x</p>')).toMatch(/default-src 'none'.*<p>x<\/p>$/);
  });

  it('shows the path with times and the rendered message, its HTML in a frame that may load nothing', () => {
    render(<DryRunResult result={answer} />);
    expect(screen.getByText(/Exited with goal at email-shipping after 1 d 2 h/)).toBeTruthy();
    const timeline = screen.getByRole('table', { name: 'Timeline of the dry run' });
    expect(within(timeline).getAllByRole('row')).toHaveLength(7);
    expect(screen.getByText('Free shipping on your cart')).toBeTruthy();
    expect(screen.getByText('Your cart is waiting: https://shop.example.com/c-1')).toBeTruthy();
    const frame = screen.getByTitle('HTML of email-shipping') as HTMLIFrameElement;
    expect(frame.getAttribute('sandbox')).toBe('');
    expect(frame.getAttribute('srcdoc')).toContain("default-src 'none'");
  });
});
