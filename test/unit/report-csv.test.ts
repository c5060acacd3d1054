import { nodesCsv, summaryCsv, toCsv } from '../../domain/reports/csv';
import type { JourneyReport } from '../../domain/reports/report';

const report: JourneyReport = {
  journeyId: 'cart',
  versions: [1],
  range: { from: '2025-03-30' },
  bucket: 'day',
  generatedAt: '2025-04-10T00:00:00.000Z',
  summary: {
    qualified: 19,
    entered: 10,
    control: 5,
    globalControl: 4,
    inJourneyNow: 4,
    notEligible: 1,
    goals: [{ goalId: 'goal-1', event: 'order_completed', target: 3, control: 1, globalControl: 1 }],
    conversion: {
      target: { converted: 3, rate: 30 },
      control: { converted: 1, rate: 20 },
      boost: 50,
      globalControl: { converted: 1, rate: 25 },
      globalBoost: 20,
    },
    exits: { control: 2, goal: 4, not_eligible: 1 },
  },
  trend: [
    {
      start: '2025-03-30',
      qualified: 5,
      entered: 3,
      control: 2,
      globalControl: 0,
      converted: { target: 1, control: 1, globalControl: 0 },
      exits: { control: 1, goal: 2 },
    },
    {
      start: '2025-03-31',
      qualified: 14,
      entered: 7,
      control: 3,
      globalControl: 4,
      converted: { target: 2, control: 0, globalControl: 1 },
      exits: { control: 1, goal: 2, not_eligible: 1 },
    },
  ],
  nodes: [
    {
      nodeId: 'route',
      type: 'split',
      entered: 10,
      waitingNow: 0,
      movedForward: { vip: 4, others: 6 },
      exits: {},
      paths: [
        { path: 'vip', count: 4, share: 40 },
        { path: 'others', count: 6, share: 60 },
      ],
    },
    {
      nodeId: 'mail',
      type: 'message',
      entered: 5,
      waitingNow: 1,
      movedForward: { sent: 1 },
      exits: { goal: 2, completed: 1 },
      // a provider event type with a comma and quotes (counter keys only exclude `:`)
      messages: {
        sent: 3,
        inDoubt: 1,
        failed: 1,
        unreachable: 0,
        reasons: { 'failed:capped': 1 },
        events: { delivered: 2, 'say "hi", ok': 1 },
        conversions: 1,
        conversionRate: 33.33,
        engagement: {
          delivered: 2,
          opened: 1,
          viewed: 0,
          clicked: 1,
          dismissed: 0,
          bounced: 0,
          deliveredRate: 66.67,
          openedRate: 33.33,
          viewedRate: 0,
          clickedRate: 33.33,
        },
      },
    },
    {
      nodeId: 'test',
      type: 'experiment',
      mode: 'auto',
      entered: 3,
      waitingNow: 0,
      movedForward: { a: 2, b: 1 },
      exits: {},
      goals: [{ goalId: 'goal-1', event: 'order_completed' }],
      paths: [
        { path: 'a', count: 2, share: 66.67, conversions: { 'goal-1': { count: 1, rate: 50 } } },
        { path: 'b', count: 1, share: 33.33, conversions: { 'goal-1': { count: 0, rate: 0 } } },
      ],
      weights: [],
    },
    { nodeId: 'done', type: 'exit', entered: 3, waitingNow: 0, movedForward: {}, exits: { exited: 3 } },
  ],
};

describe('summaryCsv', () => {
  it('writes one row per bucket and a total, with rates, boost and exits per reason', () => {
    expect(summaryCsv(report)).toBe(
      [
        'bucket_start,qualified,entered,control,converted_target,conversion_target_pct,converted_control,conversion_control_pct,boost_pct,' +
          'global_control,converted_global_control,conversion_global_control_pct,global_boost_pct,exits_control,exits_goal,exits_not_eligible',
        // 1/3 = 33.33 % vs 1/2 = 50 %: boost -33.33; nobody in the global control group: no global rate nor boost (empty)
        '2025-03-30,5,3,2,1,33.33,1,50,-33.33,0,0,,,1,2,0',
        // a control rate of 0: no boost (empty); 2/7 = 28.57 % vs the global group's 1/4 = 25 %: global boost 14.29
        '2025-03-31,14,7,3,2,28.57,0,0,,4,1,25,14.29,1,2,1',
        'total,19,10,5,3,30,1,20,50,4,1,25,20,2,4,1',
        '',
      ].join('\r\n'),
    );
  });

  it('writes only the header and total of an empty report', () => {
    const empty: JourneyReport = {
      ...report,
      trend: [],
      summary: {
        ...report.summary,
        qualified: 0,
        entered: 0,
        control: 0,
        globalControl: 0,
        exits: {},
        conversion: {
          target: { converted: 0, rate: null },
          control: { converted: 0, rate: null },
          boost: null,
          globalControl: { converted: 0, rate: null },
          globalBoost: null,
        },
      },
    };
    expect(summaryCsv(empty)).toBe(
      'bucket_start,qualified,entered,control,converted_target,conversion_target_pct,converted_control,conversion_control_pct,boost_pct,' +
        'global_control,converted_global_control,conversion_global_control_pct,global_boost_pct\r\ntotal,0,0,0,0,,0,,,0,0,,\r\n',
    );
  });
});

describe('nodesCsv', () => {
  it('writes one row per node and one per split or experiment path', () => {
    expect(nodesCsv(report)).toBe(
      [
        'node_id,type,entered,waiting_now,moved_a,moved_b,moved_others,moved_sent,moved_vip,exits_completed,exits_exited,exits_goal,sent,in_doubt,failed,unreachable,conversions,conversion_pct,delivered,opened,viewed,clicked,dismissed,bounced,delivered_pct,opened_pct,viewed_pct,clicked_pct,failed_capped,event_delivered,"event_say ""hi"", ok",path,count,share_pct,conv_goal-1,conv_goal-1_pct',
        'route,split,10,0,0,0,6,0,4,0,0,0,,,,,,,,,,,,,,,,,,,,,,,,',
        'route,split,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,vip,4,40,,',
        'route,split,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,others,6,60,,',
        'mail,message,5,1,0,0,0,1,0,1,0,2,3,1,1,0,1,33.33,2,1,0,1,0,0,66.67,33.33,0,33.33,1,2,1,,,,,',
        'test,experiment,3,0,2,1,0,0,0,0,0,0,,,,,,,,,,,,,,,,,,,,,,,,',
        'test,experiment,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,a,2,66.67,1,50',
        'test,experiment,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,b,1,33.33,0,0',
        'done,exit,3,0,0,0,0,0,0,0,3,0,,,,,,,,,,,,,,,,,,,,,,,,',
        '',
      ].join('\r\n'),
    );
  });
});

describe('toCsv (RFC 4180)', () => {
  it('quotes fields with a comma, quote or line break, doubles quotes, ends lines with CRLF, writes null as empty', () => {
    expect(toCsv([['plain', 'a,b', 'say "hi"', 'two\nlines', 'cr\rhere', 1.5, -2, null, undefined, '']])).toBe(
      'plain,"a,b","say ""hi""","two\nlines","cr\rhere",1.5,-2,,,\r\n',
    );
  });
});
