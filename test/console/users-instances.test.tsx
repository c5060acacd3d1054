/**
 * @jest-environment jsdom
 */
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { instanceRow, waitingText } from '../../console/src/pages/users/instance-rows';
import { InstanceList } from '../../console/src/pages/users/InstanceList';
import type { InstanceDetail, ListedInstance } from '../../console/src/pages/users/user-types';

const iso = (text: string) => text;
const running: ListedInstance = {
  workflowId: 'journey:abandoned-cart:user:ada',
  runId: 'run-2',
  journeyId: 'abandoned-cart',
  userId: 'ada',
  version: 2,
  status: 'running',
  currentNode: 'wait-1d',
  entry: 2,
  startedAt: '2026-03-02T10:00:00.000Z',
  source: 'temporal',
  temporalUiUrl: 'http://localhost:8233/namespaces/default/workflows/journey%3Aabandoned-cart%3Auser%3Aada/run-2/history',
};
const runningDetail: InstanceDetail = {
  status: 'running',
  state: {
    currentNode: 'wait-1d',
    waitingFor: 'time',
    until: '2026-03-03T10:00:00.000Z',
    path: ['wait-checkout', 'test-offer', 'push-discount', 'wait-1d'],
    control: false,
    goalsMet: [],
    experiments: { 'test-offer': 'discount' },
  },
};
const completed: ListedInstance = {
  ...running,
  workflowId: 'journey:welcome:user:ada',
  runId: 'run-1',
  journeyId: 'welcome',
  version: 1,
  status: 'completed',
  currentNode: 'done',
  exitReason: 'goal',
  entry: 1,
  closedAt: '2026-03-01T11:00:00.000Z',
  temporalUiUrl: 'http://localhost:8233/namespaces/default/workflows/journey%3Awelcome%3Auser%3Aada/run-1/history',
};
const forgotten: ListedInstance = {
  workflowId: 'journey:welcome:user:ada',
  runId: 'run-0',
  journeyId: 'welcome',
  userId: 'ada',
  version: 1,
  status: 'completed',
  currentNode: 'done',
  exitReason: 'exited',
  entry: 0,
  startedAt: '2025-01-01T00:00:00.000Z',
  closedAt: '2025-01-02T00:00:00.000Z',
  source: 'entries',
};

describe('instance rows', () => {
  it("shows a running instance's node, what it waits for and until when, its path and its Temporal UI link", () => {
    expect(instanceRow(running, runningDetail, iso)).toEqual({
      key: 'journey:abandoned-cart:user:ada:run-2',
      workflowId: running.workflowId,
      journeyId: 'abandoned-cart',
      version: 2,
      entry: 2,
      status: 'running',
      running: true,
      node: 'wait-1d',
      waiting: 'time until 2026-03-03T10:00:00.000Z',
      path: ['wait-checkout', 'test-offer', 'push-discount', 'wait-1d'],
      startedAt: '2026-03-02T10:00:00.000Z',
      temporalUiUrl: running.temporalUiUrl,
      fromRecords: false,
      control: false,
    });
    // Before its detail arrives: the listing's node alone.
    expect(instanceRow(running, undefined, iso)).toMatchObject({ node: 'wait-1d', waiting: '', path: [] });
    expect(waitingText('event order_completed', undefined, iso)).toBe('event order_completed');
  });

  it('shows how a closed instance ended, and an entry Temporal forgot without a link', () => {
    const detail: InstanceDetail = {
      status: 'completed',
      result: { reason: 'goal', nodeId: 'done', path: ['hello', 'done'], goalId: 'purchase' },
    };
    expect(instanceRow(completed, detail, iso)).toMatchObject({
      running: false,
      status: 'completed',
      node: 'done',
      waiting: 'goal',
      path: ['hello', 'done'],
      closedAt: '2026-03-01T11:00:00.000Z',
    });
    const old = instanceRow(forgotten, undefined, iso);
    expect(old).toMatchObject({ fromRecords: true, waiting: 'exited', path: [] });
    expect(old.temporalUiUrl).toBeUndefined();
    expect(instanceRow({ ...forgotten, status: 'timed_out', exitReason: undefined }, undefined, iso)).toMatchObject({
      status: 'timed out',
      waiting: '',
    });
  });
});

describe('InstanceList', () => {
  const rows = [instanceRow(running, runningDetail, iso), instanceRow(completed, undefined, iso), instanceRow(forgotten, undefined, iso)];

  it('links each run to Temporal UI and offers the support exit only on running instances, to admin keys', () => {
    const { rerender } = render(<InstanceList rows={rows} canExit={false} onExit={async () => undefined} />);
    const links = screen.getAllByRole('link', { name: 'Open in Temporal UI' });
    expect(links.map((link) => link.getAttribute('href'))).toEqual([running.temporalUiUrl, completed.temporalUiUrl]);
    expect(links[0]!.getAttribute('target')).toBe('_blank');
    expect(screen.getByText(/only the enrolment record is left/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Exit this instance' })).toBeNull();
    const path = screen.getAllByRole('list', { name: 'Path' })[0]!;
    expect(
      within(path)
        .getAllByRole('listitem')
        .map((item) => item.textContent),
    ).toEqual(runningDetail.state!.path);

    rerender(<InstanceList rows={rows} canExit onExit={async () => undefined} />);
    expect(screen.getAllByRole('button', { name: 'Exit this instance' })).toHaveLength(1);
  });

  it('asks before the exit, runs it, and shows the refusal in the dialog', async () => {
    const exits: string[] = [];
    let refuse = true;
    render(
      <InstanceList
        rows={rows}
        canExit
        onExit={async (workflowId) => {
          exits.push(workflowId);
          if (refuse) throw new Error('instance already closed');
        }}
      />,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Exit this instance' }));
    const dialog = screen.getByRole('dialog', { name: 'Exit abandoned-cart for this user?' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Exit now' }));
    await waitFor(() => expect(within(dialog).getByRole('alert').textContent).toContain('instance already closed'));
    refuse = false;
    fireEvent.click(within(dialog).getByRole('button', { name: 'Exit now' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(exits).toEqual([running.workflowId, running.workflowId]);
  });
});
