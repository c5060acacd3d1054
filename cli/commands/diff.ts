import type { Command } from 'commander';
import { canonical, diffDefinitions, isWhatOnlyChange } from '../../domain/definition/diff';
import { journeyDefinitionSchema, type JourneyDefinition } from '../../domain/definition/schema';
import {
  ApiError,
  EXIT,
  seg,
  type ApiClient,
  type JourneyJson,
  type VersionJson,
  type VersionState,
  type VersionSummaryJson,
} from '../api-client';
import type { Context, Registrar } from '../context';
import { checkFile, missingFiles } from './validate';

/** The version a file is compared with, and its definition with the current content. */
export interface Base {
  summary: VersionSummaryJson;
  definition: JourneyDefinition;
  contentRevisions: Record<string, number>;
}

export type NewVersionReason = 'structural' | 'notEditable' | 'contentRemoved';

/** What deploying a file would do. */
export type Plan =
  | { kind: 'create'; id: string }
  | { kind: 'unchanged'; base: Base; changes: [] }
  | { kind: 'replaceDraft'; base: Base; changes: string[] }
  /** What-only: `content` holds the nodes whose content changed; `metadata` the changes no in-place edit applies. */
  | { kind: 'inPlace'; base: Base; changes: string[]; content: Record<string, Record<string, unknown>>; metadata: string[] }
  | { kind: 'newVersion'; base: Base; changes: string[]; next: number; reason: NewVersionReason };

const activeStates: readonly VersionState[] = ['scheduled', 'running', 'paused'];

export function activeVersion(journey: JourneyJson): VersionSummaryJson | undefined {
  return journey.versions.find((v) => activeStates.includes(v.state));
}

export function draftVersion(journey: JourneyJson): VersionSummaryJson | undefined {
  return journey.versions.find((v) => v.state === 'draft');
}

/** The draft if there is one, else the scheduled/running/paused version, else the newest. */
export function baseSummary(journey: JourneyJson): VersionSummaryJson | undefined {
  const newest = [...journey.versions].sort((a, b) => b.version - a.version)[0];
  return draftVersion(journey) ?? activeVersion(journey) ?? newest;
}

export function nextVersionNumber(journey: JourneyJson): number {
  return Math.max(0, ...journey.versions.map((v) => v.version)) + 1;
}

/** The journey, or undefined when the API says it does not exist. */
export async function findJourney(api: ApiClient, id: string): Promise<JourneyJson | undefined> {
  try {
    return await api.get<JourneyJson>(`/v1/journeys/${seg(id)}`);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404 && error.code !== 'route_not_found') return undefined;
    throw error;
  }
}

export async function loadBase(api: ApiClient, journey: JourneyJson, summary: VersionSummaryJson): Promise<Base> {
  const version = await api.get<VersionJson>(`/v1/journeys/${seg(journey.id)}/versions/${summary.version}`);
  // Normalised like the local file (defaults, expanded day ranges, goal ids), so equal means equal.
  const parsed = journeyDefinitionSchema.safeParse(version.definition);
  const definition = parsed.success ? parsed.data : (version.definition as JourneyDefinition);
  return { summary: { ...summary, ...pickSummary(version) }, definition, contentRevisions: version.contentRevisions ?? {} };
}

function pickSummary(version: VersionJson): VersionSummaryJson {
  const { journeyId: _j, definition: _d, contentRevisions: _c, ...summary } = version;
  return summary;
}

/** Compares a valid local definition with the server and decides what a deploy does. */
export async function planFor(api: ApiClient, local: JourneyDefinition): Promise<{ journey: JourneyJson | undefined; plan: Plan }> {
  const journey = await findJourney(api, local.id);
  if (!journey) return { journey, plan: { kind: 'create', id: local.id } };
  const summary = baseSummary(journey);
  if (!summary) return { journey, plan: { kind: 'create', id: local.id } };
  const base = await loadBase(api, journey, summary);
  return { journey, plan: classify(journey, base, local) };
}

export function classify(journey: JourneyJson, base: Base, local: JourneyDefinition): Plan {
  const changes = diffDefinitions(base.definition, local);
  if (changes.length === 0) return { kind: 'unchanged', base, changes: [] };
  if (base.summary.state === 'draft') return { kind: 'replaceDraft', base, changes };
  const next = nextVersionNumber(journey);
  if (!isWhatOnlyChange(base.definition, local)) return { kind: 'newVersion', base, changes, next, reason: 'structural' };
  if (!base.summary.allowedActions.includes('editWhat')) return { kind: 'newVersion', base, changes, next, reason: 'notEditable' };

  const content: Record<string, Record<string, unknown>> = {};
  for (const nodeId of new Set([...Object.keys(base.definition.content), ...Object.keys(local.content)])) {
    const [before, after] = [base.definition.content[nodeId], local.content[nodeId]];
    if (canonical(before) === canonical(after)) continue;
    // An in-place edit replaces a node's content; it cannot remove it.
    if (after === undefined) return { kind: 'newVersion', base, changes, next, reason: 'contentRemoved' };
    content[nodeId] = after;
  }
  const metadata: string[] = [];
  if (base.definition.name !== local.name) metadata.push('name');
  if (canonical(base.definition.labels) !== canonical(local.labels)) metadata.push('labels');
  if ((base.definition.description ?? '') !== (local.description ?? '')) metadata.push('description');
  return { kind: 'inPlace', base, changes, content, metadata };
}

