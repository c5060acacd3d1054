import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import type { Channel, JourneyGraph } from '../shared/definition/schema';
import type { Logger } from 'pino';
import type { Models } from '../shared/mongo/models';
import { profileView, type Profile, type ProfileStore } from '../shared/profiles/store';
import type { JourneyStore } from '../shared/store/journeys';
import type { SettingsStore } from '../shared/store/settings';
import type { DeliveryMeta, EmailAdapter, PushAdapter, SmsAdapter, WebhookAdapter } from './channels/contract';
import { TransientSendError } from './channels/contract';
import { createSinkAdapter } from './channels/sink';
import { createFrequencyCaps } from './delivery/caps';
import { createDeliveryLedger, type LedgerOutcome } from './delivery/ledger';
import { capRules, quietHoursDecision, unreachableReason } from './delivery/policy';
import { RenderError, renderMessage, type RenderedMessage } from './delivery/render';
import type { SendRequest, SendResult } from './types';

/** The shortest provider retry-after we honour (the retry policy's first interval). */
const MIN_RETRY_DELAY_MS = 1_000;

/** The provider adapters that are configured; a channel without one delivers to the dev sink. */
export interface ProviderAdapters {
  email?: EmailAdapter;
  push?: PushAdapter;
  sms?: SmsAdapter;
  webhook?: WebhookAdapter;
}

export interface SendDependencies {
  models: Pick<Models, 'sinkMessages' | 'deliveries' | 'deliveryAttempts' | 'sendSlots'>;
  journeys: Pick<JourneyStore, 'loadGraph' | 'sendView'>;
  profiles: Pick<ProfileStore, 'get' | 'removePushTokens'>;
  settings: Pick<SettingsStore, 'deliverySettings'>;
  adapters?: ProviderAdapters;
  /** The sender of emails whose content names none. */
  emailFrom?: string;
  log?: Pick<Logger, 'warn' | 'error'>;
  clock?: () => Date;
}

/** A provider call prepared for one recipient. */
interface Dispatch {
  provider: string;
  call(): Promise<LedgerOutcome & { invalidTokens?: string[] }>;
}

/**
 * The send activity of the per-channel task queues, in this order: version state (nothing goes out once the
 * version is stopped), the delivery ledger (a delivery with an outcome is never sent again), reachability and
 * consent, quiet hours, rendering, frequency caps, then one provider call under a claimed attempt.
 * Content and profile are read here, at send time, so in-place What edits reach running instances.
 */
