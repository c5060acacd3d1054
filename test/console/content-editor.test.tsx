/**
 * @jest-environment jsdom
 */
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { ContentPage } from '../../console/src/pages/content/ContentPage';
import { createLiveJourney, renderIn, startConsoleApi, type ConsoleApi } from './actions-fixtures';

/** The content editor against the real API: its validation messages by the field, saving a revision, read keys. */
let api: ConsoleApi;
beforeAll(async () => {
  api = await startConsoleApi();
  await createLiveJourney(api, 'content-edit');
}, 60_000);
afterAll(async () => {
  await api?.close();
});
afterEach(cleanup);

async function openNode(key: string, node: string) {
  renderIn(
    await api.session(key),
    <ContentPage params={{ journeyId: 'content-edit', version: '1' }} query={new URLSearchParams({ node })} />,
  );
  return screen.findByRole('form', { name: `Content of ${node}` });
}

async function revisions(node: string): Promise<number[]> {
  const answer = await api.call('GET', `/v1/journeys/content-edit/versions/1/content/${node}/revisions`);
  return answer.body.items.map((item: { revision: number }) => item.revision);
}

/** The messages shown for an input: the element its aria-describedby names for errors. */
function errorsOf(input: HTMLElement): string {
  const ids = (input.getAttribute('aria-describedby') ?? '').split(' ').filter((id) => id.endsWith('-error'));
  return ids.map((id) => document.getElementById(id)?.textContent ?? '').join(' ');
}

test("the API's validation messages appear next to the field they name, and nothing is saved", async () => {
  const form = await openNode(api.adminKey, 'welcome-mail');
  const subject = within(form).getByLabelText(/^Subject/);
  const body = within(form).getByLabelText('Text body');
  fireEvent.change(subject, { target: { value: '' } });
  fireEvent.change(body, { target: { value: 'Hello {{ profile.firstName ' } });
  fireEvent.click(within(form).getByRole('button', { name: 'Save as new revision' }));

  await waitFor(() => expect(subject.getAttribute('aria-invalid')).toBe('true'));
  expect(errorsOf(subject)).toContain('an email needs a subject');
  expect(body.getAttribute('aria-invalid')).toBe('true');
  expect(errorsOf(body)).toMatch(/template/i);
  expect(within(form).getByRole('alert').textContent).toContain('The API refused the content (2 problems shown by the fields)');
  expect(await revisions('welcome-mail')).toEqual([0]);
});

test('a valid edit is saved as the next revision and shows in the history', async () => {
  const form = await openNode(api.adminKey, 'welcome-mail');
  fireEvent.change(within(form).getByLabelText(/^Subject/), { target: { value: 'Welcome aboard, {{ profile.firstName }}' } });
  fireEvent.click(within(form).getByRole('button', { name: 'Save as new revision' }));

  await within(form).findByText('Saved as revision 1: the next sends use it.');
  expect(await revisions('welcome-mail')).toEqual([0, 1]);
  const version = await api.call('GET', '/v1/journeys/content-edit/versions/1');
  expect(version.body.definition.content['welcome-mail']).toEqual({
    subject: 'Welcome aboard, {{ profile.firstName }}',
    body: 'Hello {{ profile.firstName }}',
  });

  const history = screen.getByRole('region', { name: 'Revision history' });
  await waitFor(() => expect(within(history).getAllByRole('listitem')).toHaveLength(2));
  expect(within(history).getAllByRole('listitem')[0]!.textContent).toContain('Revision 1');
  expect(within(history).getAllByRole('listitem')[0]!.textContent).toContain('Welcome aboard');
});