/** `note: ...` for What-only changes of fields that no in-place edit applies. */
export function metadataNote(metadata: readonly string[], version: number): string | undefined {
  if (metadata.length === 0) return undefined;
  const fields = metadata.join(' and ').replace(/ and (?=.* and )/g, ', ');
  return `note: ${fields} changed, but version ${version} keeps its own (only content is edited in place); the change applies with the next version`;
}

function describeBase(base: Base): string {
  return `version ${base.summary.version} (${base.summary.state})`;
}

/** The classification line of `journeys diff`. */
export function classificationLine(plan: Plan): string {
  switch (plan.kind) {
    case 'create':
      return `new journey ${plan.id}: would create version 1 (draft)`;
    case 'unchanged':
      return 'no changes';
    case 'replaceDraft':
      return `draft ${plan.base.summary.version} would be replaced`;
    case 'inPlace':
      return `What-only: can be applied in place to version ${plan.base.summary.version}`;
    case 'newVersion':
      if (plan.reason === 'structural') return `structural: needs a new version (${plan.next})`;
      if (plan.reason === 'notEditable') {
        return `What-only, but version ${plan.base.summary.version} is ${plan.base.summary.state} and its content cannot be edited: needs a new version (${plan.next})`;
      }
      return `What-only, but content is removed (an in-place edit cannot remove content): needs a new version (${plan.next})`;
  }
}

export function classificationCode(plan: Plan): string {
  switch (plan.kind) {
    case 'create':
      return 'new';
    case 'unchanged':
      return 'none';
    case 'replaceDraft':
      return 'draft';
    case 'inPlace':
      return 'whatOnly';
    case 'newVersion':
      return plan.reason === 'structural' ? 'structural' : 'newVersion';
  }
}

async function diffFile(ctx: Context, file: string, json: boolean): Promise<number> {
  const { out } = ctx;
  const checked = checkFile(file);
  if (!checked.ok) {
    if (json) out.json({ file, valid: false, problems: checked.lines });
    else for (const line of checked.lines) out.line(line);
    return EXIT.failed;
  }
  const { definition } = checked;
  const { plan } = await planFor(ctx.api(), definition);

  if (json) {
    const base = plan.kind === 'create' ? null : { version: plan.base.summary.version, state: plan.base.summary.state };
    out.json({
      file,
      id: definition.id,
      exists: plan.kind !== 'create',
      base,
      classification: classificationCode(plan),
      changes: plan.kind === 'create' ? [] : plan.changes,
      ...(plan.kind === 'inPlace'
        ? { inPlaceVersion: plan.base.summary.version, contentNodes: Object.keys(plan.content), notInPlace: plan.metadata }
        : {}),
      ...(plan.kind === 'newVersion' ? { nextVersion: plan.next, reason: plan.reason } : {}),
      ...(plan.kind === 'create' ? { nextVersion: 1 } : {}),
      ...(plan.kind === 'replaceDraft' ? { draftVersion: plan.base.summary.version } : {}),
    });
    return EXIT.ok;
  }

  if (plan.kind !== 'create') {
    out.line(`${definition.id}: ${file} compared with ${describeBase(plan.base)}`);
    for (const change of plan.changes) out.line(`  ${change}`);
  }
  out.line(classificationLine(plan));
  if (plan.kind === 'inPlace') {
    const note = metadataNote(plan.metadata, plan.base.summary.version);
    if (note) out.line(note);
  }
  return EXIT.ok;
}

export function registerDiff({ program, contextOf, run }: Registrar): void {
  program
    .command('diff')
    .description('compare a journey file with the server: the changes, and whether they apply in place or need a new version')
    .argument('<file>', 'a journey file (.yaml, .yml or .json)')
    .option('--json', 'machine-readable output')
    .action(async (file: string, options: { json?: boolean }, command: Command) => {
      const ctx = contextOf(command);
      await run(async () => {
        if (missingFiles(ctx.out, [file])) return EXIT.usage;
        return diffFile(ctx, file, options.json === true);
      });
    });
}
