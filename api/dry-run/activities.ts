import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import {
  createJourneyActivities,
  type ChannelActivities,
  type Fact,
  type JourneyActivities,
  type LifecycleActivities,
  type SendRequest,
  type SendResult,
} from '../../activities';
import type { EnrolmentStatus } from '../../activities/enrol';
import { addressOf } from '../../activities/delivery/dispatch';
import { cappedOutcome, planDelivery, type Deferred } from '../../activities/delivery/plan';
import { capRules } from '../../activities/delivery/policy';
import type { CapRule } from '../../activities/delivery/caps';
import type { DeliverySettings } from '../../domain/delivery/settings';
import { NotFoundError } from '../../domain/errors';
import type { Channel, JourneyGraph } from '../../domain/definition/schema';
import type { ExperimentStore } from '../../store/experiments';
import type { JourneyStore } from '../../store/journeys';
import type { MemoryProfile } from './profile';

/** A message node's send as the dry run decided it; `message` is what would have been sent. */
export interface DryRunSend {
  nodeId: string;
  channel: Channel;
  outcome: 'sent' | 'failed' | 'unreachable';
  reason?: string;
  /** Simulated time of the send (ms). */
  at: number;
  to?: unknown;
  message?: Record<string, unknown>;
}

export interface DryRunEnrolment {
  nodeId: string;
  journeyId: string;
  /** `would_enter`: the target has a running version; nothing is started in a dry run. */
  status: 'would_enter' | 'not_running';
  at: number;
}

export interface DryRunWorldOptions {
  journeys: Pick<JourneyStore, 'loadGraph' | 'contentFor' | 'journeyForEntry'>;
  experiments?: Pick<ExperimentStore, 'current'>;
  graph: JourneyGraph;
  profile: MemoryProfile;
  account: DeliverySettings;
  /** Only for the type of the real journey activities: its enterJourney is replaced here. */
  temporal: Client;
}

/**
 * The activities of one dry run: the real ones where they only read (graph, experiment weights, content)
 * or can work on the in-memory profile (loadProfile, updateProfile), fakes where they would write or send.
 * Nothing is written anywhere: entries are admitted, facts, sends and enrolments are kept here.
 */
export function createDryRunWorld({ journeys, experiments, graph, profile, account, temporal }: DryRunWorldOptions) {
  const facts = new Map<string, Fact>();
  const sends: DryRunSend[] = [];
  const enrolments: DryRunEnrolment[] = [];

  const journey: JourneyActivities = {
    ...createJourneyActivities({ journeys, profiles: profile, temporal, ...(experiments ? { experiments } : {}) }),
    async enterJourney(targetJourneyId, _userId, _context, source): Promise<EnrolmentStatus> {
      // As enrolUser decides it: the target has a running version (an unknown journey has none).
      const running = await journeys.journeyForEntry(targetJourneyId).then(
        (target) => target.versions.some((version) => version.state === 'running'),
        (error: unknown) => {
          if (error instanceof NotFoundError) return false;
          throw error;
        },
      );
      enrolments.push({
        nodeId: source?.nodeId ?? '',
        journeyId: targetJourneyId,
        status: running ? 'would_enter' : 'not_running',
        at: now(),
      });
      return running ? 'started' : 'not_running';
    },
  };

  const lifecycle: LifecycleActivities = {
    // Delays fall back to the account time zone as in a real instance (the global control group is not drawn).
    claimEntry: async () => ({ eligible: true, entry: 1, account: { timezone: account.timezone } }),
    closeEntry: async () => undefined,
    async recordFacts(batch) {
      // A retried local activity sends the same ids again.
      for (const fact of batch) facts.set(fact.id, fact);
    },
  };

  /** The send pipeline's plan (see activities/delivery/plan.ts) on the dry run's profile, with caps over its own sends. */
  async function decide(request: SendRequest, at: number): Promise<Omit<DryRunSend, 'nodeId' | 'channel' | 'at'> | Deferred> {
    const content = await journeys.contentFor(request.journeyId, request.version, request.nodeId);
    const user = profile.current();
    const plan = await planDelivery({ request, graph, content, profile: user, account, now: at });
    if (plan.action !== 'send') return plan.result;
    if (plan.capRules.some((rule) => capped(rule, request, at))) return cappedOutcome();
    const { channel: _channel, ...message } = plan.rendered;
    const to = addressOf(request.channel, user);
    return { outcome: 'sent', message, ...(to !== undefined ? { to } : {}) };
  }

  /**
   * A frequency cap over this dry run's own sends (the user's real history is not read). A send counts in
   * the scopes the policy gave its own node, as its slots would in the store.
   */
  function capped(rule: CapRule, request: SendRequest, at: number): boolean {
    const previous = sends.filter((send) => send.outcome === 'sent' && scopesOf(send, request).includes(rule.scope)).map((send) => send.at);
    if (rule.max !== undefined && previous.filter((time) => at - time < (rule.perMs ?? Number.POSITIVE_INFINITY)).length >= rule.max)
      return true;
    return rule.minGapMs !== undefined && previous.some((time) => at - time < rule.minGapMs!);
  }

  function scopesOf(send: DryRunSend, request: SendRequest): string[] {
    const node = graph.nodes[send.nodeId];
    if (node?.type !== 'message') return [];
    return capRules(node, { journeyId: request.journeyId, nodeId: send.nodeId, userId: request.userId }, account).map((rule) => rule.scope);
  }

  const channel: ChannelActivities = {
    async sendMessage(request): Promise<SendResult> {
      const at = now();
      const decision = await decide(request, at);
      if (decision.outcome === 'deferred') return decision;
      sends.push({ nodeId: request.nodeId, channel: request.channel, at, ...decision });
      return decision.outcome === 'sent'
        ? { outcome: 'sent', messageId: `dry-run-${sends.length}` }
        : { outcome: decision.outcome, reason: decision.reason ?? '' };
    },
  };

  return { journey, lifecycle, channel, facts, sends, enrolments };
}

export type DryRunWorld = ReturnType<typeof createDryRunWorld>;

/** Simulated time: the server's clock when it scheduled this attempt. */
function now(): number {
  return Context.current().info.currentAttemptScheduledTimestampMs;
}
