/** What the user page reads of the API (GET /v1/users/{id}, /v1/users/{id}/instances, /v1/instances/{workflowId}). */

export interface Profile {
  userId: string;
  email?: string;
  phone?: string;
  timezone?: string;
  attributes?: Record<string, unknown>;
  consent?: Record<string, unknown>;
  pushTokens?: string[];
  updatedAt?: string;
}

export interface ListedInstance {
  workflowId: string;
  runId: string;
  journeyId: string;
  userId: string;
  version: number;
  status: 'running' | 'completed' | 'failed' | 'cancelled' | 'terminated' | 'timed_out' | 'unknown';
  currentNode?: string;
  exitReason?: string;
  entry?: number;
  startedAt: string;
  closedAt?: string;
  source: 'temporal' | 'entries';
  temporalUiUrl?: string;
}

export interface InstancePage {
  items: ListedInstance[];
  nextPageToken?: string;
}

/** GET /v1/instances/{workflowId}: a running instance's state, a completed one's result. */
export interface InstanceDetail {
  status: ListedInstance['status'];
  state?: {
    currentNode?: string;
    waitingFor?: string;
    until?: string;
    path: string[];
    control: boolean;
    globalControl?: true;
    goalsMet: string[];
    experiments: Record<string, string>;
  };
  result?: { reason: string; nodeId?: string; path: string[]; goalId?: string; control?: true };
}
