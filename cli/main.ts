/**
 * `journeys`: journeys as code. Validate and diff journey files locally, deploy them (draft, publish,
 * What-only update in place), list journeys and show their versions.
 *
 * Run with `node --import tsx cli/main.ts` (dev), `bin/journeys`, or `node dist/cli/main.js` (built).
 *
 * Exit codes: 0 success; 1 a validation problem, a refused change or a failed deploy; 2 a usage error
 * (unknown command or option, missing file); 3 the API is unreachable or answers 5xx.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ApiError, ApiUnreachableError, createApiClient, EXIT, type ApiClient } from './api-client';
import { JourneyFileError } from './files';
import { reportApiError, type Context, type GlobalOptions } from './context';
import { createOutput, type Output } from './output';
import { registerDeploy } from './commands/deploy';
import { registerDiff } from './commands/diff';
import { registerList } from './commands/list';
import { registerReport } from './commands/report';
import { registerStatus } from './commands/status';
import { registerValidate } from './commands/validate';
import { registerWinner } from './commands/winner';

export const DEFAULT_API_URL = 'http://127.0.0.1:3000';

// ---------------------------------------------------------------------------------------------
// Program

function parseApiUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError(`"${value}" is not a URL; e.g. ${DEFAULT_API_URL}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new InvalidArgumentError(`"${value}" must be an http:// or https:// URL`);
  return value.replace(/\/+$/, '');
}

export function buildProgram(out: Output, run: (action: () => Promise<number>) => Promise<void>): Command {
  const program = new Command('journeys');
  program
    .description('Journeys as code: validate, diff and deploy journey files; list journeys and their versions.')
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .addOption(new Option('--api-url <url>', 'the journeys API').env('JOURNEYS_API_URL').default(DEFAULT_API_URL).argParser(parseApiUrl))
    .addOption(new Option('--api-key <key>', 'an API key (admin scope to deploy)').env('JOURNEYS_API_KEY'))
    .addHelpText(
      'after',
      '\nExit codes: 0 success, 1 validation problem / refused change / failed deploy, 2 usage error, 3 API unreachable or 5xx.',
    );

  let api: ApiClient | undefined;
  const contextOf = (command: Command): Context => {
    const globals = command.optsWithGlobals<GlobalOptions>();
    const apiKey = globals.apiKey === '' ? undefined : globals.apiKey;
    const resolved: GlobalOptions = { apiUrl: globals.apiUrl, ...(apiKey !== undefined ? { apiKey } : {}) };
    return {
      out,
      globals: resolved,
      api: () => (api ??= createApiClient({ baseUrl: resolved.apiUrl, apiKey: resolved.apiKey, userAgent: 'journeys-cli' })),
      reportApiError: (error, prefix) => reportApiError(out, resolved, error, prefix),
    };
  };

  const register = { program, out, contextOf, run };
  registerValidate(register);
  registerDiff(register);
  registerDeploy(register);
  registerList(register);
  registerStatus(register);
  registerWinner(register);
  registerReport(register);
  return program;
}

/** Runs the CLI with `argv` (without node and the script) and answers the exit code; never calls process.exit. */
export async function runCli(argv: readonly string[], out: Output = createOutput()): Promise<number> {
  let exitCode: number = EXIT.ok;
  let globals: GlobalOptions = { apiUrl: DEFAULT_API_URL };
  const program = buildProgram(out, async (action) => {
    exitCode = await action();
  });
  program.hook('preAction', (_program, command) => {
    const options = command.optsWithGlobals<GlobalOptions>();
    globals = { apiUrl: options.apiUrl, ...(options.apiKey ? { apiKey: options.apiKey } : {}) };
  });

  try {
    if (argv.length === 0) {
      program.outputHelp();
      return EXIT.usage;
    }
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    return handleError(error, out, globals);
  }
}

function handleError(error: unknown, out: Output, globals: GlobalOptions): number {
  const red = out.errStyle.red;
  if (error instanceof CommanderError) {
    // Commander has already printed its message (or the help / version).
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT.ok;
    // `journeys help [command]` exits 0; help shown because a subcommand is missing is a usage error.
    if (error.code === 'commander.help') return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    return EXIT.usage;
  }
  if (error instanceof ApiUnreachableError) {
    out.error(`${red('error:')} ${error.message}`);
    out.error(`${out.errStyle.yellow('hint:')} is the API running? set --api-url or JOURNEYS_API_URL (now ${globals.apiUrl})`);
    return EXIT.unavailable;
  }
  if (error instanceof ApiError) return reportApiError(out, globals, error);
  if (error instanceof JourneyFileError) {
    out.error(`${red('error:')} ${error.message}`);
    return error.kind === 'syntax' ? EXIT.failed : EXIT.usage;
  }
  const message = error instanceof Error ? (process.env.JOURNEYS_DEBUG ? (error.stack ?? error.message) : error.message) : String(error);
  out.error(`${red('error:')} unexpected: ${message}`);
  return EXIT.failed;
}

if (require.main === module) {
  // `npm run journeys -- deploy x.yaml` runs in the package root: resolve files from where npm was started.
  if (process.env.npm_lifecycle_event === 'journeys' && process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);
  runCli(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`error: ${String(error)}\n`);
      process.exitCode = EXIT.failed;
    },
  );
}
