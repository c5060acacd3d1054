import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import type { Logger } from 'pino';
import { DEFAULT_IN_DOUBT_POLICY, type DeliverySettings, type InDoubtPolicy } from '../domain/delivery/settings';
import type { Channel } from '../domain/definition/schema';
import type { Models } from '../store/mongo/models';
import type { ProfileStore } from '../store/profiles';
import type { JourneyStore } from '../store/journeys';
import type { SettingsStore } from '../store/settings';
import { type DeliveryMeta, TransientSendError } from './channels/contract';
import { createAppMessageStore } from '../store/app-messages';
import { createInAppAdapter } from './channels/in-app';
import { createInboxAdapter } from './channels/inbox';
import { createSinkAdapter } from './channels/sink';
import { createFrequencyCaps, type SlotRef } from './delivery/caps';
import { prepareDispatch, type Dispatch, type ProviderAdapters } from './delivery/dispatch';
import { withHeartbeats } from './delivery/heartbeat';
import { createDeliveryLedger, DeliveryChangedError, type Attempt, type DeliveryRecord, type LedgerOutcome } from './delivery/ledger';
import { cappedOutcome, planDelivery, versionStopped } from './delivery/plan';
import type { SendRequest, SendResult } from './types';

export type { ProviderAdapters } from './delivery/dispatch';

/** The shortest provider retry-after we honour (the retry policy's first interval). */
const MIN_RETRY_DELAY_MS = 1_000;

export interface SendDependencies {
  models: Pick<Models, 'sinkMessages' | 'deliveries' | 'sendSlots' | 'appMessages' | 'appMessageShows'>;
  journeys: Pick<JourneyStore, 'loadGraph' | 'sendView'>;
  profiles: Pick<ProfileStore, 'get' | 'removePushTokens'>;
  settings: Pick<SettingsStore, 'cachedDeliverySettings'>;
  adapters?: ProviderAdapters;
  /** The sender of emails whose content names none. */
  emailFrom?: string;
  log?: Pick<Logger, 'warn' | 'error'>;
  clock?: () => Date;
}

type Meta = DeliveryMeta & { channel: Channel };

/** The in-doubt policy of a channel: providers without an idempotency key follow the account's setting. */
function inDoubtPolicy(account: Pick<DeliverySettings, 'inDoubt'>, channel: Channel): InDoubtPolicy {
  return (channel === 'email' || channel === 'push' || channel === 'sms' ? account.inDoubt[channel] : undefined) ?? DEFAULT_IN_DOUBT_POLICY;
}

/**
 * The send activity of the per-channel task queues, in this order: version state (nothing goes out once the
 * version is stopped), the delivery ledger (a delivery with an outcome is never sent again; a call left in
 * doubt is sent again or counted as sent, see below), reachability and consent, quiet hours, rendering,
 * frequency caps, then one provider call. Every decision before the call is taken from `delivery/plan.ts`,
 * which the dry run shares; this module adds the I/O (ledger, profile, caps in Mongo, the provider).
 *
 * Store reads per send: the profile (by `_id`), and the delivery (by `_id`) from the second attempt on (see
 * `sendMessage`); version state, content and settings come from in-process caches at most
 * SEND_PATH_STALENESS_MS old, the graph from a cache kept for good. Writes: the outcome, plus a claim before
 * the call when a repeat of the call could double the message.
 *
 * A call that may have reached the provider without its answer being recorded (a timeout after the request
 * was written, a worker killed mid-call) is in doubt. An idempotent provider (the sink, webhooks) needs no
 * claim and is simply called again by the retry. For the others the claim stays `calling`, and the channel's
 * in-doubt policy decides: `skip` records `sent` with `inDoubt: true` and never calls again; `resend` calls again.
 */
