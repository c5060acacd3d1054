/**
 * @jest-environment jsdom
 */
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { ExperimentPage } from '../../console/src/pages/experiments/ExperimentPage';
import { createLiveJourney, renderIn, startConsoleApi, type ConsoleApi } from './actions-fixtures';

/** The experiment page against the real API: paths and weights, a manual experiment's weights edited with the API's checks. */
let api: ConsoleApi;
beforeAll(async () => {
  api = await startConsoleApi();
  await createLiveJourney(api, 'experiment-weights');
}, 60_000);
afterAll(async () => {
  await api?.close();
});
afterEach(cleanup);

async function open(key: string) {
  renderIn(
    await api.session(key),
    <ExperimentPage params={{ journeyId: 'experiment-weights', version: '1', nodeId: 'pick' }} query={new URLSearchParams()} />,
  );
  return screen.findByRole('heading', { name: /Experiment pick/ });
}

function rowsOf(caption: string): string[][] {
  const table = screen.getByRole('table', { name: caption });
  return within(table)
    .getAllByRole('row')
    .slice(1)
    .map((row) =>
      within(row)
        .getAllByRole('cell')
        .map((cell) => (cell.textContent ?? '').trim()),
    );
}

test("a manual experiment's weights: the API's refusal shows by the set, a valid change is saved and joins the history", async () => {
  await open(api.adminKey);
  expect(rowsOf('Paths of pick').map((row) => row.slice(0, 4))).toEqual([
    ['mail', '50%', '0', '–'],
    ['hook', '50%', '0', '–'],
  ]);
  expect(rowsOf('Weight changes, newest first').map((row) => row.slice(1))).toEqual([['published', expect.any(String), '50%', '50%']]);

  const form = screen.getByRole('group', { name: 'Weights (percent)' });
  fireEvent.change(within(form).getByLabelText('mail'), { target: { value: '70' } });
  fireEvent.change(within(form).getByLabelText('hook'), { target: { value: '20' } });
  expect(within(form).getByText('Sum: 90')).toBeTruthy();
  fireEvent.click(screen.getByRole('button', { name: 'Save weights' }));
  const refusal = await within(form).findByRole('alert');
  expect(refusal.textContent).toContain('weights sum to 90, not 100');

  fireEvent.change(within(form).getByLabelText('hook'), { target: { value: '30' } });
  fireEvent.click(screen.getByRole('button', { name: 'Save weights' }));
  await waitFor(() => expect(rowsOf('Paths of pick').map((row) => row[1])).toEqual(['70%', '30%']));
  expect(rowsOf('Weight changes, newest first').map((row) => [row[1], row[3], row[4]])).toEqual([
    ['edited', '70%', '30%'],
    ['published', '50%', '50%'],
  ]);
  const view = await api.call('GET', '/v1/journeys/experiment-weights/versions/1/experiments/pick');
  expect(view.body.weights).toEqual({ mail: 70, hook: 30 });
});

test('a weight that is not a number is named by its path before anything is sent', async () => {
  await open(api.adminKey);
  const form = screen.getByRole('group', { name: 'Weights (percent)' });
  const mail = within(form).getByLabelText('mail');
  fireEvent.change(mail, { target: { value: 'lots' } });
  fireEvent.click(screen.getByRole('button', { name: 'Save weights' }));
  await waitFor(() => expect(mail.getAttribute('aria-invalid')).toBe('true'));
  expect(document.getElementById(mail.getAttribute('aria-describedby')!)?.textContent).toBe('must be a number');
});

test('a read key sees the paths and the history, not the form', async () => {
  await open(api.readKey);
  expect(rowsOf('Paths of pick')).toHaveLength(2);
  expect(screen.queryByRole('group', { name: 'Weights (percent)' })).toBeNull();
  expect(screen.queryByRole('button', { name: 'Declare winner' })).toBeNull();
  expect(screen.getByText(/Your API key can read only/)).toBeTruthy();
});

test('an auto experiment offers to declare a winner after a confirmation; the winner then shows and the offer goes', async () => {
  const auto = {
    id: 'experiment-auto',
    name: 'Auto subject test',
    entry: { type: 'api' },
    settings: { goals: [{ id: 'purchase', event: 'purchased' }] },
    nodes: {
      pick: { type: 'experiment', mode: 'auto', paths: { short: 'short-mail', long: 'long-mail' } },
      'short-mail': { type: 'message', channel: 'sink' },
      'long-mail': { type: 'message', channel: 'sink' },
    },
    content: { 'short-mail': { subject: 'Short' }, 'long-mail': { subject: 'A longer subject' } },
  };
  expect((await api.call('POST', '/v1/journeys', auto)).status).toBe(201);
  expect((await api.call('POST', '/v1/journeys/experiment-auto/versions/1/publish', {})).status).toBe(200);
  renderIn(
    await api.session(api.adminKey),
    <ExperimentPage params={{ journeyId: 'experiment-auto', version: '1', nodeId: 'pick' }} query={new URLSearchParams()} />,
  );
  await screen.findByRole('heading', { name: /Experiment pick/ });
  expect(screen.queryByRole('group', { name: 'Weights (percent)' })).toBeNull();
  expect(screen.getByRole('columnheader', { name: 'Chance to be best' })).toBeTruthy();

  fireEvent.change(screen.getByLabelText('Winning path'), { target: { value: 'long' } });
  fireEvent.click(screen.getByRole('button', { name: 'Declare winner' }));
  const dialog = screen.getByRole('dialog', { name: 'Declare long the winner?' });
  fireEvent.click(within(dialog).getByRole('button', { name: 'Declare winner' }));
  await screen.findByText(
    (_, element) => element?.classList.contains('winner') === true && /Winner: long, declared by/.test(element.textContent ?? ''),
  );
  expect(screen.queryByRole('button', { name: 'Declare winner' })).toBeNull();
  const view = await api.call('GET', '/v1/journeys/experiment-auto/versions/1/experiments/pick');
  expect([view.body.winner, view.body.weights]).toEqual(['long', { short: 0, long: 100 }]);
});
