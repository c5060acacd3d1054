import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, makeTelemetryFilterString, Runtime } from '@temporalio/worker';
import { cpus } from 'node:os';
import { enginePathLength, historyEventsPerNode } from './history';
import { deploy, sixNodeJourney, waitJourney } from './journeys';
import { measured, round, type PhaseCost } from './measure';
import { startPlainWorker } from './plain/worker';
import { ratio, printTable, type Figure } from './report';
import { awaitAll, completeEngine, completePlain, p99, resumeEngine, resumePlain, startEngine, startPlain, type RunTarget } from './runs';
import { benchPayloadKeys, startBenchStack } from './stack';
import { payloadDataConverter } from '../../platform/payload-codec';

/**
 * `npm run bench:engine [-- --use-running] [--no-events] [--scale 0.5]`: the engine against plain Temporal doing
 * the same steps, side by side on the same servers (see docs/benchmarks.md).
 */
const args = process.argv.slice(2);
const useRunning = args.includes('--use-running');
const withEvents = !args.includes('--no-events');
const scaleArg = args.indexOf('--scale');
const scale = scaleArg >= 0 ? Number(args[scaleArg + 1]) : 1;
const users = (count: number) => Math.max(10, Math.round(count * scale));

const log = (line: string) => console.log(`[bench] ${line}`);

