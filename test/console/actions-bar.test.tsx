/**
 * @jest-environment jsdom
 */
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { ActionsBar } from '../../console/src/pages/journey-actions/ActionsBar';
import { createLiveJourney, renderIn, startConsoleApi, testJourney, type ConsoleApi } from './actions-fixtures';

let api: ConsoleApi;
beforeAll(async () => {
  api = await startConsoleApi();
}, 60_000);
afterAll(async () => {
  await api?.close();
});
afterEach(cleanup);

async function journey(id: string) {
  return (await api.call('GET', `/v1/journeys/${id}`)).body;
}

function buttonNames(): string[] {
  return within(screen.getByRole('group'))
    .getAllByRole('button')
    .map((button) => button.textContent ?? '');
}

function confirmIn(dialogName: string, label: string) {
  fireEvent.click(within(screen.getByRole('dialog', { name: dialogName })).getByRole('button', { name: label }));
}

test('a read key sees no action; an admin key sees what the version state allows', async () => {
  const live = await createLiveJourney(api, 'actions-scope');
  const reader = renderIn(await api.session(api.readKey), <ActionsBar journey={live} version={1} onChanged={() => undefined} />);
  expect(screen.queryByRole('button')).toBeNull();
  reader.unmount();

  renderIn(await api.session(api.adminKey), <ActionsBar journey={live} version={1} onChanged={() => undefined} />);
  expect(buttonNames()).toEqual(['Pause', 'Stop', 'Clone', 'Archive']);
});

test('an action asks first: Cancel changes nothing, confirming pauses, then resume is offered and works', async () => {
  const live = await createLiveJourney(api, 'actions-pause');
  const changed = jest.fn();
  const view = renderIn(await api.session(api.adminKey), <ActionsBar journey={live} version={1} onChanged={changed} />);

  fireEvent.click(screen.getByRole('button', { name: 'Pause' }));
  const dialog = screen.getByRole('dialog', { name: 'Pause version 1?' });
  expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Cancel' }));
  fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
  expect(screen.queryByRole('dialog')).toBeNull();
  expect((await journey('actions-pause')).versions[0].state).toBe('running');

  fireEvent.click(screen.getByRole('button', { name: 'Pause' }));
  confirmIn('Pause version 1?', 'Pause');
  await waitFor(() => expect(changed).toHaveBeenCalledTimes(1));
  expect(screen.queryByRole('dialog')).toBeNull();
  const paused = await journey('actions-pause');
  expect(paused.versions[0].state).toBe('paused');

  view.update(<ActionsBar journey={paused} version={1} onChanged={changed} />);
  expect(buttonNames()).toEqual(['Resume', 'Stop', 'Clone', 'Archive']);
  fireEvent.click(screen.getByRole('button', { name: 'Resume' }));
  confirmIn('Resume version 1?', 'Resume');
  await waitFor(() => expect(changed).toHaveBeenCalledTimes(2));
  expect((await journey('actions-pause')).versions[0].state).toBe('running');
});

test("a refused action keeps the dialog open with the API's problem", async () => {
  const live = await createLiveJourney(api, 'actions-refused');
  const changed = jest.fn();
  renderIn(await api.session(api.adminKey), <ActionsBar journey={live} version={1} onChanged={changed} />);

  fireEvent.click(screen.getByRole('button', { name: 'Archive' }));
  confirmIn('Archive journey actions-refused?', 'Archive');
  const alert = await within(screen.getByRole('dialog')).findByRole('alert');
  expect(alert.textContent).toContain('Conflict (409)');
  expect(alert.textContent).toContain('cannot archive while version 1 is running: pause or stop it first');
  expect(changed).not.toHaveBeenCalled();
  expect((await journey('actions-refused')).archived).toBe(false);
});

test('publishing a draft offers what the API allows for the running version, and sends the choice', async () => {
  await createLiveJourney(api, 'actions-publish');
  const draft = await api.call('POST', '/v1/journeys/actions-publish/versions', { definition: testJourney('actions-publish') });
  expect(draft.status).toBe(201);
  const changed = jest.fn();
  renderIn(await api.session(api.adminKey), <ActionsBar journey={draft.body} version={2} onChanged={changed} />);
  expect(buttonNames()).toEqual(['Publish', 'Clone', 'Archive']);

  fireEvent.click(screen.getByRole('button', { name: 'Publish' }));
  const dialog = screen.getByRole('dialog', { name: 'Publish version 2?' });
  const choices = within(dialog).getAllByRole('radio') as HTMLInputElement[];
  expect(choices.map((radio) => radio.value)).toEqual(['restrict', 'stop']);
  expect(within(dialog).getByRole('group', { name: 'What happens to version 1 (running)' })).toBeTruthy();
  fireEvent.click(within(dialog).getByRole('radio', { name: /Stop version 1: its users exit now/ }));
  confirmIn('Publish version 2?', 'Publish');
  await waitFor(() => expect(changed).toHaveBeenCalledTimes(1));

  const states = (await journey('actions-publish')).versions.map((v: { version: number; state: string }) => [v.version, v.state]);
  expect(states).toEqual([
    [1, 'stopped'],
    [2, 'running'],
  ]);
});

test('stop asks exit or drain; drain closes the entry and keeps the version until its users finish', async () => {
  const live = await createLiveJourney(api, 'actions-stop');
  const changed = jest.fn();
  renderIn(await api.session(api.adminKey), <ActionsBar journey={live} version={1} onChanged={changed} />);

  fireEvent.click(screen.getByRole('button', { name: 'Stop' }));
  const dialog = screen.getByRole('dialog', { name: 'Stop version 1?' });
  expect((within(dialog).getByRole('radio', { name: /^Exit:/ }) as HTMLInputElement).checked).toBe(true);
  fireEvent.click(within(dialog).getByRole('radio', { name: /^Drain:/ }));
  confirmIn('Stop version 1?', 'Stop');
  await waitFor(() => expect(changed).toHaveBeenCalledTimes(1));
  const [version] = (await journey('actions-stop')).versions;
  expect(version.draining).toBe(true);
});

test('clone asks for the new id, creates the draft journey and opens it', async () => {
  const live = await createLiveJourney(api, 'actions-clone');
  const changed = jest.fn();
  renderIn(await api.session(api.adminKey), <ActionsBar journey={live} version={1} onChanged={changed} />);
  fireEvent.click(screen.getByRole('button', { name: 'Clone' }));
  const dialog = screen.getByRole('dialog', { name: 'Clone version 1?' });
  expect((within(dialog).getByLabelText('New journey id') as HTMLInputElement).value).toBe('actions-clone-copy');
  fireEvent.change(within(dialog).getByLabelText('New journey id'), { target: { value: 'Not a slug!' } });
  confirmIn('Clone version 1?', 'Clone');
  expect((await within(dialog).findByRole('alert')).textContent).toContain('body.id');

  fireEvent.change(within(dialog).getByLabelText('New journey id'), { target: { value: 'actions-clone-2' } });
  confirmIn('Clone version 1?', 'Clone');
  await waitFor(() => expect(changed).toHaveBeenCalledTimes(1));
  expect(window.location.hash).toBe('#/journeys/actions-clone-2');
  const clone = await journey('actions-clone-2');
  expect([clone.name, clone.versions.map((v: { state: string }) => v.state)]).toEqual(['Console test actions-clone (copy)', ['draft']]);
});
