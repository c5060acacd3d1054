import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { defaultLimits } from '../../domain/definition/limits';
import type { JourneyDefinition } from '../../domain/definition/schema';
import { validateDefinition } from '../../domain/definition/validate';
import { EXIT, problemLine } from '../api-client';
import { JourneyFileError, loadJourneyFile } from '../files';
import type { Registrar } from '../context';
import type { Output } from '../output';

export type Checked = { ok: true; file: string; definition: JourneyDefinition } | { ok: false; file: string; lines: string[] };

/**
 * Reads, parses and validates one file with every publish rule (the same `validateDefinition` the API runs).
 * Problems come back as lines `<file>: node <id>: <message>` or `<file>: <path>: <message>`, with the line in
 * the file when it can be found.
 */
export function checkFile(file: string): Checked {
  let loaded;
  try {
    loaded = loadJourneyFile(file);
  } catch (error) {
    if (error instanceof JourneyFileError && error.kind === 'syntax') return { ok: false, file, lines: [error.message] };
    throw error;
  }
  const result = validateDefinition(loaded.data, defaultLimits);
  if (result.ok) return { ok: true, file, definition: result.definition };
  return {
    ok: false,
    file,
    lines: result.problems.map((problem) => {
      const line = problem.path ? loaded.lineOf(problem.path) : undefined;
      return `${file}: ${problemLine(problem)}${line !== undefined ? ` (line ${line})` : ''}`;
    }),
  };
}

/** Missing files are a usage error (exit 2) reported before anything else happens. */
export function missingFiles(out: Output, files: readonly string[]): boolean {
  const missing = files.filter((file) => !existsSync(file));
  for (const file of missing) out.error(`${out.errStyle.red('error:')} ${file}: no such file`);
  return missing.length > 0;
}

/**
 * Checks every file; prints the problems; answers the valid definitions, or undefined when any file fails.
 * Two files may not define the same journey id.
 */
export function checkAll(out: Output, files: readonly string[]): Array<{ file: string; definition: JourneyDefinition }> | undefined {
  const results = files.map(checkFile);
  let failed = false;
  for (const result of results) {
    if (!result.ok) {
      failed = true;
      for (const line of result.lines) out.line(line);
    }
  }
  const valid = results.filter((r): r is Extract<Checked, { ok: true }> => r.ok);
  const byId = new Map<string, string>();
  for (const { file, definition } of valid) {
    const other = byId.get(definition.id);
    if (other !== undefined) {
      failed = true;
      out.line(`${file}: id: journey ${definition.id} is already defined in ${other}`);
    }
    byId.set(definition.id, file);
  }
  return failed ? undefined : valid;
}

export function nodeCount(definition: JourneyDefinition): number {
  return Object.keys(definition.nodes).length;
}

export function registerValidate({ program, contextOf, run }: Registrar): void {
  program
    .command('validate')
    .description('validate journey files locally (no API): the schema and every publish rule')
    .argument('<files...>', 'journey files (.yaml, .yml or .json)')
    .action(async (files: string[], _options: unknown, command: Command) => {
      const ctx = contextOf(command);
      await run(async () => {
        const { out } = ctx;
        if (missingFiles(out, files)) return EXIT.usage;
        let failed = false;
        const seen = new Map<string, string>();
        for (const file of files) {
          const result = checkFile(file);
          if (!result.ok) {
            failed = true;
            for (const line of result.lines) out.line(line);
            continue;
          }
          const { definition } = result;
          const other = seen.get(definition.id);
          if (other !== undefined) {
            failed = true;
            out.line(`${file}: id: journey ${definition.id} is already defined in ${other}`);
            continue;
          }
          seen.set(definition.id, file);
          const count = nodeCount(definition);
          out.line(`${out.style.green('ok')}  ${file}  (${definition.id}: ${count} node${count === 1 ? '' : 's'})`);
        }
        return failed ? EXIT.failed : EXIT.ok;
      });
    });
}
