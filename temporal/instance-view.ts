import type { WorkflowExecutionInfo } from '@temporalio/client';
import { parseInstanceWorkflowId } from '../domain/ids';
import { journeyNodeKey, journeyStatusKey, journeyVersionKey } from '../domain/search-attributes';
import type { EntryRecord } from '../store/entries';

export const instanceStatuses = ['running', 'completed', 'failed', 'cancelled', 'terminated', 'timed_out'] as const;
export type InstanceStatus = (typeof instanceStatuses)[number];

/** A journey instance as the API lists it: from a Temporal run, or from the enrolment record of one. */
export interface Instance {
  workflowId: string;
  runId: string;
  journeyId: string;
  userId: string;
  version: number;
  status: InstanceStatus | 'unknown';
  currentNode?: string;
  exitReason?: string;
  entry?: number;
  startedAt: Date;
  closedAt?: Date;
  source: 'temporal' | 'entries';
}

export function statusOf(temporalName: string): InstanceStatus | 'unknown' {
  const status = temporalName.toLowerCase();
  return (instanceStatuses as readonly string[]).includes(status) ? (status as InstanceStatus) : 'unknown';
}

export type RunInfo = Pick<WorkflowExecutionInfo, 'workflowId' | 'runId' | 'status' | 'startTime' | 'closeTime' | 'typedSearchAttributes'>;

/** A run as the API shows it, from its search attributes; undefined for a run that is no journey instance. */
export function instanceOfRun(info: RunInfo): Instance | undefined {
  const ids = parseInstanceWorkflowId(info.workflowId);
  const version = info.typedSearchAttributes.get(journeyVersionKey);
  if (!ids || version === undefined) return undefined;
  const node = info.typedSearchAttributes.get(journeyNodeKey);
  const journeyStatus = info.typedSearchAttributes.get(journeyStatusKey);
  return {
    workflowId: info.workflowId,
    runId: info.runId,
    ...ids,
    version,
    status: statusOf(info.status.name),
    ...(node !== undefined ? { currentNode: node } : {}),
    ...(journeyStatus?.startsWith('exited:') ? { exitReason: journeyStatus.slice('exited:'.length) } : {}),
    startedAt: info.startTime,
    ...(info.closeTime ? { closedAt: info.closeTime } : {}),
    source: 'temporal',
  };
}

/**
 * What an enrolment record tells of its run: exits the workflow recorded itself are `completed`; runs that
 * ended without one were recorded later as `instance_<status>` by the enrolment check.
 */
function entryStatus(entry: EntryRecord): InstanceStatus | 'unknown' {
  if (!entry.exitedAt || entry.exitReason === undefined) return 'unknown';
  return entry.exitReason.startsWith('instance_') ? statusOf(entry.exitReason.slice('instance_'.length)) : 'completed';
}

/** An entry Temporal has forgotten (older than its retention), from its enrolment record. */
export function instanceOfEntry(entry: EntryRecord): Instance {
  return {
    workflowId: entry.instanceId,
    runId: entry.runId,
    journeyId: entry.journeyId,
    userId: entry.userId,
    version: entry.version,
    status: entryStatus(entry),
    ...(entry.exitNodeId !== undefined ? { currentNode: entry.exitNodeId } : {}),
    ...(entry.exitReason !== undefined ? { exitReason: entry.exitReason } : {}),
    entry: entry.entry,
    startedAt: entry.enteredAt,
    ...(entry.exitedAt ? { closedAt: entry.exitedAt } : {}),
    source: 'entries',
  };
}