async function main(): Promise<void> {
  Runtime.install({
    logger: new DefaultLogger('ERROR'),
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }), forward: {} } },
  });
  const began = Date.now();
  const stack = await startBenchStack({ useRunning, log });
  const connection = await Connection.connect({ address: stack.temporalAddress });
  // The stack's processes encrypt payloads; the plain baseline runs with the same codec.
  const dataConverter = payloadDataConverter(benchPayloadKeys);
  const client = new Client({ connection, dataConverter });
  const plainTaskQueue = `${stack.taskQueue}-plain`;
  const plainWorker = await startPlainWorker(stack.temporalAddress, plainTaskQueue, dataConverter);
  const target: RunTarget = { client, apiUrl: stack.apiUrl, plainTaskQueue };
  try {
    await deploy(stack.apiUrl, sixNodeJourney);
    await deploy(stack.apiUrl, waitJourney);
    log('warm-up: 20 users each');
    await completePlain(target, 'warm-plain', 20, 20);
    await completeEngine(target, sixNodeJourney.id, 'warm-engine', 20, 20);

    const phases: Record<string, { cost: PhaseCost; users: number }> = {};
    const phase = async <T>(name: string, count: number, work: () => Promise<T>): Promise<T> => {
      log(`${name}: ${count} users`);
      const { result, cost } = await measured(stack, work);
      phases[name] = { cost, users: count };
      return result;
    };
    const [n20, n100] = [users(200), users(400)];
    const plain20 = await phase('plain c20', n20, () => completePlain(target, 'plain20', n20, 20));
    const engine20 = await phase('engine c20', n20, () => completeEngine(target, sixNodeJourney.id, 'engine20', n20, 20));
    const plain100 = await phase('plain c100', n100, () => completePlain(target, 'plain100', n100, 100));
    const engine100 = await phase('engine c100', n100, () => completeEngine(target, sixNodeJourney.id, 'engine100', n100, 100));
    const plainStarts = await phase('plain starts c20', n20, () => startPlain(target, 'plainstart', n20, 20));
    await awaitAll(client, plainStarts.workflowIds);
    const engineStarts = await phase('engine starts c20', n20, () => startEngine(target, sixNodeJourney.id, 'enginestart', n20, 20));
    await awaitAll(client, engineStarts.workflowIds);
    const nEvents = users(100);
    const plainResume = withEvents
      ? await phase('plain signal c20', nEvents, () => resumePlain(target, 'plainwait', nEvents, 20))
      : undefined;
    const engineResume = withEvents
      ? await phase('engine event c20', nEvents, () => resumeEngine(target, waitJourney.id, 'enginewait', nEvents, 20))
      : undefined;

    const runs = { plain20, engine20, plain100, engine100, plainStarts, engineStarts, plainResume, engineResume };
    const failures = Object.fromEntries(
      Object.entries(runs)
        .filter(([, run]) => run && run.failures.length > 0)
        .map(([name, run]) => [name, { count: run!.failures.length, first: run!.failures.slice(0, 3) }]),
    );
    for (const [name, { count, first }] of Object.entries(failures)) log(`${name}: ${count} users failed, e.g. ${first.join(' | ')}`);

    log('history: 20 instances of each');
    const plainHistory = await historyEventsPerNode(client, plain20.workflowIds, () => 6);
    const engineHistory = await historyEventsPerNode(client, engine20.workflowIds, enginePathLength);

    // Store commands per journey over both completion phases of the engine (400 + 200 users by default).
    const commands = new Map<string, number>();
    for (const name of ['engine c20', 'engine c100'])
      for (const [key, value] of phases[name]!.cost.commands) commands.set(key, (commands.get(key) ?? 0) + value);
    // Per journey that ran: users refused at enrolment (counted as failures) cost little and are left out.
    const journeys = n20 - engine20.failures.length + (n100 - engine100.failures.length);
    const commandsPerJourney = Object.fromEntries([...commands].map(([key, value]) => [key, round(value / journeys, 2)]));
    const executions = new Map<string, number>();
    for (const name of ['engine c20', 'engine c100'])
      for (const [key, value] of phases[name]!.cost.activities) executions.set(key, (executions.get(key) ?? 0) + value);
    const activitiesPerJourney = Object.fromEntries([...executions].map(([key, value]) => [key, round(value / journeys, 2)]));
    const totalPerJourney = round([...commands.values()].reduce((sum, value) => sum + value, 0) / journeys, 2);

    const rate = (count: number, seconds: number) => round(count / seconds, 1);
    const figures: Figure[] = [
      {
        name: `journeys completed per second, concurrency 20 (${n20} users)`,
        unit: '1/s',
        plain: rate(n20, plain20.seconds),
        engine: rate(n20, engine20.seconds),
      },
      {
        name: `journeys completed per second, concurrency 100 (${n100} users)`,
        unit: '1/s',
        plain: rate(n100, plain100.seconds),
        engine: rate(n100, engine100.seconds),
      },
      {
        name: `starts per second, concurrency 20 (workflow.start vs POST enrollments)`,
        unit: '1/s',
        plain: rate(n20, plainStarts.seconds),
        engine: rate(n20, engineStarts.seconds),
      },
      ...(plainResume && engineResume
        ? [
            {
              name: `event -> instance finished, p99, concurrency 20 (signal vs POST /v1/events)`,
              unit: 'ms',
              plain: round(p99(plainResume), 0),
              engine: round(p99(engineResume), 0),
            },
          ]
        : []),
      {
        name: 'history events per node (20 instances)',
        unit: 'events',
        plain: round(plainHistory.perNode, 1),
        engine: round(engineHistory.perNode, 1),
      },
      { name: 'store commands per journey (worker + API)', unit: 'commands', plain: undefined, engine: totalPerJourney },
      {
        name: 'store commands per node visited',
        unit: 'commands',
        plain: undefined,
        engine: round(totalPerJourney / engineHistory.nodes, 2),
      },
      {
        name: 'activity executions per journey (local and regular)',
        unit: 'executions',
        plain: 2,
        engine: round([...executions.values()].reduce((sum, value) => sum + value, 0) / journeys, 2),
      },
    ];

    console.log(
      `\nEngine benchmark, ${new Date().toISOString()}, ${cpus().length} cores, ${useRunning ? 'running servers' : 'embedded servers'}, ${round((Date.now() - began) / 1000, 0)} s\n`,
    );
    printTable(figures, phases, commandsPerJourney, activitiesPerJourney);
    const json = {
      date: new Date().toISOString(),
      failures,
      cores: cpus().length,
      servers: useRunning ? 'running' : 'embedded',
      figures: Object.fromEntries(
        figures.map((figure) => [figure.name, { unit: figure.unit, plain: figure.plain, engine: figure.engine, ratio: ratio(figure) }]),
      ),
      history: { plain: plainHistory, engine: engineHistory },
      storeCommandsPerJourney: { total: totalPerJourney, byCommand: commandsPerJourney },
      activityExecutionsPerJourney: activitiesPerJourney,
      cpuSeconds: Object.fromEntries(
        Object.entries(phases).map(([name, { cost, users: count }]) => [name, { users: count, ...cost.cpu, loadAverage: cost.load }]),
      ),
      workerTuning: Object.fromEntries(
        Object.entries(process.env).filter(([key]) => key.startsWith('WORKER_MAX') || key.startsWith('WORKER_STICKY')),
      ),
    };
    console.log(`\n${JSON.stringify(json, null, 2)}`);
  } catch (error) {
    // Shown before the cleanup: calls still retrying against a closed server could hide it.
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    throw error;
  } finally {
    await plainWorker.stop();
    await stack.stop();
    // The client connection is left to process.exit: closing it under calls still retrying throws.
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