test('an earlier revision restored into the form and saved becomes the newest (a rollback)', async () => {
  const form = await openNode(api.adminKey, 'welcome-mail');
  const history = screen.getByRole('region', { name: 'Revision history' });
  fireEvent.click(await within(history).findByRole('button', { name: 'Restore revision 0 into the form' }));
  expect((within(form).getByLabelText(/^Subject/) as HTMLInputElement).value).toBe('Welcome');
  expect(within(form).getByText('Revision 0 is in the form: save it to use it again.')).toBeTruthy();
  fireEvent.click(within(form).getByRole('button', { name: 'Save as new revision' }));
  await within(form).findByText('Saved as revision 2: the next sends use it.');
  const answer = await api.call('GET', '/v1/journeys/content-edit/versions/1/content/welcome-mail/revisions');
  expect(answer.body.items.map((item: { content: unknown }) => item.content)).toEqual([
    { subject: 'Welcome', body: 'Hello {{ profile.firstName }}' },
    { subject: 'Welcome aboard, {{ profile.firstName }}', body: 'Hello {{ profile.firstName }}' },
    { subject: 'Welcome', body: 'Hello {{ profile.firstName }}' },
  ]);
  // The newest is current: nothing to restore from it.
  await waitFor(() => expect(within(history).getAllByRole('listitem')).toHaveLength(3));
  expect(within(within(history).getAllByRole('listitem')[0]!).queryByRole('button')).toBeNull();
});

test('JSON that does not parse is named by its field before anything is sent', async () => {
  const form = await openNode(api.adminKey, 'notify-hook');
  const headers = within(form).getByLabelText('Headers');
  fireEvent.change(headers, { target: { value: '{"x-token": ' } });
  fireEvent.click(within(form).getByRole('button', { name: 'Save as new revision' }));
  await waitFor(() => expect(errorsOf(headers)).toMatch(/^not valid JSON/));
  expect(await revisions('notify-hook')).toEqual([0]);

  // The URL the API refuses is its own message.
  fireEvent.change(headers, { target: { value: '' } });
  fireEvent.change(within(form).getByLabelText(/^URL/), { target: { value: 'ftp://hooks.example.com' } });
  fireEvent.click(within(form).getByRole('button', { name: 'Save as new revision' }));
  const url = within(form).getByLabelText(/^URL/);
  await waitFor(() => expect(errorsOf(url)).toContain('a webhook needs an http:// or https:// URL'));
  expect(await revisions('notify-hook')).toEqual([0]);
});

test('a read key sees the content but cannot change it', async () => {
  const form = await openNode(api.readKey, 'welcome-mail');
  expect(screen.getByText('Your API key can read only: the content shows, it cannot be saved.')).toBeTruthy();
  expect((within(form).getByLabelText(/^Subject/) as HTMLInputElement).disabled).toBe(true);
  expect(within(form).queryByRole('button', { name: 'Save as new revision' })).toBeNull();
});

test("an in-app message's JSON fields: the API names a bad button by its field, a valid list is saved as JSON", async () => {
  const journey = {
    id: 'content-in-app',
    name: 'In-app offer',
    entry: { type: 'api' },
    nodes: { banner: { type: 'message', channel: 'inApp' } },
    content: { banner: { title: 'Spring sale', buttons: [{ id: 'shop', label: 'Shop now' }] } },
  };
  expect((await api.call('POST', '/v1/journeys', journey)).status).toBe(201);
  expect((await api.call('POST', '/v1/journeys/content-in-app/versions/1/publish', {})).status).toBe(200);
  renderIn(
    await api.session(api.adminKey),
    <ContentPage params={{ journeyId: 'content-in-app', version: '1' }} query={new URLSearchParams()} />,
  );
  const form = await screen.findByRole('form', { name: 'Content of banner' });
  const buttons = within(form).getByLabelText('Buttons') as HTMLTextAreaElement;
  expect(JSON.parse(buttons.value)).toEqual([{ id: 'shop', label: 'Shop now' }]);

  fireEvent.change(buttons, { target: { value: '[{"id": "shop", "label": ""}]' } });
  fireEvent.click(within(form).getByRole('button', { name: 'Save as new revision' }));
  await waitFor(() => expect(buttons.getAttribute('aria-invalid')).toBe('true'));
  expect(errorsOf(buttons)).toContain('`buttons[0].label`: must not be empty');

  fireEvent.change(buttons, { target: { value: '[{"id": "shop", "label": "Shop the sale", "deepLink": "myapp://sale"}]' } });
  fireEvent.click(within(form).getByRole('button', { name: 'Save as new revision' }));
  await within(form).findByText('Saved as revision 1: the next sends use it.');
  const version = await api.call('GET', '/v1/journeys/content-in-app/versions/1');
  expect(version.body.definition.content.banner.buttons).toEqual([{ id: 'shop', label: 'Shop the sale', deepLink: 'myapp://sale' }]);
});
