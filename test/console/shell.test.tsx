/** @jest-environment jsdom */
import { act, fireEvent, render, screen } from '@testing-library/react';
import { ApiProblem, withQuery } from '../../console/src/api/client';
import { hasScope } from '../../console/src/api/session';
import { href, matchPath, parseHash } from '../../console/src/app/router';
import { Confirm } from '../../console/src/components/Confirm';
import { ProblemMessage } from '../../console/src/components/ProblemMessage';
import { usePolling } from '../../console/src/components/usePolling';

describe('the hash router', () => {
  it('splits the hash into path and query, / when empty', () => {
    expect(parseHash('')).toMatchObject({ path: '/' });
    const location = parseHash('#/journeys/a%20b?version=2&tab=report');
    expect(location.path).toBe('/journeys/a%20b');
    expect(location.query.get('version')).toBe('2');
    expect(location.query.get('tab')).toBe('report');
  });

  it('matches patterns segment by segment and decodes params', () => {
    expect(matchPath('/journeys/:journeyId', '/journeys/a%20b')).toEqual({ journeyId: 'a b' });
    expect(matchPath('/journeys/:journeyId', '/journeys')).toBeUndefined();
    expect(matchPath('/journeys', '/journeys/x')).toBeUndefined();
    expect(matchPath('/users/:id', '/journeys/x')).toBeUndefined();
    // Malformed percent-encoding is no match rather than a crash.
    expect(matchPath('/journeys/:journeyId', '/journeys/%zz')).toBeUndefined();
  });

  it('writes links with the query, leaving out empty values', () => {
    expect(href('/journeys', { state: 'running', q: '', label: undefined })).toBe('#/journeys?state=running');
    expect(withQuery('/v1/journeys', { q: 'cart', archived: false, label: undefined })).toBe('/v1/journeys?q=cart&archived=false');
  });
});

describe('scopes', () => {
  it('lets admin do everything and other scopes only themselves', () => {
    expect(hasScope(['admin'], 'read')).toBe(true);
    expect(hasScope(['read'], 'read')).toBe(true);
    expect(hasScope(['read'], 'admin')).toBe(false);
    expect(hasScope(['ingest'], 'read')).toBe(false);
  });
});

describe('ProblemMessage', () => {
  it("shows the API's title, detail and each field's problem as an alert", () => {
    render(
      <ProblemMessage
        error={
          new ApiProblem(400, 'Bad Request', 'invalid body: body.subject: required', 'invalid_input', [
            { path: 'body.subject', message: 'required' },
          ])
        }
      />,
    );
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('Bad Request (400)');
    expect(alert.textContent).toContain('invalid body: body.subject: required');
    expect(alert.textContent).toContain('body.subject: required');
  });

  it('shows nothing without an error', () => {
    const { container } = render(<ProblemMessage error={undefined} />);
    expect(container.textContent).toBe('');
  });
});

describe('Confirm', () => {
  it('focuses Cancel, keeps the dialog open with the problem when the action is refused, closes on success', async () => {
    const closed: boolean[] = [];
    let attempts = 0;
    render(
      <Confirm
        title="Pause the journey?"
        confirmLabel="Pause"
        onConfirm={async () => {
          attempts++;
          if (attempts === 1) throw new ApiProblem(409, 'Conflict', 'the version is not running', 'not_running');
        }}
        onClose={(done) => closed.push(done)}
      />,
    );
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Cancel' }));
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Pause' })));
    expect(screen.getByRole('alert').textContent).toContain('the version is not running');
    expect(closed).toEqual([]);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Pause' })));
    expect(closed).toEqual([true]);
  });

  it('cancels with Escape', () => {
    const closed: boolean[] = [];
    render(<Confirm title="Stop?" confirmLabel="Stop" onConfirm={async () => undefined} onClose={(done) => closed.push(done)} />);
    fireEvent.keyDown(screen.getByRole('dialog'), { key: 'Escape' });
    expect(closed).toEqual([false]);
  });
});

describe('usePolling', () => {
  function Polled({ load }: { load: () => Promise<number> }) {
    const polled = usePolling(load, [], { intervalMs: 1000 });
    return <p>{polled.data === undefined ? 'none' : `loaded ${polled.data}`}</p>;
  }
  function setHidden(hidden: boolean) {
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
    document.dispatchEvent(new Event('visibilitychange'));
  }

  beforeEach(() => jest.useFakeTimers());
  afterEach(() => {
    jest.useRealTimers();
    setHidden(false);
  });

  it('loads at once and on every period while the tab is visible, nothing while it is hidden, at once when it shows again', async () => {
    let calls = 0;
    const load = async () => ++calls;
    render(<Polled load={load} />);
    await act(async () => undefined);
    expect(screen.getByText('loaded 1')).toBeTruthy();
    // One period at a time: React merges refreshes that land in one batch.
    await act(async () => jest.advanceTimersByTime(1000));
    await act(async () => jest.advanceTimersByTime(1000));
    expect(calls).toBe(3);
    expect(screen.getByText('loaded 3')).toBeTruthy();

    await act(async () => setHidden(true));
    await act(async () => jest.advanceTimersByTime(5000));
    expect(calls).toBe(3);

    await act(async () => setHidden(false));
    expect(calls).toBe(4);
    await act(async () => jest.advanceTimersByTime(1000));
    expect(calls).toBe(5);
  });

  it('starts from nothing when what it loads changes, unless asked to keep the last data meanwhile', async () => {
    const pending: Array<(value: string) => void> = [];
    function Keyed({ id, keepData }: { id: string; keepData: boolean }) {
      const polled = usePolling(() => new Promise<string>((resolve) => pending.push(resolve)), [id], { keepData });
      return <p>{polled.data ?? 'none'}</p>;
    }
    for (const keepData of [false, true]) {
      pending.length = 0;
      const view = render(<Keyed id="a" keepData={keepData} />);
      await act(async () => pending.at(-1)!('data of a'));
      expect(view.container.textContent).toBe('data of a');
      view.rerender(<Keyed id="b" keepData={keepData} />);
      await act(async () => undefined);
      expect(view.container.textContent).toBe(keepData ? 'data of a' : 'none');
      await act(async () => pending.at(-1)!('data of b'));
      expect(view.container.textContent).toBe('data of b');
      view.unmount();
    }
  });
});
