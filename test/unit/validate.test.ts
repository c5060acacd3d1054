import { parse } from 'yaml';
import { diffDefinitions, isWhatOnlyChange, structureOf } from '../../domain/definition/diff';
import { defaultLimits, limitsSchema, resolveLimits } from '../../domain/definition/limits';
import { journeyDefinitionSchema, type JourneyDefinition } from '../../domain/definition/schema';
import { contentProblems, formatPath, validateDefinition, type DefinitionProblem } from '../../domain/definition/validate';

/** A valid journey touching most node types; each test breaks one thing. */
function journey(): Record<string, any> {
  return {
    id: 'winback',
    name: 'Win back',
    entry: { type: 'event', event: 'cart_updated', where: { 'properties.items': { gt: 0 } } },
    settings: { goals: [{ event: 'order_completed' }], conversionWindow: 'P3D' },
    nodes: {
      'wait-checkout': { type: 'waitForEvent', event: 'checkout_started', within: 'PT1H', next: { yes: 'done', timeout: 'segment' } },
      segment: {
        type: 'split',
        paths: [{ name: 'vip', when: { 'profile.vip': { eq: true } }, next: 'test-offer' }],
        others: 'email-reminder',
      },
      'test-offer': { type: 'experiment', mode: 'manual', paths: { push: 'push-offer', email: 'email-reminder' } },
      'push-offer': { type: 'message', channel: 'push', next: { sent: 'wait-1d', failed: 'email-reminder' } },
      'email-reminder': { type: 'message', channel: 'email', next: { sent: 'wait-1d' } },
      'wait-1d': { type: 'delay', duration: 'P1D', at: '10:00', next: 'tag' },
      tag: { type: 'updateProfile', operations: [{ property: 'winback', op: 'set', value: '{{ event.name }}' }], next: 'done' },
      done: { type: 'exit' },
    },
    content: {
      'test-offer': { weights: { push: 30, email: 70 } },
      'push-offer': { title: 'Hi {{ profile.firstName }}', body: 'Your cart misses you' },
      'email-reminder': { subject: 'Your cart', html: '<p>Come back</p>' },
    },
  };
}

function problemsOf(input: unknown, limits = defaultLimits): DefinitionProblem[] {
  const result = validateDefinition(input, limits);
  return result.ok ? [] : result.problems;
}

/** Exactly one problem, returned for closer checks. */
function onlyProblem(input: unknown, limits = defaultLimits): DefinitionProblem {
  const problems = problemsOf(input, limits);
  expect(problems).toHaveLength(1);
  return problems[0]!;
}

