/**
 * @jest-environment jsdom
 */
import { fireEvent, render, screen, within } from '@testing-library/react';
import { journeyDefinitionSchema } from '../../domain/definition/schema';
import { buildReport, journeyReportSchema, type Bucket, type JourneyReport } from '../../domain/reports/report';
import type { DayCounters } from '../../domain/reports/counters';
import { choiceOf, csvFileName, queryOf, reportApiQuery, reportPath } from '../../console/src/pages/reports/report-query';
import { exitRows, messageRows, nodeRows, summaryFigures } from '../../console/src/pages/reports/report-figures';
import { chartGeometry, fillBuckets, niceMax, trendSeries } from '../../console/src/pages/reports/trend-series';
import { ReportView } from '../../console/src/pages/reports/ReportView';

/** A real report, built by the domain's builder from day counters as the reports service keeps them. */
function cartReport(bucket: Bucket = 'day'): JourneyReport {
  const definition = journeyDefinitionSchema.parse({
    id: 'cart',
    name: 'Cart',
    entry: { type: 'api' },
    settings: { goals: [{ id: 'purchase', event: 'order_completed' }], controlGroup: 10 },
    nodes: {
      remind: { type: 'message', channel: 'email', next: { sent: 'wait' } },
      wait: { type: 'delay', duration: 'P1D', next: 'done' },
      done: { type: 'exit' },
    },
    content: { remind: { subject: 'Your cart', body: 'Come back' } },
  });
  const day = (counters: DayCounters) => counters;
  const days = [
    {
      version: 1,
      day: '2026-03-02',
      counters: day({
        entered: 10,
        control: 2,
        'goal:purchase': 3,
        'goal:purchase:control': 1,
        'exit:goal': 4,
        'exit:exited': 2,
        'n:remind:entered': 8,
        'n:remind:msg:sent': 7,
        'n:remind:msg:failed': 1,
        'n:remind:moved:sent': 7,
        'n:remind:attributed': 3,
        'n:remind:event:open': 5,
        'n:wait:entered': 7,
      }),
    },
    // 2026-03-03 has no data: the chart shows a zero there.
    { version: 1, day: '2026-03-04', counters: day({ entered: 4, 'n:remind:entered': 4, 'n:remind:msg:sent': 4, 'exit:exited': 1 }) },
  ];
  const built = buildReport({
    journeyId: 'cart',
    versions: [{ version: 1, state: 'running', definition }],
    days,
    range: {},
    bucket,
    weightHistory: {},
    now: '2026-03-05T00:00:00.000Z',
  });
  return journeyReportSchema.parse(built) as JourneyReport;
}

