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

/** The order of things at one instant: the node is entered, then it sends, then the exit. */
const rank: Record<TimelineKind, number> = { event: 0, node: 1, message: 2, enrolment: 3, error: 4, exit: 5 };

/** The dry run's path, sends, events, errors and exit merged into one timeline, ordered by simulated time. */
export function timelineOf(result: DryRunResponse): TimelineRow[] {
  const rows: TimelineRow[] = [
    ...result.path.map((step, index) => ({
      key: `node:${index}`,
      at: step.enteredAt,
      offset: step.offset,
      kind: 'node' as const,
      nodeId: step.nodeId,
      text: `entered ${step.nodeId}`,
    })),
    ...result.messages.map((message, index) => ({
      key: `message:${index}`,
      at: message.at,
      offset: message.offset,
      kind: 'message' as const,
      nodeId: message.nodeId,
      text: `${message.channel} ${message.outcome}${message.reason ? ` (${message.reason})` : ''}`,
      message: index,
    })),
    ...result.events.map((event, index) => ({
      key: `event:${index}`,
      at: event.at,
      offset: event.offset,
      kind: 'event' as const,
      text: `event ${event.name}${event.delivered ? '' : ' (not delivered: the instance had ended)'}`,
    })),
    ...result.errors.map((error, index) => ({
      key: `error:${index}`,
      at: error.at,
      offset: error.offset,
      kind: 'error' as const,
      nodeId: error.nodeId,
      text: error.message,
    })),
    ...result.enrolments.map((enrolment, index) => ({
      key: `enrolment:${index}`,
      at: enrolment.at,
      offset: enrolment.offset,
      kind: 'enrolment' as const,
      nodeId: enrolment.nodeId,
      text: `${enrolment.journeyId}: ${enrolment.status.replace('_', ' ')}`,
    })),
    ...(result.exit
      ? [
          {
            key: 'exit',
            at: result.exit.at,
            offset: result.exit.offset,
            kind: 'exit' as const,
            ...(result.exit.nodeId ? { nodeId: result.exit.nodeId } : {}),
            text: `exit: ${result.exit.reason}${result.exit.goalId ? ` (goal ${result.exit.goalId})` : ''}`,
          },
        ]
      : []),
  ];
  return rows
    .map((row, index) => ({ row, index }))
    .sort((a, b) => Date.parse(a.row.at) - Date.parse(b.row.at) || rank[a.row.kind] - rank[b.row.kind] || a.index - b.index)
    .map(({ row }) => row);
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
