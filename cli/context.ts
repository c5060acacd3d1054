import type { Command } from 'commander';
import { exitCodeOf, problemLine, type ApiClient, type ApiError } from './api-client';
import type { Output } from './output';

/** What every command receives: the output, the API client and the global options. */

export interface GlobalOptions {
  apiUrl: string;
  apiKey?: string;
}

export interface Context {
  out: Output;
  /** The API client, created on first use (`validate` never needs it). */
  api(): ApiClient;
  globals: GlobalOptions;
  /** Prints an API error the standard way (`error: <detail>`, its problems, a hint) and answers the exit code. */
  reportApiError(error: ApiError, prefix?: string): number;
}

export function reportApiError(out: Output, globals: GlobalOptions, error: ApiError, prefix = ''): number {
  const red = out.errStyle.red;
  out.error(`${red('error:')} ${prefix}${error.detail}`);
  for (const problem of error.problems) out.error(`  ${problemLine(problem)}`);
  if (error.status === 401 && !globals.apiKey) {
    out.error(`${out.errStyle.yellow('hint:')} pass --api-key <key> or set JOURNEYS_API_KEY`);
  }
  if (error.status >= 500)
    out.error(`${out.errStyle.yellow('hint:')} the API at ${globals.apiUrl} failed (HTTP ${error.status}); see its logs`);
  return exitCodeOf(error);
}

/** What each command file receives to add itself to the program. */
export interface Registrar {
  program: Command;
  out: Output;
  contextOf(command: Command): Context;
  /** Runs an action and records its exit code. */
  run(action: () => Promise<number>): Promise<void>;
}