describe('report figures', () => {
  it('turns the trend into chart lines with the empty buckets at zero', () => {
    const report = cartReport();
    const trend = trendSeries(report);
    expect(trend.starts).toEqual(['2026-03-02', '2026-03-03', '2026-03-04']);
    expect(trend.series).toEqual([
      { key: 'entered', label: 'Entered', values: [8, 0, 4] },
      { key: 'control', label: 'Control', values: [2, 0, 0] },
      { key: 'converted', label: 'Converted', values: [3, 0, 0] },
    ]);
    expect(fillBuckets(['2026-01-05', '2026-01-19'], 'week')).toEqual(['2026-01-05', '2026-01-12', '2026-01-19']);
    expect(fillBuckets(['2025-11-01', '2026-02-01'], 'month')).toEqual(['2025-11-01', '2025-12-01', '2026-01-01', '2026-02-01']);
    expect(fillBuckets([], 'day')).toEqual([]);
  });

  it('places the points: the largest value at a nice top, zero on the axis, the buckets spread across', () => {
    expect([0, 1, 3, 8, 10, 11, 120].map(niceMax)).toEqual([1, 1, 5, 10, 10, 20, 200]);
    const box = { width: 300, height: 120, left: 40, right: 20, top: 10, bottom: 10 };
    const geometry = chartGeometry(trendSeries(cartReport()), box);
    const entered = geometry.lines.find((line) => line.key === 'entered')!;
    // Top 10 (nice max of 8): 8 at y = 10 + 100 - 80 = 30, 0 on the axis at y = 110.
    expect(entered.dots).toEqual([
      { x: 40, y: 30, value: 8 },
      { x: 160, y: 110, value: 0 },
      { x: 280, y: 70, value: 4 },
    ]);
    expect(entered.points).toBe('40,30 160,110 280,70');
    expect(geometry.yTicks.map((tick) => tick.value)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(geometry.yTicks.at(-1)).toEqual({ y: 10, value: 10 });
    expect(geometry.xLabels.map((label) => label.text)).toEqual(['2026-03-02', '2026-03-03', '2026-03-04']);
  });

  it('summarises entries, control, conversion with boost and exits; per node and per message', () => {
    const report = cartReport();
    const figures = Object.fromEntries(summaryFigures(report).map((f) => [f.label, f.value]));
    expect(figures).toMatchObject({
      Entered: '12',
      Control: '2',
      Conversion: '3 · 25 %',
      'Control conversion': '1 · 50 %',
      Boost: '-50 %',
    });
    expect(exitRows(report)).toEqual([
      { reason: 'goal', count: 4 },
      { reason: 'exited', count: 3 },
    ]);
    expect(nodeRows(report).map((row) => [row.nodeId, row.entered, row.movedForward])).toEqual([
      ['remind', 12, 'sent 7'],
      ['wait', 7, '—'],
      ['done', 0, '—'],
    ]);
    expect(messageRows(report)).toEqual([
      expect.objectContaining({ nodeId: 'remind', sent: 11, failed: 1, conversions: 3, conversionRate: '27.27 %', events: 'open 5' }),
    ]);
  });

  it('asks the API for one version, several or all, and names the CSV as the API does', () => {
    const one = choiceOf(new URLSearchParams('versions=2&bucket=week&from=2026-03-01'));
    expect(one).toEqual({ versions: [2], bucket: 'week', from: '2026-03-01' });
    expect(reportPath('abandoned-cart', one)).toBe('/v1/journeys/abandoned-cart/versions/2/report');
    expect(reportApiQuery(one, 'nodes')).toEqual({ bucket: 'week', from: '2026-03-01', to: undefined, format: 'csv', table: 'nodes' });
    expect(csvFileName('abandoned-cart', one, 'nodes')).toBe('abandoned-cart-v2-nodes.csv');

    const several = choiceOf(new URLSearchParams('versions=3,1,x,3&bucket=year&from=yesterday'));
    expect(several).toEqual({ versions: [1, 3], bucket: 'day' });
    expect(reportPath('abandoned-cart', several)).toBe('/v1/journeys/abandoned-cart/report');
    expect(reportApiQuery(several)).toMatchObject({ versions: '1,3', bucket: 'day' });
    expect(csvFileName('abandoned-cart', several, 'summary')).toBe('abandoned-cart-summary.csv');
    expect(choiceOf(new URLSearchParams(queryOf(several) as Record<string, string>))).toEqual(several);
    expect(reportPath('abandoned-cart', choiceOf(new URLSearchParams('')))).toBe('/v1/journeys/abandoned-cart/report');
  });
});

describe('ReportView', () => {
  it('shows the summary, the trend chart with a legend that hides a line, the node and message tables', () => {
    render(<ReportView report={cartReport()} />);
    expect(screen.getByRole('heading', { name: 'Summary' })).toBeTruthy();
    const entered = screen.getByText('Entered', { selector: 'dt' }).parentElement!;
    expect(within(entered).getByText('12')).toBeTruthy();
    expect(screen.getByText('-50 %')).toBeTruthy();

    const chart = screen.getByRole('img', { name: /Trend by day: Entered 12, Control 2, Converted 3/ });
    expect(chart.querySelectorAll('polyline')).toHaveLength(3);
    const hide = screen.getByRole('button', { name: 'Control' });
    expect(hide.getAttribute('aria-pressed')).toBe('true');
    fireEvent.click(hide);
    expect(hide.getAttribute('aria-pressed')).toBe('false');
    expect(chart.querySelectorAll('polyline')).toHaveLength(2);
    expect(chart.querySelector('[data-series="control"]')).toBeNull();

    const nodes = screen.getByRole('table', { name: 'Per-node figures' });
    expect(
      within(nodes)
        .getAllByRole('row')
        .map((row) => row.textContent),
    ).toEqual(['NodeTypeEnteredWaiting nowMoved forwardExits', 'remindmessage125sent 7—', 'waitdelay77——', 'doneexit00——']);
    const messages = screen.getByRole('table', { name: 'Message figures' });
    expect(within(messages).getByText('open 5')).toBeTruthy();
  });

  it('says so when the range has no entries', () => {
    const empty = { ...cartReport(), trend: [] };
    render(<ReportView report={empty} />);
    expect(screen.getByText('No entries in this range yet.')).toBeTruthy();
  });
});