export function createChannelActivities(deps: SendDependencies) {
  const clock = deps.clock ?? (() => new Date());
  const ledger = createDeliveryLedger(deps.models, clock);
  const caps = createFrequencyCaps(deps.models, clock);
  const adapters = deps.adapters ?? {};
  const appMessages = createAppMessageStore(deps.models);
  const providers = {
    adapters,
    sink: adapters.sink ?? createSinkAdapter(deps.models),
    inbox: adapters.inbox ?? createInboxAdapter(appMessages, clock),
    inApp: adapters.inApp ?? createInAppAdapter(appMessages, clock),
    emailFrom: deps.emailFrom,
  };

  /** Counts a call left in doubt as sent: it may have delivered the message, and a repeat could double it. */
  function settleInDoubt(meta: Meta, record: DeliveryRecord, attempt: Attempt): Promise<LedgerOutcome> {
    return ledger.finish(meta, record, attempt.provider, { outcome: 'sent', messageId: `unconfirmed:${attempt.id}`, inDoubt: true });
  }

  /** What the delivery as read calls for: its recorded outcome, an in-doubt settlement, or a delivery. */
  function proceed(
    request: SendRequest,
    meta: Meta,
    content: Record<string, unknown> | undefined,
    account: DeliverySettings,
    record: DeliveryRecord | undefined,
  ): Promise<SendResult> {
    if (record?.outcome) return Promise.resolve(record.outcome);
    // A call of an earlier attempt may have delivered the message (only non-idempotent calls are claimed).
    if (record?.inDoubt && inDoubtPolicy(account, request.channel) === 'skip') return settleInDoubt(meta, record, record.inDoubt);
    Context.current().heartbeat();
    // Another attempt claimed the delivery after we read it (or before, when we did not read): decide again on it.
    const again = async () => proceed(request, meta, content, account, await ledger.read(meta.deliveryKey));
    return deliver(request, meta, content, record, account, again);
  }

  /** The outcome of a delivery not recorded yet: policy, rendering, caps and the provider call. */
  async function deliver(
    request: SendRequest,
    meta: Meta,
    content: Record<string, unknown> | undefined,
    prior: DeliveryRecord | undefined,
    account: DeliverySettings,
    again: () => Promise<SendResult>,
  ): Promise<SendResult> {
    // Decided without a call; after a call left in doubt (a resend) the message may have gone out all the same.
    // A delivery claimed meanwhile by another attempt (found by the insert) is decided again on what it holds.
    const finish = (outcome: LedgerOutcome): Promise<SendResult> =>
      prior?.inDoubt
        ? settleInDoubt(meta, prior, prior.inDoubt)
        : ledger
            .finish(meta, prior, undefined, outcome)
            .catch((error: unknown) => (error instanceof DeliveryChangedError ? again() : Promise.reject(error)));
    const [graph, profile] = await Promise.all([
      deps.journeys.loadGraph(request.journeyId, request.version),
      deps.profiles.get(request.userId),
    ]);
    const plan = await planDelivery({ request, graph, content, profile, account, now: clock().getTime() });
    if (plan.action === 'skip') return finish(plan.result);
    if (plan.action === 'defer') return plan.result;

    const prepared = prepareDispatch(
      plan.rendered,
      typeof content?.provider === 'string' ? content.provider : undefined,
      profile,
      meta,
      providers,
    );
    if (typeof prepared === 'string') return finish({ outcome: 'failed', reason: prepared });
    // Without caps for the node and channel this costs nothing.
    const capped = await caps.check(meta.deliveryKey, plan.capRules);
    if (!capped.allowed) return finish(cappedOutcome());
    return callProvider(meta, prepared, capped.slots, prior, inDoubtPolicy(account, meta.channel), again);
  }

  async function callProvider(
    meta: Meta,
    prepared: Dispatch,
    slots: SlotRef[],
    prior: DeliveryRecord | undefined,
    policy: InDoubtPolicy,
    again: () => Promise<SendResult>,
  ): Promise<SendResult> {
    const context = Context.current();
    if (context.cancellationSignal.aborted) {
      await caps.release(meta.deliveryKey, slots);
      throw new CancelledFailure('the send was cancelled before the provider call');
    }
    const { workflowExecution, activityId, attempt } = context.info;
    const attemptId = `${workflowExecution?.runId ?? 'standalone'}/${activityId}/${attempt}`;
    // The claim: a record that this call may reach the provider, so that a retry after a crash knows it.
    let claimed = prior;
    if (!prepared.idempotent) {
      try {
        claimed = await ledger.claim(meta, prior, attemptId, prepared.provider);
      } catch (error) {
        // The cap slot stays: it is this delivery's, and `again` finds it.
        if (error instanceof DeliveryChangedError) return again();
        throw error;
      }
    }
    let result: Awaited<ReturnType<Dispatch['call']>>;
    try {
      result = await withHeartbeats(() => prepared.call());
    } catch (error) {
      if (!(error instanceof TransientSendError)) {
        // Unclassified: the call may have reached the provider. The claim stays `calling`, so the retry resends
        // (idempotent providers) or applies the in-doubt policy.
        deps.log?.error({ err: error, deliveryKey: meta.deliveryKey, provider: prepared.provider }, 'send failed unexpectedly');
        throw error;
      }
      if (error.accepted === 'unknown' && !prepared.idempotent && policy === 'skip') {
        deps.log?.warn(
          { deliveryKey: meta.deliveryKey, provider: prepared.provider, error: error.message },
          'provider answer lost: counted as sent, in doubt',
        );
        return settleInDoubt(meta, claimed!, claimed!.inDoubt!);
      }
      // `no`: the provider did not take it, the delivery is open again. `unknown` (idempotent, or `resend`):
      // the claim stays `calling` and the retry calls again.
      if (error.accepted === 'no' && !prepared.idempotent) await ledger.reject(meta.deliveryKey, claimed!, attemptId, error.message);
      throw ApplicationFailure.create({
        message: `${prepared.provider}: ${error.message}`,
        type: 'TransientSendError',
        // A zero delay would end the retries on the server; wait at least the policy's first interval.
        ...(error.retryAfterMs !== undefined ? { nextRetryDelay: Math.max(error.retryAfterMs, MIN_RETRY_DELAY_MS) } : {}),
      });
    }
    const { invalidTokens, ...outcome } = result;
    if (invalidTokens && invalidTokens.length > 0) await deps.profiles.removePushTokens(meta.userId, invalidTokens);
    if (outcome.outcome !== 'sent') await caps.release(meta.deliveryKey, slots);
    return ledger.finish(meta, claimed, prepared.provider, outcome, attemptId);
  }

  return {
    async sendMessage(request: SendRequest): Promise<SendResult> {
      const meta: Meta = {
        deliveryKey: request.deliveryKey,
        userId: request.userId,
        journeyId: request.journeyId,
        version: request.version,
        nodeId: request.nodeId,
        instanceId: request.instanceId,
        channel: request.channel,
      };
      // The first attempt of a send activity skips the read: a delivery is scheduled once per (instance, entry,
      // node), so nothing was recorded for it before, except after a quiet-hours deferral (which records
      // nothing) or a workflow reset. Its first write is an insert that doubles as the read: a delivery found
      // there (duplicate key) is read then and its recorded outcome wins. Later attempts read it first.
      const firstAttempt = Context.current().info.attempt <= 1;
      const [{ version, content }, record, account] = await Promise.all([
        deps.journeys.sendView(request.journeyId, request.version, request.nodeId),
        firstAttempt ? undefined : ledger.read(request.deliveryKey),
        deps.settings.cachedDeliverySettings(),
      ]);
      return versionStopped(version) ?? proceed(request, meta, content, account, record);
    },
  };
}

export type ChannelActivities = ReturnType<typeof createChannelActivities>;
