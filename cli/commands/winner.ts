import { InvalidArgumentError, type Command } from 'commander';
import { EXIT, seg, type JourneyJson } from '../api-client';
import type { Registrar } from '../context';

/** The API's view of an experiment node (api/routes/experiments.ts), as JSON. */
export interface ExperimentJson {
  journeyId: string;
  version: number;
  nodeId: string;
  mode: 'manual' | 'auto';
  paths: string[];
  weights: Record<string, number>;
  winner?: string;
  winnerBy?: string;
  winnerAt?: string;
  history: { seq: number; at: string; weights: Record<string, number>; reason: string; actor: string }[];
}

function parseVersion(value: string): number {
  const version = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(version) || version < 1)
    throw new InvalidArgumentError(`"${value}" is not a version number (1, 2, ...)`);
  return version;
}

/** The version a winner is meant for by default: the live one (running or paused). */
export function liveVersion(journey: JourneyJson): number | undefined {
  return journey.versions.find((v) => v.state === 'running' || v.state === 'paused')?.version;
}

export function registerWinner({ program, contextOf, run }: Registrar): void {
  program
    .command('winner')
    .description('declare the winning path of an auto experiment: every user who reaches the node from now on takes it')
    .argument('<journeyId>', 'the journey id')
    .argument('<nodeId>', 'the experiment node')
    .argument('<path>', 'the winning path')
    .option('--version <n>', 'the version (default: the running or paused one)', parseVersion)
    .option('--json', 'machine-readable output')
    .action(async (journeyId: string, nodeId: string, path: string, options: { version?: number; json?: boolean }, command: Command) => {
      const ctx = contextOf(command);
      await run(async () => {
        const { out } = ctx;
        const api = ctx.api();
        let version = options.version;
        if (version === undefined) {
          version = liveVersion(await api.get<JourneyJson>(`/v1/journeys/${seg(journeyId)}`));
          if (version === undefined) {
            out.error(`${out.errStyle.red('error:')} journey ${journeyId} has no running or paused version; pass --version <n>`);
            return EXIT.failed;
          }
        }
        const experiment = await api.post<ExperimentJson>(
          `/v1/journeys/${seg(journeyId)}/versions/${seg(version)}/experiments/${seg(nodeId)}/winner`,
          { path },
        );
        if (options.json) {
          out.json(experiment);
          return EXIT.ok;
        }
        out.line(`${out.style.green('winner')} of ${nodeId} in ${journeyId} v${version}: ${out.style.bold(path)}`);
        out.line(out.style.dim('from now on every user who reaches the node takes this path'));
        return EXIT.ok;
      });
    });
}
