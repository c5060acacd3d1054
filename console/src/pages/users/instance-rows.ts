import type { InstanceDetail, ListedInstance } from './user-types';

/** One row of the user's instances: the listing, completed by the instance's detail when it has arrived. */
export interface InstanceRow {
  key: string;
  workflowId: string;
  journeyId: string;
  version: number;
  entry?: number;
  status: string;
  running: boolean;
  node: string;
  /** What a running instance waits for and until when; how a closed one ended. */
  waiting: string;
  path: string[];
  startedAt: string;
  closedAt?: string;
  temporalUiUrl?: string;
  /** Forgotten by Temporal: only the enrolment record is left. */
  fromRecords: boolean;
  /** Held out by a control group: it never gets messages. */
  control: boolean;
}

/** `event order_completed` until a date; `time` until a date; `goal`... as the state query words it. */
export function waitingText(waitingFor: string | undefined, until: string | undefined, format: (iso: string) => string): string {
  if (!waitingFor) return '';
  return until ? `${waitingFor} until ${format(until)}` : waitingFor;
}

const statusLabels: Record<ListedInstance['status'], string> = {
  running: 'running',
  completed: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
  terminated: 'terminated',
  timed_out: 'timed out',
  unknown: 'unknown',
};

export function instanceRow(item: ListedInstance, detail: InstanceDetail | undefined, format: (iso: string) => string): InstanceRow {
  const running = item.status === 'running';
  const state = detail?.state;
  const result = detail?.result;
  const ended = item.exitReason ?? result?.reason;
  return {
    key: `${item.workflowId}:${item.runId}`,
    workflowId: item.workflowId,
    journeyId: item.journeyId,
    version: item.version,
    ...(item.entry !== undefined ? { entry: item.entry } : {}),
    status: statusLabels[item.status],
    running,
    node: state?.currentNode ?? item.currentNode ?? result?.nodeId ?? '',
    waiting: running ? waitingText(state?.waitingFor, state?.until, format) : (ended ?? ''),
    path: state?.path ?? result?.path ?? [],
    startedAt: format(item.startedAt),
    ...(item.closedAt ? { closedAt: format(item.closedAt) } : {}),
    ...(item.temporalUiUrl ? { temporalUiUrl: item.temporalUiUrl } : {}),
    fromRecords: item.source === 'entries',
    control: Boolean(state?.control ?? result?.control),
  };
}

/** Dates as the operator reads them: local time to the minute, with the zone. */
export function formatInstant(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
