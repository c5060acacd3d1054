import { appMessageId } from '../../store/app-messages';
import { call, type TestStack } from './stack';

/** A POST as the app sends it: a 503 (the store or Temporal busy under load) is sent again after a while. */
export async function postAsApp(stack: TestStack, path: string): ReturnType<typeof call> {
  for (let attempt = 1; ; attempt++) {
    const answer = await call(stack, 'POST', path);
    if (answer.status !== 503 || attempt === 10) return answer;
    await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
  }
}

/** One report of the app about one of its messages, and the engagement kind it records. */
export interface AppReport {
  userId: string;
  messageId: string;
  /** The route's path, e.g. `/v1/users/ada/inbox/{messageId}/read`. */
  path: string;
  kind: 'viewed' | 'clicked' | 'dismissed';
}

/**
 * Sends every report three times, all at once (apps retrying), and checks that each is answered 200 with
 * exactly one copy `recorded` and two `duplicate`, and that the users then have exactly one engagement record
 * and one `message_event` fact per report, none else.
 */
export async function reportThriceAtOnce(stack: TestStack, users: string[], reports: AppReport[]): Promise<void> {
  const requests = reports.flatMap((report) => [report, report, report]);
  const answers = await Promise.all(requests.map((report) => postAsApp(stack, report.path)));
  expect(answers.map((answer) => answer.status)).toEqual(requests.map(() => 200));
  const outcomes = new Map<string, string[]>();
  requests.forEach(({ path }, i) => outcomes.set(path, [...(outcomes.get(path) ?? []), answers[i]!.body.engagement]));
  for (const [path, seen] of outcomes) expect({ path, seen: seen.sort() }).toEqual({ path, seen: ['duplicate', 'duplicate', 'recorded'] });

  const expected = reports.map(({ messageId, kind }) => `${messageId} ${kind}`).sort();
  const engagements = await stack.db.models.engagements.find({ userId: { $in: users } }).lean();
  expect(engagements.map((doc) => `${appMessageId(doc.deliveryKey)} ${doc.kind}`).sort()).toEqual(expected);
  const facts = (await stack.db.models.facts.find({ userId: { $in: users } }).lean())
    .flatMap((batch) => batch.facts as { kind: string; outcome?: string }[])
    .filter((fact) => fact.kind === 'message_event');
  expect(facts.map((fact) => fact.outcome).sort()).toEqual(reports.map((report) => report.kind).sort());
}
