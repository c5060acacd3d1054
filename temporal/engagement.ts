import { createHash } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { canReport, engagementEventName, engagementId, type EngagementKind } from '../domain/engagement';
import type { Fact } from '../domain/facts';
import { parseDeliveryKey } from '../domain/naming';
import type { EngagedDelivery, EngagementStore } from '../store/engagement';
import type { FactStore } from '../store/facts';
import type { JourneyEvent } from '../workflows/contract';
import { signalInstanceEvents } from './instance-events';

/**
 * The id of an engagement's fact: one per (delivery, kind), so a repeat is stored once. A hash of the delivery key
 * rather than the key itself, which holds the user id: erasure pseudonymises a user's facts but not their ids.
 */
export function engagementFactId(deliveryKey: string, kind: EngagementKind): string {
  return `engagement:${createHash('sha256').update(`${deliveryKey}\n${kind}`).digest('hex').slice(0, 32)}`;
}

export interface EngagementReport {
  deliveryKey: string;
  kind: EngagementKind;
  /** When it happened. */
  at: Date;
  /** Only this user's deliveries count (an app reports for its signed-in user); absent for provider webhooks. */
  userId?: string;
  /** Only messages of this channel count (the reporter knows what it reports on: `message_opened` a push). */
  channel?: string;
  /** Extra properties of the instance event (a clicked URL, the provider's message id). */
  properties?: Record<string, unknown>;
  /** When the report reached us (the instance bounds a whole-second timestamp by it). */
  receivedAt?: Date;
}

/**
 * `recorded`: counted and delivered now; `duplicate`: counted before (nothing done); `unknown_delivery`: no
 * message of ours has the key (or not this user's); `not_reported`: the message's channel cannot report the kind
 * (or is not the channel the report is about).
 */
export type EngagementOutcome =
  | { status: 'recorded'; delivery: EngagedDelivery; signalled: boolean }
  | { status: 'duplicate'; delivery: EngagedDelivery }
  | { status: 'unknown_delivery' }
  | { status: 'not_reported'; delivery: EngagedDelivery };

export interface EngagementRecorderDeps {
  engagements: EngagementStore;
  facts: Pick<FactStore, 'record'>;
  temporal: Client;
}

/**
 * Records engagement with a message: each (delivery, kind) once, as a `message_event` fact (reports: per
 * journey, version and node) and as an event delivered to the instance that sent it (signal by workflow id;
 * a message node waiting for engagement reads it, waits and goals see it by name). The delivery comes from
 * the ledger, never from the report, so a report can only reach the instance its message came from. An
 * instance that has ended still gets the fact; only the signal is skipped. Every effect is idempotent (the
 * fact's id is engagementFactId, the event's `engagement:{key}:{kind}`), and the record that makes repeats no-ops is
 * written last, so a report that fails half-way may simply be repeated.
 */
export function createEngagementRecorder(deps: EngagementRecorderDeps) {
  return {
    async record(report: EngagementReport): Promise<EngagementOutcome> {
      const delivery = await deps.engagements.delivery(report.deliveryKey);
      const parts = parseDeliveryKey(report.deliveryKey);
      if (!delivery || !parts || (report.userId !== undefined && delivery.userId !== report.userId)) return { status: 'unknown_delivery' };
      if (!canReport(delivery.channel, report.kind) || (report.channel !== undefined && delivery.channel !== report.channel)) {
        return { status: 'not_reported', delivery };
      }
      if (await deps.engagements.isRecorded(report.deliveryKey, report.kind)) return { status: 'duplicate', delivery };

      const id = engagementId(report.deliveryKey, report.kind);
      const at = report.at.toISOString();
      const fact: Fact = {
        id: engagementFactId(report.deliveryKey, report.kind),
        kind: 'message_event',
        journeyId: delivery.journeyId,
        version: delivery.version,
        instanceId: delivery.instanceId,
        runId: parts.entryId,
        userId: delivery.userId,
        nodeId: delivery.nodeId,
        outcome: report.kind,
        at,
      };
      await deps.facts.record([fact]);
      const event: JourneyEvent = {
        id,
        name: engagementEventName(delivery.channel, report.kind),
        properties: {
          ...report.properties,
          journeyId: delivery.journeyId,
          version: delivery.version,
          nodeId: delivery.nodeId,
          channel: delivery.channel,
          deliveryKey: delivery.deliveryKey,
        },
        timestamp: at,
        ingestedAt: (report.receivedAt ?? new Date()).toISOString(),
        engagement: { deliveryKey: delivery.deliveryKey, kind: report.kind },
      };
      const signalled = (await signalInstanceEvents(deps.temporal, [{ instanceId: delivery.instanceId, event }])) > 0;
      const first = await deps.engagements.markRecorded(delivery, report.kind, report.at);
      return first ? { status: 'recorded', delivery, signalled } : { status: 'duplicate', delivery };
    },
  };
}

export type EngagementRecorder = ReturnType<typeof createEngagementRecorder>;
