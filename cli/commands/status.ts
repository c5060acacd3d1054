import type { Command } from 'commander';
import { EXIT, seg, type JourneyJson, type VersionSummaryJson } from '../api-client';
import type { Registrar } from '../context';

/** `2025-03-01 09:00:00Z`: an ISO instant, shorter. */
export function when(iso: string | undefined): string {
  if (!iso) return '-';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, 'Z');
}

function stateText(v: VersionSummaryJson): string {
  const notes: string[] = [];
  if (v.draining) notes.push('draining');
  if (v.state === 'stopped' && v.stopReason === 'version_exit') notes.push('replaced');
  return notes.length > 0 ? `${v.state} (${notes.join(', ')})` : v.state;
}

export function registerStatus({ program, contextOf, run }: Registrar): void {
  program
    .command('status')
    .description('show a journey and the state of each version')
    .argument('<id>', 'the journey id')
    .option('--json', 'machine-readable output')
    .action(async (id: string, options: { json?: boolean }, command: Command) => {
      const ctx = contextOf(command);
      await run(async () => {
        const { out } = ctx;
        const journey = await ctx.api().get<JourneyJson>(`/v1/journeys/${seg(id)}`);
        if (options.json) {
          out.json(journey);
          return EXIT.ok;
        }
        out.line(`journey   ${journey.id}`);
        out.line(`name      ${journey.name}`);
        out.line(`labels    ${journey.labels.join(', ') || '-'}`);
        out.line(`archived  ${journey.archived ? 'yes' : 'no'}`);
        out.line(`updated   ${when(journey.updatedAt)}`);
        out.line();
        const versions = [...journey.versions].sort((a, b) => a.version - b.version);
        out.table(
          ['VERSION', 'STATE', 'PUBLISHED BY', 'PUBLISHED AT', 'DESCRIPTION', 'ALLOWED ACTIONS'],
          versions.map((v) => [
            String(v.version),
            stateText(v),
            v.publishedBy ?? '-',
            when(v.publishedAt),
            v.description || '-',
            v.allowedActions.join(', ') || '-',
          ]),
        );
        return EXIT.ok;
      });
    });
}
