/** @jest-environment jsdom */
import { act, fireEvent, render, screen } from '@testing-library/react';
import { JourneyFilters } from '../../console/src/pages/journeys/JourneyFilters';
import {
  applyFilterPatch,
  filtersFromQuery,
  filtersToQuery,
  listApiQuery,
  type FilterPatch,
  type ListFilters,
} from '../../console/src/pages/journeys/list-filters';
import { listFigures, formatRate } from '../../console/src/pages/journeys/list-figures';

/** The filters as the list page keeps them: each patch handed up is applied, then rendered. */
function renderFilters(initial: ListFilters, labels = ['retail', 'onboarding']) {
  const changes: FilterPatch[] = [];
  let current = initial;
  const view = render(<JourneyFilters filters={current} labels={labels} searchDelayMs={200} onChange={(next) => changes.push(next)} />);
  return {
    changes,
    apply(patch: FilterPatch) {
      current = applyFilterPatch(current, patch);
      view.rerender(<JourneyFilters filters={current} labels={labels} searchDelayMs={200} onChange={(n) => changes.push(n)} />);
    },
  };
}

describe('journey list filters', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('labels every control and offers every version state and the known labels', () => {
    renderFilters({ archived: false });
    expect(screen.getByLabelText('Search')).toBeTruthy();
    const state = screen.getByLabelText('State') as HTMLSelectElement;
    expect([...state.options].map((option) => option.value)).toEqual([
      '',
      'draft',
      'scheduled',
      'running',
      'paused',
      'completed',
      'restricted',
      'stopped',
    ]);
    const label = screen.getByLabelText('Label') as HTMLSelectElement;
    expect([...label.options].map((option) => option.value)).toEqual(['', 'onboarding', 'retail']);
    expect((screen.getByLabelText('Archived journeys only') as HTMLInputElement).checked).toBe(false);
  });

  it('hands up a state, a label and the archived toggle at once, each as a patch of its own field', () => {
    const { changes } = renderFilters({ archived: false, q: 'cart' });
    fireEvent.change(screen.getByLabelText('State'), { target: { value: 'running' } });
    fireEvent.change(screen.getByLabelText('Label'), { target: { value: 'retail' } });
    fireEvent.click(screen.getByLabelText('Archived journeys only'));
    expect(changes).toEqual([{ state: 'running' }, { label: 'retail' }, { archived: true }]);
    // Patches keep the other filters, whatever the order they land in.
    expect(changes.reduce(applyFilterPatch, { archived: false, q: 'cart' })).toEqual({
      archived: true,
      q: 'cart',
      state: 'running',
      label: 'retail',
    });
  });

  it('lets a cleared search land after a label was picked without undoing the label', () => {
    const { changes } = renderFilters({ archived: false, q: 'cart' });
    fireEvent.change(screen.getByLabelText('Search'), { target: { value: '' } });
    fireEvent.change(screen.getByLabelText('Label'), { target: { value: 'retail' } });
    act(() => jest.advanceTimersByTime(10));
    expect(changes).toEqual([{ label: 'retail' }, { q: undefined }]);
    expect(changes.reduce(applyFilterPatch, { archived: false, q: 'cart' })).toEqual({ archived: false, label: 'retail' });
  });

  it('searches after a pause in typing, or at once on Enter; "Any" removes a filter', () => {
    const { changes, apply } = renderFilters({ archived: false, state: 'running' });
    fireEvent.change(screen.getByLabelText('Search'), { target: { value: 'aband' } });
    act(() => jest.advanceTimersByTime(100));
    expect(changes).toEqual([]);
    fireEvent.change(screen.getByLabelText('Search'), { target: { value: 'abandoned' } });
    act(() => jest.advanceTimersByTime(250));
    expect(changes).toEqual([{ q: 'abandoned' }]);
    apply(changes[0]!);

    fireEvent.change(screen.getByLabelText('Search'), { target: { value: 'welcome' } });
    fireEvent.submit(screen.getByRole('search'));
    expect(changes[1]).toEqual({ q: 'welcome' });
    apply(changes[1]!);

    fireEvent.change(screen.getByLabelText('State'), { target: { value: '' } });
    expect(changes[2]).toEqual({ state: undefined });
    expect(applyFilterPatch({ archived: false, state: 'running', q: 'welcome' }, changes[2]!)).toEqual({ archived: false, q: 'welcome' });
  });

  it('reads the filters from the hash and writes them back, and asks the API with them', () => {
    const filters = filtersFromQuery(new URLSearchParams('state=paused&label=retail&q=%20cart%20&archived=1'));
    expect(filters).toEqual({ state: 'paused', label: 'retail', q: 'cart', archived: true });
    expect(filtersToQuery(filters)).toEqual({ state: 'paused', label: 'retail', q: 'cart', archived: '1' });
    expect(listApiQuery(filters)).toEqual({ state: 'paused', label: 'retail', q: 'cart', archived: 'true', limit: 100 });
    // Archived journeys stay hidden unless asked for; an unknown state is ignored.
    expect(filtersFromQuery(new URLSearchParams('state=bogus'))).toEqual({ archived: false });
    expect(listApiQuery({ archived: false })).toMatchObject({ archived: 'false' });
  });

  it("takes today's entries from the daily trend and the conversion from the summary", () => {
    const report = {
      trend: [
        { start: '2026-12-03', entered: 9 },
        { start: '2026-12-04', entered: 4 },
      ],
      summary: { conversion: { target: { rate: 12.345 } } },
    } as never;
    expect(listFigures(report, new Date('2026-12-04T09:00:00Z'))).toEqual({ enteredToday: 4, conversionRate: 12.345 });
    expect(listFigures(report, new Date('2026-12-05T09:00:00Z')).enteredToday).toBe(0);
    expect(formatRate(12.345)).toBe('12.3%');
    expect(formatRate(null)).toBe('—');
  });
});