describe('validation at publish', () => {
  it('accepts a valid journey and returns the parsed definition', () => {
    const result = validateDefinition(journey());
    expect(result).toMatchObject({ ok: true, definition: { id: 'winback', settings: { controlGroup: 0 } } });
  });

  describe('shape (zod) problems carry the node id', () => {
    it('an unknown field in a node', () => {
      const j = journey();
      j.nodes['wait-1d'].durration = 'P1D';
      expect(onlyProblem(j)).toEqual({
        nodeId: 'wait-1d',
        path: 'nodes.wait-1d.durration',
        message:
          'node wait-1d: unknown field `durration` in a delay node (allowed: type, duration, until, relativeTo, at, days, timezone, next)',
      });
    });
    it('a missing required field', () => {
      const j = journey();
      delete j.nodes['wait-checkout'].within;
      expect(onlyProblem(j)).toEqual({
        nodeId: 'wait-checkout',
        path: 'nodes.wait-checkout.within',
        message: 'node wait-checkout `within`: is required',
      });
    });
    it('a malformed condition, with the exact place', () => {
      const j = journey();
      j.nodes.segment.paths[0].when = { all: [{ 'profile.vip': { equals: true } }] };
      expect(onlyProblem(j)).toMatchObject({
        nodeId: 'segment',
        path: 'nodes.segment.paths[0].when.all[0]["profile.vip"].equals',
        message: expect.stringMatching(/^node segment `paths\[0\]\.when\.all\[0\]\["profile\.vip"\]`: unknown operator `equals`/),
      });
    });
    it('content of the wrong type', () => {
      const j = journey();
      j.content['email-reminder'].subject = 42;
      expect(onlyProblem(j)).toEqual({
        nodeId: 'email-reminder',
        path: 'content.email-reminder.subject',
        message: 'content email-reminder `subject`: expected string, got number 42',
      });
    });
    it('a bad id and an unknown node type', () => {
      const j = journey();
      j.nodes['Bad Id'] = { type: 'exit' };
      j.nodes.done = { type: 'stop' };
      expect(problemsOf(j)).toEqual([
        {
          nodeId: 'done',
          path: 'nodes.done.type',
          message:
            'node done `type`: unknown node type "stop": use one of message, delay, waitForEvent, waitForEvents, split, experiment, updateProfile, enterJourney, exit',
        },
        {
          nodeId: 'Bad Id',
          path: 'nodes["Bad Id"]',
          message: 'node Bad Id: `Bad Id` is not a valid id: use letters, digits, "-" and "_", starting with a letter or digit',
        },
      ]);
    });
    it('not an object at all', () => {
      expect(problemsOf('hello')).toEqual([{ path: '', message: 'journey: a journey must be an object' }]);
    });
  });

  describe('graph', () => {
    it('the start node must exist', () => {
      const j = journey();
      j.start = 'begin';
      expect(problemsOf(j)).toEqual([{ path: 'start', message: 'the start node `begin` does not exist' }]);
    });

    it('a connector must point to an existing node', () => {
      const j = journey();
      j.nodes['wait-1d'].next = 'send-x';
      expect(problemsOf(j)).toEqual([
        { nodeId: 'wait-1d', path: 'nodes.wait-1d.next', message: 'node wait-1d: connector `next` points to missing node `send-x`' },
        expect.objectContaining({
          nodeId: 'tag',
          message: expect.stringMatching(/^node tag: unreachable from the start node `wait-checkout`/),
        }),
      ]);
    });

    it('a missing split path target is named by its path', () => {
      const j = journey();
      j.nodes.segment.paths[0].next = 'nowhere';
      expect(problemsOf(j)[0]).toEqual({
        nodeId: 'segment',
        path: 'nodes.segment.paths[0].next',
        message: 'node segment: connector `vip` points to missing node `nowhere`',
      });
    });

    it('cycles name the nodes on the cycle and the connector that closes it', () => {
      const j = journey();
      j.nodes.tag.next = 'segment';
      expect(onlyProblem(j)).toEqual({
        nodeId: 'tag',
        path: 'nodes.tag.next',
        message:
          'node tag: connector `next` closes the cycle segment → email-reminder → wait-1d → tag → segment; a journey must not loop (nodes in this loop: `segment`, `test-offer`, `push-offer`, `email-reminder`, `wait-1d`, `tag`)',
      });
    });

    it('a node pointing to itself is a cycle', () => {
      const j = journey();
      j.nodes['wait-1d'].next = 'wait-1d';
      expect(problemsOf(j)).toContainEqual({
        nodeId: 'wait-1d',
        path: 'nodes.wait-1d.next',
        message: 'node wait-1d: connector `next` closes the cycle wait-1d → wait-1d; a journey must not loop',
      });
    });

    it('nodes unreachable from the start are listed, with why', () => {
      const j = journey();
      j.nodes.orphan = { type: 'delay', duration: 'P1D', next: 'orphan-2' };
      j.nodes['orphan-2'] = { type: 'exit' };
      expect(problemsOf(j)).toEqual([
        {
          nodeId: 'orphan',
          path: 'nodes.orphan',
          message: 'node orphan: unreachable from the start node `wait-checkout` (no connector leads to it)',
        },
        {
          nodeId: 'orphan-2',
          path: 'nodes.orphan-2',
          message: 'node orphan-2: unreachable from the start node `wait-checkout` (only `orphan` leads to it, and it is unreachable too)',
        },
      ]);
    });

    it('the start defaults to the first node listed, and an explicit start changes reachability', () => {
      const j = journey();
      j.start = 'segment';
      expect(problemsOf(j)).toEqual([
        {
          nodeId: 'wait-checkout',
          path: 'nodes.wait-checkout',
          message: 'node wait-checkout: unreachable from the start node `segment` (no connector leads to it)',
        },
      ]);
    });

    it('numeric node ids need an explicit start', () => {
      const definition = {
        id: 'n',
        name: 'N',
        entry: { type: 'api' },
        nodes: { a: { type: 'delay', duration: 'P1D', next: '1' }, '1': { type: 'exit' } },
      };
      expect(problemsOf(definition)).toContainEqual({
        path: 'start',
        message: expect.stringMatching(/^set `start` explicitly/),
      });
      expect(problemsOf({ ...definition, start: 'a' })).toEqual([]);
    });
  });

  describe('splits', () => {
    it('a split needs `others`', () => {
      const j = journey();
      delete j.nodes.segment.others;
      expect(onlyProblem(j)).toEqual({
        nodeId: 'segment',
        path: 'nodes.segment.others',
        message: 'node segment: a split needs `others`, the node for users who match no path',
      });
    });

    it('at most maxSplitPaths paths', () => {
      const j = journey();
      j.nodes.segment.paths = Array.from({ length: 7 }, (_, i) => ({ name: `p${i}`, when: { 'profile.tier': { eq: i } }, next: 'done' }));
      j.nodes.segment.paths[0].next = 'test-offer';
      expect(onlyProblem(j)).toEqual({
        nodeId: 'segment',
        path: 'nodes.segment.paths',
        message: 'node segment: a split has at most 6 paths besides `others`; this one has 7',
      });
      expect(problemsOf(j, resolveLimits({ maxSplitPaths: 7 }))).toEqual([]);
    });
  });

  describe('experiments', () => {
    it('2 to maxExperimentPaths paths', () => {
      const j = journey();
      j.nodes['test-offer'].paths = { push: 'push-offer' };
      j.content['test-offer'].weights = { push: 100 };
      j.nodes.segment.paths[0].next = 'test-offer';
      j.nodes.segment.others = 'email-reminder';
      expect(onlyProblem(j)).toEqual({
        nodeId: 'test-offer',
        path: 'nodes.test-offer.paths',
        message: 'node test-offer: an experiment needs 2 to 7 paths; this one has 1',
      });
      const many = journey();
      many.nodes['test-offer'].paths = Object.fromEntries(
        Array.from({ length: 8 }, (_, i) => [`p${i}`, i === 0 ? 'push-offer' : 'email-reminder']),
      );
      many.content['test-offer'].weights = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`p${i}`, 12.5]));
      expect(onlyProblem(many).message).toBe('node test-offer: an experiment needs 2 to 7 paths; this one has 8');
    });

    it('at most maxExperiments experiment nodes', () => {
      const j = journey();
      let next = 'push-offer';
      for (let i = 5; i >= 1; i--) {
        j.nodes[`exp-${i}`] = { type: 'experiment', mode: 'auto', paths: { a: next, b: null } };
        next = `exp-${i}`;
      }
      j.nodes['test-offer'].paths.push = 'exp-1';
      const problem = onlyProblem(j);
      expect(problem).toEqual({
        nodeId: 'exp-1',
        path: 'nodes.exp-1',
        message:
          'node exp-1: a journey has at most 5 experiment nodes; this one has 6 (`test-offer`, `exp-5`, `exp-4`, `exp-3`, `exp-2`, `exp-1`)',
      });
    });

    it('at most maxGoals experiment goals', () => {
      const j = journey();
      j.nodes['test-offer'].goals = [{ event: 'a' }, { event: 'b' }, { event: 'c' }, { event: 'd' }];
      expect(onlyProblem(j)).toEqual({
        nodeId: 'test-offer',
        path: 'nodes.test-offer.goals',
        message: 'node test-offer: an experiment has at most 3 goals; this one has 4',
      });
    });

    it('manual weights must exist', () => {
      const j = journey();
      delete j.content['test-offer'];
      expect(onlyProblem(j)).toEqual({
        nodeId: 'test-offer',
        path: 'content.test-offer',
        message: 'node test-offer: a manual experiment needs weights in `content.test-offer.weights`, e.g. { push: 50, email: 50 }',
      });
    });

    it('manual weights must name exactly the paths', () => {
      const j = journey();
      j.content['test-offer'].weights = { push: 30, sms: 70 };
      expect(problemsOf(j)).toEqual([
        { nodeId: 'test-offer', path: 'content.test-offer.weights', message: 'node test-offer: weights lack path(s) `email`' },
        {
          nodeId: 'test-offer',
          path: 'content.test-offer.weights',
          message: 'node test-offer: weights name path(s) `sms` that the experiment does not have',
        },
      ]);
    });

    it('manual weights must be >= 0 and sum to 100', () => {
      const j = journey();
      j.content['test-offer'].weights = { push: 30, email: 69 };
      expect(onlyProblem(j)).toEqual({
        nodeId: 'test-offer',
        path: 'content.test-offer.weights',
        message: 'node test-offer: weights sum to 99, not 100',
      });
      j.content['test-offer'].weights = { push: -10, email: 110 };
      expect(problemsOf(j)).toEqual([
        {
          nodeId: 'test-offer',
          path: 'content.test-offer.weights.push',
          message: 'node test-offer: the weight of path `push` must be a number >= 0, got number -10',
        },
        { nodeId: 'test-offer', path: 'content.test-offer.weights', message: 'node test-offer: weights sum to 110, not 100' },
      ]);
      j.content['test-offer'].weights = { push: 100 / 3, email: 200 / 3 };
      expect(problemsOf(j)).toEqual([]);
    });

    it('an auto experiment takes no weights, and floor only applies to auto', () => {
      const j = journey();
      j.nodes['test-offer'].mode = 'auto';
      expect(onlyProblem(j)).toEqual({
        nodeId: 'test-offer',
        path: 'content.test-offer.weights',
        message: 'node test-offer: an auto experiment computes its own weights; remove `content.test-offer.weights` (or use mode: manual)',
      });
      const manual = journey();
      manual.nodes['test-offer'].floor = 20;
      expect(onlyProblem(manual).message).toBe(
        'node test-offer: `floor` only applies to auto experiments (a manual experiment uses its weights)',
      );
      const auto = journey();
      auto.nodes['test-offer'] = { type: 'experiment', mode: 'auto', floor: 50, paths: { a: 'push-offer', b: 'email-reminder', c: null } };
      delete auto.content['test-offer'];
      expect(onlyProblem(auto).message).toBe('node test-offer: a floor of 50% for each of 3 paths exceeds 100%');
    });
  });

  describe('conditions', () => {
    it('split paths: wrong types and wrong roots', () => {
      const j = journey();
      j.nodes.segment.paths[0].when = { all: [{ 'profile.age': { gt: 'old' } }, { vip: { eq: true } }] };
      expect(problemsOf(j)).toEqual([
        {
          nodeId: 'segment',
          path: 'nodes.segment.paths[0].when',
          message: 'node segment: `profile.age`: `gt` compares numbers or date-times, but "old" is neither',
        },
        {
          nodeId: 'segment',
          path: 'nodes.segment.paths[0].when',
          message: 'node segment: path `vip` in `paths[0].when` must start with profile., event. (the trigger event) or context.',
        },
      ]);
    });

    it('a path compared with two types', () => {
      const j = journey();
      j.nodes.segment.paths[0].when = { any: [{ 'profile.age': { gte: 18 } }, { 'profile.age': { eq: 'adult' } }] };
      expect(onlyProblem(j)).toMatchObject({
        nodeId: 'segment',
        message: expect.stringContaining('`profile.age` is compared as a number'),
      });
    });

    it('event entry filter: event fields at the root, no trigger refs', () => {
      const j = journey();
      j.entry.where = { 'event.properties.items': { gt: 0 }, 'properties.orderId': { eq: { ref: 'trigger.properties.orderId' } } };
      expect(problemsOf(j)).toEqual([
        {
          path: 'entry.where',
          message:
            "entry: path `event.properties.items` in `where`: in an event filter the event's fields are at the root: write `properties.items`",
        },
        {
          path: 'entry.where',
          message: 'entry: ref `trigger.properties.orderId` in `where`: there is no trigger event yet when the entry event is filtered',
        },
      ]);
    });

    it('waitForEvent filter: types checked, trigger refs allowed', () => {
      const j = journey();
      j.nodes['wait-checkout'].where = {
        'properties.orderId': { eq: { ref: 'trigger.properties.orderId' } },
        'properties.total': { before: 100 },
      };
      expect(onlyProblem(j)).toEqual({
        nodeId: 'wait-checkout',
        path: 'nodes.wait-checkout.where',
        message: 'node wait-checkout: `properties.total`: `before` needs an ISO-8601 date-time such as "2025-01-31T00:00:00Z", got 100',
      });
    });

    it('goal filters and experiment goal filters', () => {
      const j = journey();
      j.settings.goals[0].where = { 'properties.total': { in: 5 } };
      j.nodes['test-offer'].goals = [{ event: 'click', where: { 'properties.url': { startsWith: true } } }];
      expect(problemsOf(j)).toEqual([
        { path: 'settings.goals[0].where', message: 'goal goal-1: `properties.total`: `in` needs a list of values, got 5' },
        {
          nodeId: 'test-offer',
          path: 'nodes.test-offer.goals[0].where',
          message: 'node test-offer: `properties.url`: `startsWith` needs a string, got true',
        },
      ]);
    });

    it('segment audience: profile paths only, types checked', () => {
      const j = journey();
      j.entry = { type: 'segment', audience: { 'profile.vip': { exists: 'yes' }, country: { eq: 'FR' } }, schedule: { type: 'once' } };
      expect(problemsOf(j)).toEqual([
        { path: 'entry.audience', message: 'entry: `profile.vip`: `exists` takes true or false, got "yes"' },
        {
          path: 'entry.audience',
          message: 'entry: path `country` in `audience` must start with profile. (an audience is a condition over profiles)',
        },
      ]);
    });
  });

  describe('templates', () => {
    it('every content string must parse as Liquid', () => {
      const j = journey();
      j.content['push-offer'].title = 'Hi {{ profile.firstName';
      j.content['email-reminder'].html = '{% if profile.vip %}VIP';
      expect(problemsOf(j)).toEqual([
        {
          nodeId: 'push-offer',
          path: 'content.push-offer.title',
          message: 'node push-offer: content `title` is not a valid template: output "{{ profile.firstName" not closed, line:1, col:4',
        },
        {
          nodeId: 'email-reminder',
          path: 'content.email-reminder.html',
          message: 'node email-reminder: content `html` is not a valid template: tag {% if profile.vip %} not closed, line:1, col:1',
        },
      ]);
    });

    it('nested webhook bodies and updateProfile values are templates too', () => {
      const j = journey();
      j.nodes.hook = { type: 'message', channel: 'webhook', next: { sent: 'done' } };
      j.nodes.tag.next = 'hook';
      j.content.hook = { url: 'https://example.com/hooks/{{ profile.id }}', body: { user: { id: '{{ profile.id' } } };
      j.nodes.tag.operations.push({ property: 'labels', op: 'addToList', value: ['{% bogus %}'] });
      expect(problemsOf(j)).toEqual([
        {
          nodeId: 'hook',
          path: 'content.hook.body.user.id',
          message: expect.stringMatching(
            /^node hook: content `body\.user\.id` is not a valid template: output "\{\{ profile\.id" not closed/,
          ),
        },
        {
          nodeId: 'tag',
          path: 'nodes.tag.operations[1].value[0]',
          message: 'node tag: the value of operation 2 (addToList labels) is not a valid template: tag "bogus" not found, line:1, col:1',
        },
      ]);
    });
  });

  describe('message content', () => {
    it('a message node needs content for its channel', () => {
      const j = journey();
      delete j.content['email-reminder'];
      expect(onlyProblem(j)).toEqual({
        nodeId: 'email-reminder',
        path: 'content.email-reminder',
        message: 'node email-reminder: an email message needs content: a subject and one of body, html or template',
      });
    });

    it.each<[string, Record<string, unknown>, Array<Partial<DefinitionProblem>>]>([
      ['email without a body', { subject: 'Hi' }, [{ path: 'content.m', message: 'content m: an email needs a body, html or template' }]],
      ['email without a subject', { body: 'x' }, [{ path: 'content.m.subject', message: 'content m `subject`: is required' }]],
      [
        'email with a typo',
        { subject: 'x', body: 'y', form: 'a@b.c' },
        [{ message: expect.stringContaining('unknown field `form` in email content') }],
      ],
    ])('email: %s', (_name, content, expected) => {
      expect(contentProblems('m', { type: 'message', channel: 'email', next: {} }, content)).toEqual(
        expected.map((e) => expect.objectContaining({ nodeId: 'm', ...e })),
      );
    });

    it('push needs a title or a body, sms a body, webhook an http(s) url', () => {
      expect(contentProblems('p', { type: 'message', channel: 'push', next: {} }, { data: { a: 'b' } })).toEqual([
        { nodeId: 'p', path: 'content.p', message: 'content p: a push needs a title or a body' },
      ]);
      expect(contentProblems('s', { type: 'message', channel: 'sms', next: {} }, { body: '' })).toEqual([
        { nodeId: 's', path: 'content.s.body', message: 'content s `body`: an SMS needs a body' },
      ]);
      expect(contentProblems('w', { type: 'message', channel: 'webhook', next: {} }, { url: 'ftp://x' })).toEqual([
        { nodeId: 'w', path: 'content.w.url', message: 'content w `url`: a webhook needs an http:// or https:// URL' },
      ]);
      expect(
        contentProblems('w', { type: 'message', channel: 'webhook', next: {} }, { url: 'https://{{ profile.host }}/x', method: 'GET' }),
      ).toEqual([
        { nodeId: 'w', path: 'content.w.method', message: 'content w `method`: must be one of "POST", "PUT", "PATCH", got "GET"' },
        {
          nodeId: 'w',
          path: 'content.w.url',
          message: expect.stringMatching(/^content w `url`: the scheme and host of a webhook URL cannot be templated/),
        },
      ]);
      // A webhook's own timeout must fit inside the send activity's start-to-close timeout.
      const hook = { type: 'message', channel: 'webhook', next: {} } as const;
      expect(contentProblems('w', hook, { url: 'https://crm.example.com/x', timeoutMs: 50_000 })).toEqual([]);
      expect(contentProblems('w', hook, { url: 'https://crm.example.com/x', timeoutMs: 50_001 })).toEqual([
        expect.objectContaining({ nodeId: 'w', path: 'content.w.timeoutMs' }),
      ]);
      expect(contentProblems('k', { type: 'message', channel: 'sink', next: {} }, { anything: [1] })).toEqual([]);
    });

    it('content must belong to a message or experiment node', () => {
      const j = journey();
      j.content.ghost = { subject: 'x' };
      j.content['wait-1d'] = { body: 'x' };
      expect(problemsOf(j)).toEqual([
        {
          nodeId: 'wait-1d',
          path: 'content.wait-1d',
          message: 'content wait-1d: node wait-1d is a delay node; only message and experiment nodes take content',
        },
        { nodeId: 'ghost', path: 'content.ghost', message: 'content ghost: there is no node `ghost` for this content' },
      ]);
    });
  });

  describe('settings', () => {
    it('a cooldown needs re-entry', () => {
      const j = journey();
      j.settings.reentry = { cooldown: 'P7D' };
      expect(onlyProblem(j)).toEqual({
        path: 'settings.reentry.cooldown',
        message: 'settings: a re-entry cooldown needs `reentry.allowed: true`',
      });
    });
    it('a conversion window needs goals', () => {
      const j = journey();
      j.settings.goals = [];
      expect(onlyProblem(j)).toEqual({
        path: 'settings.conversionWindow',
        message: 'settings: a conversion window needs at least one goal',
      });
    });
    it('endAt after startAt', () => {
      const j = journey();
      j.settings.startAt = '2030-01-02T00:00:00Z';
      j.settings.endAt = '2030-01-02T01:00:00+01:00';
      expect(onlyProblem(j)).toEqual({
        path: 'settings.endAt',
        message: 'settings: endAt (2030-01-02T01:00:00+01:00) must be after startAt (2030-01-02T00:00:00Z)',
      });
    });
    it('at most maxGoals goals, with unique ids', () => {
      const j = journey();
      j.settings.goals = [{ event: 'a' }, { id: 'goal-1', event: 'b' }, { event: 'c' }, { event: 'd' }];
      expect(problemsOf(j)).toEqual([
        { path: 'settings.goals', message: 'settings: a journey has at most 3 goals; this one has 4' },
        { path: 'settings.goals[1].id', message: 'settings: goal id `goal-1` is used twice' },
      ]);
    });
    it('entry event maxAge within the limit', () => {
      const j = journey();
      j.entry.maxAge = 'P30D';
      expect(onlyProblem(j)).toEqual({ path: 'entry.maxAge', message: 'entry: maxAge P30D is longer than the allowed P7D' });
    });
    it('segment schedules within the entry window', () => {
      const j = journey();
      j.settings.endAt = '2030-06-01T00:00:00Z';
      j.entry = {
        type: 'segment',
        audience: { 'profile.vip': { eq: true } },
        schedule: { type: 'dates', dates: ['2030-01-01T00:00:00Z', '2030-01-01T01:00:00+01:00', '2030-07-01T00:00:00Z'] },
      };
      expect(problemsOf(j)).toEqual([
        { path: 'entry.schedule.dates[1]', message: 'entry: the date 2030-01-01T01:00:00+01:00 is listed twice' },
        {
          path: 'entry.schedule.dates[2]',
          message: 'entry: the date 2030-07-01T00:00:00Z is after endAt (2030-06-01T00:00:00Z): it would never run',
        },
      ]);
      j.entry.schedule = { type: 'recurring', every: 'P1D', from: '2030-02-01T00:00:00Z', until: '2030-01-01T00:00:00Z' };
      expect(onlyProblem(j).message).toBe(
        "entry: the schedule's until (2030-01-01T00:00:00Z) must be after its from (2030-02-01T00:00:00Z)",
      );
    });
    it('an enterJourney node cannot target its own journey', () => {
      const j = journey();
      j.nodes.tag.next = 'again';
      j.nodes.again = { type: 'enterJourney', journey: 'winback' };
      expect(onlyProblem(j)).toEqual({
        nodeId: 'again',
        path: 'nodes.again.journey',
        message: 'node again: a journey cannot enrol users in itself',
      });
    });
  });

  describe('limits', () => {
    it('at most maxNodes nodes', () => {
      const j = journey();
      expect(onlyProblem(j, resolveLimits({ maxNodes: 5 }))).toEqual({
        path: 'nodes',
        message: 'the journey has 8 nodes; a version may have at most 5',
      });
    });
    it('has documented defaults and validates overrides', () => {
      expect(defaultLimits).toEqual({
        maxNodes: 100,
        maxSplitPaths: 6,
        maxExperimentPaths: 7,
        maxExperiments: 5,
        maxGoals: 3,
        maxVersions: 10,
        maxEntryEventAge: 'P7D',
      });
      expect(limitsSchema.safeParse({ maxExperimentPaths: 1 }).success).toBe(false);
      expect(validateDefinition(journey(), { maxGoals: 0 })).toMatchObject({ ok: false });
    });
  });

  it('reports many problems at once, each with its node', () => {
    const j = journey();
    j.nodes['push-offer'].next.unreachable = 'send-x';
    j.nodes.tag.next = 'segment';
    delete j.nodes.segment.others;
    j.content['test-offer'].weights = { push: 50, email: 49 };
    j.content['push-offer'].title = '{{ oops';
    delete j.content['email-reminder'];
    j.nodes.segment.paths[0].when = { 'profile.vip': { exists: 1 } };
    j.nodes.lonely = { type: 'exit' };
    j.settings.reentry = { cooldown: 'P1D' };
    const problems = problemsOf(j);
    const expected: Array<[string | undefined, string]> = [
      ['push-offer', 'node push-offer: connector `unreachable` points to missing node `send-x`'],
      ['tag', 'node tag: connector `next` closes the cycle segment → '],
      ['lonely', 'node lonely: unreachable from the start node `wait-checkout`'],
      ['segment', 'node segment: a split needs `others`'],
      ['test-offer', 'node test-offer: weights sum to 99, not 100'],
      ['segment', 'node segment: `profile.vip`: `exists` takes true or false, got 1'],
      ['email-reminder', 'node email-reminder: an email message needs content'],
      ['push-offer', 'node push-offer: content `title` is not a valid template'],
      [undefined, 'settings: a re-entry cooldown needs `reentry.allowed: true`'],
    ];
    expect(problems).toHaveLength(expected.length);
    problems.forEach((problem, index) => {
      const [nodeId, start] = expected[index]!;
      expect(problem.nodeId).toBe(nodeId);
      expect(problem.message.startsWith(start)).toBe(true);
    });
  });

  it('never throws on hostile input', () => {
    const hostile = Object.defineProperty({ id: 'x' }, 'nodes', {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    });
    expect(validateDefinition(hostile)).toMatchObject({ ok: false });
    const deep: Record<string, unknown> = { 'profile.a': { eq: 1 } };
    let when: unknown = deep;
    for (let i = 0; i < 20_000; i++) when = { not: when };
    const j = journey();
    j.nodes.segment.paths[0].when = when;
    expect(validateDefinition(j)).toEqual({
      ok: false,
      problems: [{ path: '', message: 'the definition is nested more than 100 levels deep' }],
    });
    const cyclic = journey();
    cyclic.nodes.done.self = cyclic.nodes;
    expect(validateDefinition(cyclic)).toEqual({
      ok: false,
      problems: [{ path: '', message: 'the definition contains itself (a reference cycle)' }],
    });
    const shared = journey();
    shared.nodes.segment.paths.push({ ...shared.nodes.segment.paths[0], name: 'again' });
    expect(validateDefinition(shared)).toMatchObject({ ok: true }); // a shared (not cyclic) object is fine
  });

  it('formats paths readably', () => {
    expect(formatPath(['nodes', 'wait-1d', 'paths', 0, 'when', 'profile.country'])).toBe('nodes.wait-1d.paths[0].when["profile.country"]');
  });
});

