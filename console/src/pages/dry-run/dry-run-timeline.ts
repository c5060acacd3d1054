import type { DryRunResponse } from './dry-run-types';

export type TimelineKind = 'node' | 'message' | 'event' | 'exit' | 'error' | 'enrolment';

/** One line of the simulated run, in time order. */
export interface TimelineRow {
  key: string;
  at: string;
  offset: string;
  kind: TimelineKind;
  /** The node it happened at, when there is one. */
  nodeId?: string;
  text: string;
  /** A message row's index in `messages`, to show what was rendered. */
  message?: number;
}

/**
 * The dry run's path, sends, events, errors and exit merged into one timeline, ordered by simulated time; at one
 * instant a send, an error or an enrolment follows the entry into its own node (before the next node is entered),
 * an event comes first (it is what moved the user on) and the exit last.
 */
export function timelineOf(result: DryRunResponse): TimelineRow[] {
  type Ordered = { row: TimelineRow; seq: number };
  const time = (at: string) => Date.parse(at);
  /** The last entry into `nodeId` at or before `at`: what a send or an error there belongs to. */
  const anchor = (nodeId: string, at: string) => {
    let found = -1;
    result.path.forEach((step, index) => {
      if (step.nodeId === nodeId && time(step.enteredAt) <= time(at)) found = index;
    });
    return found;
  };
  const rows: Ordered[] = [
    ...result.path.map((step, index) => ({
      row: {
        key: `node:${index}`,
        at: step.enteredAt,
        offset: step.offset,
        kind: 'node' as const,
        nodeId: step.nodeId,
        text: `entered ${step.nodeId}`,
      },
      seq: index * 10,
    })),
    ...result.messages.map((message, index) => ({
      row: {
        key: `message:${index}`,
        at: message.at,
        offset: message.offset,
        kind: 'message' as const,
        nodeId: message.nodeId,
        text: `${message.channel} ${message.outcome}${message.reason ? ` (${message.reason})` : ''}`,
        message: index,
      },
      seq: anchor(message.nodeId, message.at) * 10 + 1,
    })),
    ...result.enrolments.map((enrolment, index) => ({
      row: {
        key: `enrolment:${index}`,
        at: enrolment.at,
        offset: enrolment.offset,
        kind: 'enrolment' as const,
        nodeId: enrolment.nodeId,
        text: `${enrolment.journeyId}: ${enrolment.status.replace('_', ' ')}`,
      },
      seq: anchor(enrolment.nodeId, enrolment.at) * 10 + 2,
    })),
    ...result.errors.map((error, index) => ({
      row: { key: `error:${index}`, at: error.at, offset: error.offset, kind: 'error' as const, nodeId: error.nodeId, text: error.message },
      seq: anchor(error.nodeId, error.at) * 10 + 3,
    })),
    ...result.events.map((event, index) => ({
      row: {
        key: `event:${index}`,
        at: event.at,
        offset: event.offset,
        kind: 'event' as const,
        text: `event ${event.name}${event.delivered ? '' : ' (not delivered: the instance had ended)'}`,
      },
      seq: -1,
    })),
    ...(result.exit
      ? [
          {
            row: {
              key: 'exit',
              at: result.exit.at,
              offset: result.exit.offset,
              kind: 'exit' as const,
              ...(result.exit.nodeId ? { nodeId: result.exit.nodeId } : {}),
              text: `exit: ${result.exit.reason}${result.exit.goalId ? ` (goal ${result.exit.goalId})` : ''}`,
            },
            seq: Number.MAX_SAFE_INTEGER,
          },
        ]
      : []),
  ];
  return rows.sort((a, b) => time(a.row.at) - time(b.row.at) || a.seq - b.seq).map(({ row }) => row);
}

/** `P1DT22H52M36S` as `1 d 22 h 52 min 36 s`: offsets read at a glance. */
export function readableOffset(offset: string): string {
  const match = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(offset);
  if (!match) return offset;
  const [, d, h, m, sec] = match;
  const parts = [d && `${d} d`, h && `${h} h`, m && `${m} min`, sec && sec !== '0' && `${sec} s`].filter(Boolean);
  return parts.length > 0 ? parts.join(' ') : '0 s';
}

/** The rendered fields of a message worth showing as text, in a stable order (subject before body...). */
export function renderedFields(message: Record<string, unknown> | undefined): { name: string; value: string }[] {
  if (!message) return [];
  const order = ['subject', 'title', 'text', 'body', 'url', 'html'];
  const names = Object.keys(message).sort((a, b) => {
    const ia = order.indexOf(a);
    const ib = order.indexOf(b);
    return (ia < 0 ? order.length : ia) - (ib < 0 ? order.length : ib) || a.localeCompare(b);
  });
  return names.map((name) => {
    const value = message[name];
    return { name, value: typeof value === 'string' ? value : JSON.stringify(value) };
  });
}

/**
 * An email's HTML shown in a sandboxed frame that may load nothing: the console makes no external request, even
 * for an image the message links.
 */
export function isolatedHtml(html: string): string {
  return `<!doctype html><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">${html}`;
}
