import { classifyChanges, isWhatOnlyChange } from '../../domain/definition/diff';
import { journeyDefinitionSchema, type JourneyDefinition } from '../../domain/definition/schema';

const base: JourneyDefinition = journeyDefinitionSchema.parse({
  id: 'kinds',
  name: 'Kinds',
  entry: { type: 'api' },
  nodes: {
    test: { type: 'experiment', mode: 'manual', paths: { a: 'greet', b: 'bye' } },
    greet: { type: 'message', channel: 'sink', next: { sent: 'bye' } },
    bye: { type: 'exit' },
  },
  content: { test: { weights: { a: 50, b: 50 } }, greet: { subject: 'Hi', body: 'Hello' } },
});

describe('classifyChanges', () => {
  it('calls content and manual weights What, name/labels/description metadata, the rest structural', () => {
    const next: JourneyDefinition = {
      ...base,
      name: 'Renamed',
      labels: ['x'],
      settings: { ...base.settings, timeout: 'P1D' },
      content: { test: { weights: { a: 10, b: 90 } }, greet: { subject: 'Hi!', body: 'Hello', url: 'https://example.com' } },
    };
    expect(classifyChanges(base, next)).toEqual([
      { change: 'name changed', kind: 'metadata' },
      { change: 'labels changed', kind: 'metadata' },
      { change: 'settings timeout: changed', kind: 'structural' },
      { change: 'content test: weights changed', kind: 'what' },
      { change: 'content greet: subject changed', kind: 'what' },
      { change: 'content greet: url added', kind: 'what' },
    ]);
  });

  it("agrees with isWhatOnlyChange on an experiment's content besides its weights", () => {
    const other = { ...base, content: { ...base.content, test: { weights: { a: 50, b: 50 }, note: 'x' } } } as JourneyDefinition;
    expect(classifyChanges(base, other)).toEqual([{ change: 'content test: note added', kind: 'structural' }]);
    expect(isWhatOnlyChange(base, other)).toBe(false);
    const { test: _dropped, ...withoutExperimentContent } = base.content;
    const noWeights = { ...base, content: withoutExperimentContent } as JourneyDefinition;
    expect(classifyChanges(base, noWeights)).toEqual([{ change: 'content test: removed', kind: 'what' }]);
    expect(isWhatOnlyChange(base, noWeights)).toBe(true);
  });
});
