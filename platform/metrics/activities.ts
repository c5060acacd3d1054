import type { Context } from '@temporalio/activity';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { Counter, Histogram, type Registry } from 'prom-client';

/**
 * A worker interceptor that observes the engine from its activities, without touching workflow code:
 * executions by activity type and outcome, sends by channel and outcome (the `sendMessage` result), and node
 * transitions and exits from the facts the workflow hands to its activities.
 */
export function activityMetrics(registry: Registry): ActivityInterceptorsFactory {
  const executions = new Histogram({
    name: 'journeys_activity_duration_seconds',
    help: 'Activity executions (attempts) by activity type, task queue and outcome (completed, failed)',
    labelNames: ['activity', 'task_queue', 'outcome'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [registry],
  });
  const sends = new Counter({
    name: 'journeys_sends_total',
    help: 'Send outcomes by channel (sent, failed, unreachable, deferred, stopped; error: an attempt that threw and is retried)',
    labelNames: ['channel', 'outcome'] as const,
    registers: [registry],
  });
  const transitions = new Counter({
    name: 'journeys_node_transitions_total',
    help: 'Nodes entered by instances (node_entered facts handed to activities that completed)',
    registers: [registry],
  });
  const exits = new Counter({
    name: 'journeys_instance_exits_total',
    help: 'Instances that ended, by exit reason (exited facts handed to activities that completed)',
    labelNames: ['reason'] as const,
    registers: [registry],
  });

  return (ctx: Context) => ({
    inbound: {
      async execute(input, next) {
        const { activityType, taskQueue } = ctx.info;
        const stop = executions.startTimer({ activity: activityType, task_queue: taskQueue });
        const channel = activityType === 'sendMessage' ? channelOf(input.args[0]) : undefined;
        try {
          const result = await next(input);
          stop({ outcome: 'completed' });
          if (channel) sends.inc({ channel, outcome: outcomeOf(result) });
          for (const fact of factsIn(input.args)) {
            if (fact.kind === 'node_entered') transitions.inc();
            else if (fact.kind === 'exited') exits.inc({ reason: typeof fact.reason === 'string' ? fact.reason : 'unknown' });
          }
          return result;
        } catch (error) {
          stop({ outcome: 'failed' });
          if (channel) sends.inc({ channel, outcome: 'error' });
          throw error;
        }
      },
    },
  });
}

function channelOf(request: unknown): string | undefined {
  const channel = (request as { channel?: unknown } | undefined)?.channel;
  return typeof channel === 'string' ? channel : undefined;
}

function outcomeOf(result: unknown): string {
  const outcome = (result as { outcome?: unknown } | undefined)?.outcome;
  return typeof outcome === 'string' ? outcome : 'unknown';
}

interface FactLike {
  kind: string;
  reason?: unknown;
}

/** Facts ride in an activity's arguments as an array (`recordFacts(facts)`) or as a `facts` field. */
function factsIn(args: unknown[]): FactLike[] {
  const found: FactLike[] = [];
  for (const arg of args) {
    const list = Array.isArray(arg) ? arg : (arg as { facts?: unknown } | null | undefined)?.facts;
    if (!Array.isArray(list)) continue;
    for (const item of list) if (isFact(item)) found.push(item);
  }
  return found;
}

function isFact(value: unknown): value is FactLike {
  const fact = value as { kind?: unknown; id?: unknown; instanceId?: unknown } | null;
  return typeof fact?.kind === 'string' && typeof fact.id === 'string' && typeof fact.instanceId === 'string';
}
