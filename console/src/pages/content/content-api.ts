import type { ApiClient } from '../../api/client';
import type { Channel } from './channel-fields';

/** The content routes of the API (api/routes/journey-content.ts), the version they edit, and the dry run's preview. */

export interface VersionDetail {
  journeyId: string;
  version: number;
  state: string;
  allowedActions: string[];
  definition: {
    name: string;
    entry: { type: string; event?: string };
    nodes: Record<string, { type: string; channel?: Channel; mode?: 'manual' | 'auto'; paths?: Record<string, string | null> }>;
    content: Record<string, Record<string, unknown>>;
  };
  /** Node id -> its current content revision (0 or absent: as published). */
  contentRevisions: Record<string, number>;
}

export interface Revision {
  revision: number;
  content: Record<string, unknown>;
  actor: string;
  at: string;
}

export interface DryRunMessage {
  nodeId: string;
  channel: Channel;
  outcome: 'sent' | 'failed' | 'unreachable';
  reason?: string;
  to?: unknown;
  message?: Record<string, unknown>;
  at: string;
  offset: string;
}

export interface DryRunResult {
  path: { nodeId: string; enteredAt: string; offset: string }[];
  messages: DryRunMessage[];
  exit: { reason: string; nodeId?: string } | null;
}

export interface DryRunRequest {
  userId?: string;
  profile: Record<string, unknown>;
  trigger?: { name: string; properties?: Record<string, unknown> };
  events: { at: string; name: string; properties?: Record<string, unknown> }[];
}

function versionPath(journeyId: string, version: number): string {
  return `/v1/journeys/${encodeURIComponent(journeyId)}/versions/${version}`;
}

export function getVersion(api: ApiClient, journeyId: string, version: number, signal?: AbortSignal) {
  return api.request<VersionDetail>(versionPath(journeyId, version), { signal });
}

/** Replaces the node's content (the API keeps every earlier revision); answers the new revision number. */
export async function editContent(api: ApiClient, journeyId: string, version: number, nodeId: string, content: Record<string, unknown>) {
  const answer = await api.request<{ revisions: Record<string, number> }>(`${versionPath(journeyId, version)}/content`, {
    method: 'PATCH',
    body: { [nodeId]: content },
  });
  return answer.revisions[nodeId];
}

export async function contentRevisions(api: ApiClient, journeyId: string, version: number, nodeId: string, signal?: AbortSignal) {
  const answer = await api.request<{ items: Revision[] }>(
    `${versionPath(journeyId, version)}/content/${encodeURIComponent(nodeId)}/revisions`,
    { signal },
  );
  return answer.items;
}

export function dryRun(api: ApiClient, journeyId: string, version: number, request: DryRunRequest) {
  return api.request<DryRunResult>(`${versionPath(journeyId, version)}/dry-run`, { method: 'POST', body: request });
}