export function createChannelActivities(deps: SendDependencies) {
  const clock = deps.clock ?? (() => new Date());
  const ledger = createDeliveryLedger(deps.models, clock);
  const caps = createFrequencyCaps(deps.models, clock);
  const sink = createSinkAdapter(deps.models);
  const adapters = deps.adapters ?? {};
  // A published version's graph never changes: read it once per worker.
  const graphs = new Map<string, Promise<JourneyGraph>>();

  function graphOf(journeyId: string, version: number): Promise<JourneyGraph> {
    const key = `${journeyId}@${version}`;
    let graph = graphs.get(key);
    if (!graph) {
      graph = deps.journeys.loadGraph(journeyId, version);
      graph.catch(() => graphs.delete(key));
      graphs.set(key, graph);
    }
    return graph;
  }

  function dispatch(
    rendered: RenderedMessage,
    requested: string | undefined,
    profile: Profile | undefined,
    meta: DeliveryMeta & { channel: Channel },
  ): Dispatch | string {
    const toSink = (to?: unknown): Dispatch => ({
      provider: sink.provider,
      call: () => sink.send({ channel: meta.channel, ...(to !== undefined ? { to } : {}), message: withoutChannel(rendered) }, meta),
    });
    if (requested === 'sink') return toSink(addressOf(rendered.channel, profile));
    switch (rendered.channel) {
      case 'email': {
        if (!adapters.email) return toSink(profile?.email);
        const from = rendered.from ?? deps.emailFrom;
        if (!from) return 'no_sender';
        const { channel: _channel, from: _from, ...email } = rendered;
        return { provider: adapters.email.provider, call: () => adapters.email!.send({ ...email, to: profile?.email ?? '', from }, meta) };
      }
      case 'push':
        if (!adapters.push) return toSink(profile?.pushTokens);
        return { provider: adapters.push.provider, call: () => adapters.push!.send({ ...withoutChannel(rendered), tokens: profile?.pushTokens ?? [] }, meta) };
      case 'sms':
        if (!adapters.sms) return toSink(profile?.phone);
        return { provider: adapters.sms.provider, call: () => adapters.sms!.send({ to: profile?.phone ?? '', body: rendered.body }, meta) };
      case 'webhook':
        if (!adapters.webhook) return toSink();
        return { provider: adapters.webhook.provider, call: () => adapters.webhook!.send(withoutChannel(rendered), meta) };
      case 'sink':
        return { provider: sink.provider, call: () => sink.send({ channel: 'sink', message: rendered.content }, meta) };
    }
  }

  /** The outcome of a delivery not recorded yet: policy, rendering, caps and the provider call. */
  async function deliver(request: SendRequest, meta: DeliveryMeta & { channel: Channel }, content: Record<string, unknown> | undefined): Promise<SendResult> {
    const finish = (outcome: LedgerOutcome, provider?: string) => ledger.record(meta, meta.channel, provider, outcome);
    const [graph, profile, account] = await Promise.all([
      graphOf(request.journeyId, request.version),
      deps.profiles.get(request.userId),
      deps.settings.deliverySettings(),
    ]);
    const node = graph.nodes[request.nodeId];
    if (node?.type !== 'message') return finish({ outcome: 'failed', reason: 'not_a_message_node' });
    if (!content) return finish({ outcome: 'failed', reason: 'no_content' });

    const unreachable = unreachableReason(meta.channel, profile);
    if (unreachable) return finish({ outcome: 'unreachable', reason: unreachable });
    const quiet = quietHoursDecision(clock().getTime(), meta.channel, graph.settings, profile, account);
    if (quiet?.action === 'drop') return finish({ outcome: 'unreachable', reason: 'quiet_hours' });
    if (quiet?.action === 'defer') return { outcome: 'deferred', until: new Date(quiet.until).toISOString() };

    let rendered: RenderedMessage;
    try {
      rendered = await renderMessage(meta.channel, content, {
        profile: profileView(profile),
        event: request.context?.event ?? {},
        context: request.context ?? {},
        journey: { id: request.journeyId, version: request.version, nodeId: request.nodeId, instanceId: request.instanceId, userId: request.userId },
      });
    } catch (error) {
      if (error instanceof RenderError) return finish({ outcome: 'failed', reason: `template_error: ${error.message}`.slice(0, 300) });
      throw error;
    }
    const prepared = dispatch(rendered, typeof content.provider === 'string' ? content.provider : undefined, profile, meta);
    if (typeof prepared === 'string') return finish({ outcome: 'failed', reason: prepared });

    const capped = await caps.check(meta.deliveryKey, capRules(node, { ...meta }, account));
    if (!capped.allowed) return finish({ outcome: 'failed', reason: 'capped' });
    return callProvider(meta, prepared, capped.slots, finish);
  }

  async function callProvider(
    meta: DeliveryMeta,
    prepared: Dispatch,
    slots: Parameters<typeof caps.release>[1],
    finish: (outcome: LedgerOutcome, provider?: string) => Promise<LedgerOutcome>,
  ): Promise<SendResult> {
    const context = Context.current();
    if (context.cancellationSignal.aborted) {
      await caps.release(meta.deliveryKey, slots);
      throw new CancelledFailure('the send was cancelled before the provider call');
    }
    const { workflowExecution, activityId, attempt } = context.info;
    const attemptId = `${workflowExecution?.runId ?? 'standalone'}/${activityId}/${attempt}`;
    await ledger.claimAttempt(meta.deliveryKey, attemptId, prepared.provider);
    let result: Awaited<ReturnType<Dispatch['call']>>;
    try {
      result = await prepared.call();
    } catch (error) {
      if (!(error instanceof TransientSendError)) {
        // Unclassified: the call may have reached the provider, so the attempt stays open and the retry
        // counts the message as sent rather than risk sending it twice.
        deps.log?.error({ err: error, deliveryKey: meta.deliveryKey, provider: prepared.provider }, 'send failed unexpectedly');
        throw error;
      }
      if (error.accepted === 'unknown') {
        deps.log?.warn({ deliveryKey: meta.deliveryKey, provider: prepared.provider, error: error.message }, 'provider answer lost: counted as sent');
        return finish({ outcome: 'sent', messageId: `unconfirmed:${attemptId}`, inDoubt: true }, prepared.provider);
      }
      await ledger.rejectAttempt(meta.deliveryKey, attemptId, error.message);
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
    return finish(outcome, prepared.provider);
  }

  return {
    async sendMessage(request: SendRequest): Promise<SendResult> {
      const meta = {
        deliveryKey: request.deliveryKey,
        userId: request.userId,
        journeyId: request.journeyId,
        version: request.version,
        nodeId: request.nodeId,
        instanceId: request.instanceId,
        channel: request.channel,
      };
      const [{ version, content }, recorded, unresolved] = await Promise.all([
        deps.journeys.sendView(request.journeyId, request.version, request.nodeId),
        ledger.outcome(request.deliveryKey),
        ledger.unresolvedAttempt(request.deliveryKey),
      ]);
      if (version.state === 'stopped') return { outcome: 'stopped', reason: version.stopReason ?? 'stopped' };
      if (recorded) return recorded;
      if (unresolved) {
        return ledger.record(meta, request.channel, unresolved.provider, {
          outcome: 'sent',
          messageId: `unconfirmed:${unresolved.attemptId}`,
          inDoubt: true,
        });
      }
      Context.current().heartbeat();
      return deliver(request, meta, content);
    },
  };
}

export type ChannelActivities = ReturnType<typeof createChannelActivities>;

function withoutChannel<T extends { channel: string }>(message: T): Omit<T, 'channel'> {
  const { channel: _channel, ...rest } = message;
  return rest;
}

function addressOf(channel: Channel, profile: Profile | undefined): unknown {
  switch (channel) {
    case 'email':
      return profile?.email;
    case 'sms':
      return profile?.phone;
    case 'push':
      return profile?.pushTokens;
    case 'webhook':
    case 'sink':
      return undefined;
  }
}
