import { Option, type Command } from 'commander';
import { EXIT, type JourneyJson, type JourneyPageJson, type VersionSummaryJson } from '../api-client';
import type { Registrar } from '../context';
import { ENTRY_TYPES } from '../../domain/definition/schema';

export const versionStates = ['draft', 'scheduled', 'running', 'paused', 'completed', 'restricted', 'stopped'] as const;

interface ListOptions {
  state?: string;
  label?: string;
  search?: string;
  entryType?: string;
  createdBy?: string;
  archived?: boolean;
  json?: boolean;
}

/** `v1 restricted, v2 running`. */
export function versionsText(versions: readonly VersionSummaryJson[]): string {
  return [...versions]
    .sort((a, b) => a.version - b.version)
    .map((v) => `v${v.version} ${v.state}${v.draining ? ' (draining)' : ''}`)
    .join(', ');
}

const pageSize = 200;

export function registerList({ program, contextOf, run }: Registrar): void {
  program
    .command('list')
    .description('list journeys, most recently changed first')
    .addOption(new Option('--state <state>', 'only journeys with a version in this state').choices(versionStates))
    .option('--label <label>', 'only journeys with this label')
    .option('--search <text>', 'only journeys whose name or id contains this text (any case)')
    .addOption(new Option('--entry-type <type>', 'only journeys with a version entering this way').choices(ENTRY_TYPES))
    .option('--created-by <actor>', 'only journeys created by this API key (its name or id)')
    .option('--archived', 'list archived journeys (instead of the others)')
    .option('--json', 'machine-readable output')
    .action(async (options: ListOptions, command: Command) => {
      const ctx = contextOf(command);
      await run(async () => {
        const { out } = ctx;
        const api = ctx.api();
        const items: JourneyJson[] = [];
        for (let offset = 0; ; offset += pageSize) {
          const query = new URLSearchParams({
            limit: String(pageSize),
            offset: String(offset),
            archived: options.archived ? 'true' : 'false',
          });
          if (options.state) query.set('state', options.state);
          if (options.label) query.set('label', options.label);
          if (options.search) query.set('q', options.search);
          if (options.entryType) query.set('entryType', options.entryType);
          if (options.createdBy) query.set('createdBy', options.createdBy);
          const page = await api.get<JourneyPageJson>(`/v1/journeys?${query.toString()}`);
          items.push(...page.items);
          if (page.items.length < pageSize || items.length >= page.total) break;
        }

        if (options.json) {
          out.json(items);
          return EXIT.ok;
        }
        if (items.length === 0) {
          const filtered = options.state || options.label || options.search || options.entryType || options.createdBy || options.archived;
          out.line(filtered ? 'no journeys match' : 'no journeys');
          return EXIT.ok;
        }
        out.table(
          ['ID', 'NAME', 'LABELS', 'VERSIONS'],
          items.map((j) => [j.id, j.name, j.labels.join(', ') || '-', versionsText(j.versions) || '-']),
        );
        return EXIT.ok;
      });
    });
}
