import { Option, type Command } from 'commander';
import type { JourneyDefinition } from '../../domain/definition/schema';
import { ApiError, EXIT, seg, type ApiClient, type ContentEditJson, type JourneyJson, type VersionState } from '../api-client';
import type { Context, Registrar } from '../context';
import { activeVersion, draftVersion, metadataNote, planFor } from './diff';
import { checkAll, missingFiles } from './validate';

export type OldVersionChoice = 'restrict' | 'stop' | 'keep';

export interface DeployOptions {
  publish?: boolean;
  oldVersion?: OldVersionChoice;
  dryRun?: boolean;
}

/**
 * Deploys one valid definition:
 * - a new journey is created (version 1, a draft);
 * - an existing draft is replaced by the file;
 * - What-only changes to a live version are applied in place (PATCH content of the changed nodes);
 * - structural changes (or What changes a version's state does not allow in place) create a new draft;
 * - identical: nothing to do.
 * With `publish`, the resulting draft is published. With `dryRun`, nothing is changed.
 * Answers the exit code of this file.
 */
async function deployOne(ctx: Context, definition: JourneyDefinition, options: DeployOptions): Promise<number> {
  const api = ctx.api();
  const { out } = ctx;
  const id = definition.id;
  const dry = options.dryRun === true;
  const say = (text: string) => out.line(`${id}: ${text}`);

  let { journey, plan } = await planFor(api, definition);
  let target: number | undefined;

  // Identical to a version nobody can enter any more, and asked to publish: publish it again as a new version.
  if (plan.kind === 'unchanged' && options.publish && journey && plan.base.summary.state !== 'draft' && !activeVersion(journey)) {
    say(`identical to version ${plan.base.summary.version}, which is ${plan.base.summary.state}`);
    plan = {
      kind: 'newVersion',
      base: plan.base,
      changes: [],
      next: Math.max(...journey.versions.map((v) => v.version)) + 1,
      reason: 'structural',
    };
  }

  switch (plan.kind) {
    case 'create': {
      if (dry) {
        say('would create version 1 (draft)');
        target = 1;
        break;
      }
      journey = await api.post<JourneyJson>('/v1/journeys', definition);
      target = draftVersion(journey)?.version ?? 1;
      say(`created version ${target} (draft)`);
      break;
    }
    case 'unchanged': {
      const { version, state } = plan.base.summary;
      if (state === 'draft') {
        say(`draft ${version} is up to date`);
        target = version;
      } else {
        say(`up to date (version ${version}, ${state})`);
      }
      break;
    }
    case 'replaceDraft': {
      const version = plan.base.summary.version;
      const count = `${plan.changes.length} change${plan.changes.length === 1 ? '' : 's'}`;
      if (dry) {
        say(`would update draft ${version} (${count})`);
      } else {
        journey = await api.put<JourneyJson>(`/v1/journeys/${seg(id)}/versions/${version}`, definition);
        say(`updated draft ${version} (${count})`);
      }
      target = version;
      break;
    }
    case 'inPlace': {
      const { version, state } = plan.base.summary;
      const nodes = Object.keys(plan.content);
      if (nodes.length === 0) {
        say(`content is up to date (version ${version}, ${state})`);
      } else if (dry) {
        for (const nodeId of nodes) {
          say(`would update content of ${nodeId} in place (revision ${(plan.base.contentRevisions[nodeId] ?? 0) + 1})`);
        }
      } else {
        const edit = await api.patch<ContentEditJson>(`/v1/journeys/${seg(id)}/versions/${version}/content`, plan.content);
        for (const nodeId of nodes) {
          const revision = edit.revisions[nodeId];
          say(`updated content of ${nodeId} in place${revision !== undefined ? ` (revision ${revision})` : ''}`);
        }
      }
      const note = metadataNote(plan.metadata, version);
      if (note) out.line(`${id}: ${note}`);
      break;
    }
    case 'newVersion': {
      if (dry) {
        say(`would create version ${plan.next} (draft)`);
        target = plan.next;
        break;
      }
      const created = await api.post<JourneyJson & { draftVersion: number }>(`/v1/journeys/${seg(id)}/versions`, { definition });
      journey = created;
      target = created.draftVersion;
      say(`created version ${target} (draft)`);
      break;
    }
  }

  if (!options.publish || target === undefined) return EXIT.ok;
  return dry
    ? predictPublish(ctx, id, journey, target, definition, options.oldVersion)
    : publish(ctx, api, id, journey, target, options.oldVersion);
}

async function publish(
  ctx: Context,
  api: ApiClient,
  id: string,
  before: JourneyJson | undefined,
  version: number,
  oldVersion: OldVersionChoice | undefined,
): Promise<number> {
  const { out } = ctx;
  let after: JourneyJson;
  try {
    after = await api.post<JourneyJson>(`/v1/journeys/${seg(id)}/versions/${version}/publish`, oldVersion ? { oldVersion } : {});
  } catch (error) {
    if (error instanceof ApiError && error.code === 'old_version_choice_required') {
      const code = ctx.reportApiError(error, `${id}: `);
      out.error(`${out.errStyle.yellow('hint:')} ${oldVersionHint(error.problem, error.detail)}`);
      out.error(`${id}: version ${version} stays a draft`);
      return code;
    }
    throw error;
  }
  const published = after.versions.find((v) => v.version === version);
  out.line(`${id}: published version ${version} (${published?.state ?? 'published'})`);
  for (const change of stateChanges(before, after, version)) out.line(`${id}: version ${change.version} is now ${change.state}`);
  return EXIT.ok;
}

