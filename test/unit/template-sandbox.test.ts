import { readFileSync } from 'node:fs';
import { planDelivery, type DeliveryFacts } from '../../activities/delivery/plan';
import { RenderError, renderMessage, type RenderScope } from '../../activities/delivery/render';
import { renderText } from '../../activities/templates';
import { deliverySettingsSchema } from '../../domain/delivery/settings';
import { messageNodeSchema, type JourneyGraph } from '../../domain/definition/schema';
import { validateDefinition } from '../../domain/definition/validate';

/**
 * The Liquid sandbox (domain/templates/liquid.ts): no template reads a file (include, render and layout are
 * refused when validating and when rendering), and a runaway loop or a huge output stops at the render
 * limits with a RenderError, which the delivery plan turns into a permanent `failed` outcome.
 */

const scope: RenderScope = {
  profile: { firstName: 'Ada' },
  event: {},
  context: {},
  journey: { id: 'j', version: 1, nodeId: 'm', instanceId: 'i', userId: 'u1' },
};

// package.json is in the working directory, where liquidjs's default file system loader would find it.
const FILE_TAGS = ['{% include "package.json" %}', '{% render "package.json" %}', '{% layout "package.json" %}'];
const RUNAWAY_LOOP = '{% for i in (1..100000000) %}x{% endfor %}';
const NESTED_LOOPS = '{% for i in (1..100000) %}{% for j in (1..100000) %}{{ i }}-{{ j }} {% endfor %}{% endfor %}';
const DOUBLING = '{% assign s = "0123456789" %}{% for i in (1..60) %}{% assign s = s | append: s %}{% endfor %}{{ s }}';

describe('template sandbox', () => {
  it('reads no file: include, render and layout are refused at render time', async () => {
    expect(readFileSync('package.json', 'utf8')).toContain('"name"');
    for (const template of FILE_TAGS) {
      const tag = /{% (\w+)/.exec(template)![1];
      await expect(renderText(template, {})).rejects.toThrow(`the {% ${tag} %} tag is not available`);
      await expect(renderMessage('sms', { body: template }, scope)).rejects.toThrow(RenderError);
    }
  });

  it('include, render and layout are refused by validation, naming the field', () => {
    FILE_TAGS.forEach((template, index) => {
      const result = validateDefinition({
        id: 'j',
        name: 'J',
        entry: { type: 'event', event: 'signed_up' },
        nodes: {
          m: { type: 'message', channel: 'email', next: { sent: 'tag' } },
          tag: { type: 'updateProfile', operations: [{ property: 'x', op: 'set', value: template }], next: 'done' },
          done: { type: 'exit' },
        },
        content: { m: { subject: 'Hi', html: `<p>${template}</p>` } },
      });
      const tag = ['include', 'render', 'layout'][index];
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.problems).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ path: 'content.m.html', message: expect.stringContaining(`the {% ${tag} %} tag is not available`) }),
          expect.objectContaining({
            path: 'nodes.tag.operations[0].value',
            message: expect.stringContaining(`the {% ${tag} %} tag is not available`),
          }),
        ]),
      );
    });
  });

  it.each([
    ['a runaway loop', RUNAWAY_LOOP],
    ['nested loops with a huge output', NESTED_LOOPS],
    ['a string doubled by append', DOUBLING],
  ])('%s stops with a RenderError', async (_name, template) => {
    await expect(renderMessage('email', { subject: 'Hi', body: template }, scope)).rejects.toThrow(
      /a template does not render: .*(limit exceeded)/,
    );
  });

  it('a runaway template is a permanent failed send (template_error), not a retry', async () => {
    const node = messageNodeSchema.parse({ type: 'message', channel: 'email' });
    const facts: DeliveryFacts = {
      request: { journeyId: 'j', version: 1, nodeId: 'm', instanceId: 'i', userId: 'u1', channel: 'email', context: {} },
      graph: { nodes: { m: node }, settings: {} } as unknown as DeliveryFacts['graph'] & { nodes: JourneyGraph['nodes'] },
      content: { subject: 'Hi', body: NESTED_LOOPS },
      profile: { userId: 'u1', attributes: {}, pushTokens: [], consent: {}, email: 'ada@example.com' },
      account: deliverySettingsSchema.parse({}),
      now: Date.parse('2026-03-05T12:00:00Z'),
    };
    const plan = await planDelivery(facts);
    expect(plan).toEqual({
      action: 'skip',
      result: { outcome: 'failed', reason: expect.stringMatching(/^template_error: a template does not render: .*limit exceeded/) },
    });
  });

  it('ordinary templates with loops still render', async () => {
    await expect(
      renderText('{% for i in (1..200) %}{{ i }}{% endfor %} {{ profile.firstName | upcase }}', { profile: { firstName: 'Ada' } }),
    ).resolves.toMatch(/^1234.*200 ADA$/);
  });
});