describe('what-only changes and diffs', () => {
  const parsed = (input: Record<string, any>): JourneyDefinition => journeyDefinitionSchema.parse(input);

  it('content, weights, name, labels and description changes need no new version', () => {
    const a = parsed(journey());
    const changed = journey();
    changed.name = 'Win back (v2 copy)';
    changed.labels = ['retail'];
    changed.description = 'new copy';
    changed.content['email-reminder'].subject = 'Still there?';
    changed.content['email-reminder'].provider = 'sendgrid';
    changed.content['test-offer'].weights = { push: 50, email: 50 };
    const b = parsed(changed);
    expect(isWhatOnlyChange(a, b)).toBe(true);
    expect(diffDefinitions(a, b)).toEqual([
      'name changed',
      'description changed',
      'labels changed',
      'content test-offer: weights changed',
      'content email-reminder: subject changed',
      'content email-reminder: provider added',
    ]);
  });

  it('an explicit start equal to the default is no change', () => {
    const a = parsed(journey());
    const b = parsed({ ...journey(), start: 'wait-checkout' });
    expect(isWhatOnlyChange(a, b)).toBe(true);
    expect(structureOf(a)).toEqual(structureOf(b));
    expect(diffDefinitions(a, b)).toEqual([]);
  });

  it('structural changes need a new version and are listed', () => {
    const a = parsed(journey());
    const changed = journey();
    changed.nodes['test-offer'].mode = 'auto';
    delete changed.content['test-offer'];
    changed.nodes['wait-2d'] = { type: 'delay', duration: 'P2D', next: 'done' };
    changed.nodes.tag.next = 'wait-2d';
    delete changed.nodes['push-offer'];
    delete changed.content['push-offer'];
    changed.nodes['test-offer'].paths.push = null;
    changed.settings.controlGroup = 10;
    const b = parsed(changed);
    expect(isWhatOnlyChange(a, b)).toBe(false);
    expect(diffDefinitions(a, b)).toEqual([
      'settings controlGroup: changed',
      'node test-offer: changed',
      'node push-offer: removed',
      'node tag: changed',
      'node wait-2d: added',
      'content test-offer: removed',
      'content push-offer: removed',
    ]);
  });

  it('a different entry or settings is structural', () => {
    const a = parsed(journey());
    expect(isWhatOnlyChange(a, parsed({ ...journey(), entry: { type: 'api' } }))).toBe(false);
    expect(diffDefinitions(a, parsed({ ...journey(), entry: { type: 'api' } }))).toEqual(['entry: changed from event to api']);
    expect(isWhatOnlyChange(a, parsed({ ...journey(), settings: { ...journey().settings, timeout: 'P30D' } }))).toBe(false);
  });

  it('YAML round trip: a reformatted file is the same journey', () => {
    const a = parsed(journey());
    const b = parsed(parse(JSON.stringify(journey(), null, 2)) as Record<string, any>);
    expect(diffDefinitions(a, b)).toEqual([]);
  });
});