/** `version 1 is running: pass --old-version restrict or --old-version stop`, from the 409 problem. */
export function oldVersionHint(problem: Record<string, unknown>, detail: string): string {
  const version = typeof problem.version === 'number' ? problem.version : Number(/version (\d+)/.exec(detail)?.[1]);
  const state = typeof problem.state === 'string' ? problem.state : (/ is (\w+)/.exec(detail)?.[1] ?? 'active');
  const choices = Array.isArray(problem.choices) ? problem.choices.filter((c): c is string => typeof c === 'string') : [];
  const list = (choices.length > 0 ? choices : state === 'completed' ? ['keep', 'stop'] : ['restrict', 'stop'])
    .map((c) => `--old-version ${c}`)
    .join(' or ');
  return `version ${Number.isFinite(version) ? version : '?'} is ${state}: pass ${list}`;
}

function stateChanges(
  before: JourneyJson | undefined,
  after: JourneyJson,
  published: number,
): Array<{ version: number; state: VersionState }> {
  if (!before) return [];
  return after.versions.filter((v) => {
    if (v.version === published) return false;
    const old = before.versions.find((b) => b.version === v.version);
    return old !== undefined && old.state !== v.state;
  });
}

/** What publishing would do, by the lifecycle rules of spec 1.1 (the server decides for real). */
function predictPublish(
  ctx: Context,
  id: string,
  journey: JourneyJson | undefined,
  version: number,
  definition: JourneyDefinition,
  oldVersion: OldVersionChoice | undefined,
): number {
  const { out } = ctx;
  const startAt = definition.settings.startAt ? new Date(definition.settings.startAt) : undefined;
  const state = startAt && startAt > new Date() ? 'scheduled' : 'running';
  const effects: string[] = [];
  const refuse = (message: string, hint?: string) => {
    out.error(`${out.errStyle.red('error:')} ${id}: publishing version ${version} would be refused: ${message}`);
    if (hint) out.error(`${out.errStyle.yellow('hint:')} ${hint}`);
    return EXIT.failed;
  };

  const active = journey ? activeVersion(journey) : undefined;
  if (active?.state === 'scheduled') return refuse(`version ${active.version} is scheduled; stop it first`);
  if (active) {
    if (oldVersion !== 'restrict' && oldVersion !== 'stop') {
      return refuse(
        `version ${active.version} is ${active.state}`,
        oldVersionHint({ version: active.version, state: active.state, choices: ['restrict', 'stop'] }, ''),
      );
    }
    effects.push(`version ${active.version} would be ${oldVersion === 'restrict' ? 'restricted' : 'stopped'}`);
  } else {
    for (const completed of journey?.versions.filter((v) => v.state === 'completed') ?? []) {
      if (oldVersion !== 'keep' && oldVersion !== 'stop') {
        return refuse(
          `version ${completed.version} is completed`,
          oldVersionHint({ version: completed.version, state: 'completed', choices: ['keep', 'stop'] }, ''),
        );
      }
      if (oldVersion === 'stop') effects.push(`version ${completed.version} would be stopped`);
    }
  }
  out.line(`${id}: would publish version ${version} (${state})`);
  for (const effect of effects) out.line(`${id}: ${effect}`);
  return EXIT.ok;
}

export function registerDeploy({ program, contextOf, run }: Registrar): void {
  program
    .command('deploy')
    .description('deploy journey files: create, replace the draft, edit content in place, or add a new version; optionally publish')
    .argument('<files...>', 'journey files (.yaml, .yml or .json)')
    .option('--publish', 'publish the resulting draft')
    .addOption(
      new Option(
        '--old-version <choice>',
        'with --publish: what happens to the live version (running/paused: restrict or stop; completed: keep or stop)',
      ).choices(['restrict', 'stop', 'keep']),
    )
    .option('--dry-run', 'print what would happen without changing anything')
    .action(async (files: string[], options: DeployOptions, command: Command) => {
      const ctx = contextOf(command);
      await run(async () => {
        const { out } = ctx;
        if (options.oldVersion && !options.publish) {
          out.error(`${out.errStyle.red('error:')} --old-version only applies with --publish`);
          return EXIT.usage;
        }
        if (missingFiles(out, files)) return EXIT.usage;
        // Every file is validated before anything is sent.
        const valid = checkAll(out, files);
        if (!valid) {
          out.error(`${out.errStyle.red('error:')} nothing was deployed: fix the problems above`);
          return EXIT.failed;
        }
        let exitCode: number = EXIT.ok;
        for (const { definition } of valid) {
          try {
            const code = await deployOne(ctx, definition, options);
            exitCode = Math.max(exitCode, code);
          } catch (error) {
            if (!(error instanceof ApiError)) throw error;
            const code = ctx.reportApiError(error, `${definition.id}: `);
            // A server that fails (5xx) is not asked for the other files.
            if (code === EXIT.unavailable) return code;
            exitCode = Math.max(exitCode, code);
          }
        }
        return exitCode;
      });
    });
}
