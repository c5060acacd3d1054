import { createEngagementStore } from '../store/engagement';
import { createEngagementRecorder, type EngagementRecorder } from '../temporal/engagement';
import type { ApiDeps } from './deps';

const recorders = new WeakMap<ApiDeps, EngagementRecorder>();

/**
 * The engagement recorder of an app (temporal/engagement.ts), shared by the routes that report engagement:
 * SendGrid's webhook, the events API (push `opened`), the inbox and in-app routes. One per app, since it
 * writes through the app's fact store (its append lanes are per process).
 */
export function engagementRecorderFor(deps: ApiDeps): EngagementRecorder {
  let recorder = recorders.get(deps);
  if (!recorder) {
    recorder = createEngagementRecorder({
      engagements: createEngagementStore(deps.models),
      facts: deps.stores.facts,
      temporal: deps.temporal,
    });
    recorders.set(deps, recorder);
  }
  return recorder;
}
