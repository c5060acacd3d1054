import { historyTimeline, type JourneyChange } from '../../console/src/pages/journeys/version-timeline';

describe('the version timeline from the journey history', () => {
  const change = (revision: number, action: string, actor: string, versions: JourneyChange['versions']): JourneyChange => ({
    revision,
    action,
    actor,
    at: `2026-12-04T10:0${revision}:00.000Z`,
    versions,
  });

  it('names each change, newest first, with who, when and the states it moved', () => {
    const entries = historyTimeline([
      change(1, 'create', 'bootstrap', [{ version: 1, state: 'draft' }]),
      change(2, 'publish', 'bootstrap', [{ version: 1, state: 'running' }]),
      change(3, 'pause', 'ops (k1)', [{ version: 1, state: 'paused' }]),
      change(4, 'newVersion', 'bootstrap', [
        { version: 1, state: 'paused' },
        { version: 2, state: 'draft' },
      ]),
      change(5, 'publish', 'bootstrap', [
        { version: 1, state: 'restricted' },
        { version: 2, state: 'running' },
      ]),
      change(6, 'stop:drain', 'ops (k1)', [
        { version: 1, state: 'restricted' },
        { version: 2, state: 'running', draining: true },
      ]),
      change(7, 'somethingNew', 'bootstrap', [{ version: 1, state: 'restricted' }]),
    ]);
    expect(entries.map(({ what, by, states }) => [what, by, states])).toEqual([
      ['somethingNew', 'bootstrap', ['v2 deleted']],
      ['Stopping (users finish)', 'ops (k1)', ['v2 running → running (draining)']],
      ['Published', 'bootstrap', ['v1 paused → restricted', 'v2 draft → running']],
      ['New version', 'bootstrap', ['v2 draft']],
      ['Paused', 'ops (k1)', ['v1 running → paused']],
      ['Published', 'bootstrap', ['v1 draft → running']],
      ['Created', 'bootstrap', ['v1 draft']],
    ]);
    expect(entries.at(-1)).toMatchObject({ revision: 1, at: '2026-12-04T10:01:00.000Z' });
  });

  it('shows a change that moved no state (an edit) with no moves', () => {
    const entries = historyTimeline([
      change(1, 'create', 'bootstrap', [{ version: 1, state: 'draft' }]),
      change(2, 'edit', 'bootstrap', [{ version: 1, state: 'draft' }]),
    ]);
    expect(entries[0]).toMatchObject({ what: 'Draft edited', states: [] });
  });
});
