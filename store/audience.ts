import { evaluateCondition } from '../domain/conditions/evaluate';
import type { BehaviourRule, JourneyEntry } from '../domain/definition/schema';
import type { Models } from './mongo/models';
import { profileView, toProfile, type ProfileStore } from './profiles';
import { durationToMs } from '../domain/time/duration';

type SegmentEntry = Extract<JourneyEntry, { type: 'segment' }>;

/** How many matching events each user has, for one behaviour rule. */
async function eventCounts(events: Models['events'], rule: BehaviourRule, now: Date): Promise<Map<string, number>> {
  const match: Record<string, unknown> = { name: rule.event };
  if (rule.within) match.timestamp = { $gte: new Date(now.getTime() - durationToMs(rule.within)), $lte: now };
  // One accumulator per $group: FerretDB v1 computes only the first.
  const rows = await events.aggregate<{ _id: string; n: number }>([{ $match: match }, { $group: { _id: '$userId', n: { $sum: 1 } } }]);
  return new Map(rows.map((row) => [row._id, row.n]));
}

function holds(rule: BehaviourRule, count: number): boolean {
  if (!rule.did) return count === 0;
  return count >= (rule.count?.gte ?? 1) && (rule.count?.lte === undefined || count <= rule.count.lte);
}

/**
 * The users a segment entry selects now: every profile whose view passes the audience condition (over
 * `profile.*`) and whose stored events pass every behaviour rule (did / did not, counts, time ranges).
 * Profiles are streamed; events are counted with one aggregation per rule.
 */
export async function evaluateAudience(
  deps: { profiles: Pick<ProfileStore, 'model'>; events: Models['events'] },
  entry: SegmentEntry,
  now: Date,
): Promise<string[]> {
  const rules = entry.behaviour ?? [];
  const counts = await Promise.all(rules.map((rule) => eventCounts(deps.events, rule, now)));
  const selected: string[] = [];
  for await (const doc of deps.profiles.model.find({}).lean().cursor()) {
    const userId = doc._id;
    if (!rules.every((rule, index) => holds(rule, counts[index]!.get(userId) ?? 0))) continue;
    const view = profileView(toProfile(doc));
    if (evaluateCondition(entry.audience, { profile: view })) selected.push(userId);
  }
  return selected;
}
