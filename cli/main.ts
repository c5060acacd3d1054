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
import { ApiError, ApiUnreachableError, createApiClient, EXIT, exitCodeOf, problemLine, type ApiClient } from './api-client';
import { JourneyFileError } from './files';
import { registerDeploy } from './commands/deploy';
import { registerDiff } from './commands/diff';
import { registerList } from './commands/list';
import { registerReport } from './commands/report';
import { registerStatus } from './commands/status';
import { registerValidate } from './commands/validate';
import { registerWinner } from './commands/winner';

export const DEFAULT_API_URL = 'http://127.0.0.1:3000';

// ---------------------------------------------------------------------------------------------
// Output

export interface Style {
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

export interface Output {
  /** A line of the command's report (stdout). */
  line(text?: string): void;
  /** A line about a failure (stderr), as written. */
  error(text: string): void;
  /** Columns aligned on the widest cell; the last column is not padded. */
  table(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): void;
  json(value: unknown): void;
  /** Colours for stdout; identity functions when stdout is not a TTY or NO_COLOR is set. */
  style: Style;
  /** Colours for stderr. */
  errStyle: Style;
}

interface Stream {
  write(text: string): unknown;
  isTTY?: boolean;
}

function styleFor(stream: Stream, env: NodeJS.ProcessEnv): Style {
  const on = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' ? true : Boolean(stream.isTTY) && env.NO_COLOR === undefined && env.TERM !== 'dumb';
  const wrap = (open: number, close: number) => (text: string) => (on ? `\u001b[${open}m${text}\u001b[${close}m` : text);
  return { red: wrap(31, 39), green: wrap(32, 39), yellow: wrap(33, 39), dim: wrap(2, 22), bold: wrap(1, 22) };
}

export function createOutput(stdout: Stream = process.stdout, stderr: Stream = process.stderr, env: NodeJS.ProcessEnv = process.env): Output {
  return {
    line: (text = '') => void stdout.write(`${text}\n`),
    error: (text) => void stderr.write(`${text}\n`),
    table(headers, rows) {
      const all = [headers, ...rows];
      const widths = headers.map((_, column) => Math.max(...all.map((row) => (row[column] ?? '').length)));
      for (const row of all) {
        const cells = headers.map((_, column) => {
          const cell = row[column] ?? '';
          return column === headers.length - 1 ? cell : cell.padEnd(widths[column] ?? 0);
        });
        stdout.write(`${cells.join('  ').trimEnd()}\n`);
      }
    },
    json: (value) => void stdout.write(`${JSON.stringify(value, null, 2)}\n`),
    style: styleFor(stdout, env),
    errStyle: styleFor(stderr, env),
  };
}

// ---------------------------------------------------------------------------------------------
// Context given to every command

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

function reportApiError(out: Output, globals: GlobalOptions, error: ApiError, prefix = ''): number {
  const red = out.errStyle.red;
  out.error(`${red('error:')} ${prefix}${error.detail}`);
  for (const problem of error.problems) out.error(`  ${problemLine(problem)}`);
  if (error.status === 401 && !globals.apiKey) {
    out.error(`${out.errStyle.yellow('hint:')} pass --api-key <key> or set JOURNEYS_API_KEY`);
  }
  if (error.status >= 500) out.error(`${out.errStyle.yellow('hint:')} the API at ${globals.apiUrl} failed (HTTP ${error.status}); see its logs`);
  return exitCodeOf(error);
}

// ---------------------------------------------------------------------------------------------
// Program

function parseApiUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError(`"${value}" is not a URL; e.g. ${DEFAULT_API_URL}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidArgumentError(`"${value}" must be an http:// or https:// URL`);
  return value.replace(/\/+$/, '');
}

export function buildProgram(out: Output, run: (action: () => Promise<number>) => Promise<void>): Command {
  const program = new Command('journeys');
  program
    .description('Journeys as code: validate, diff and deploy journey files; list journeys and their versions.')
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .addOption(
      new Option('--api-url <url>', 'the journeys API').env('JOURNEYS_API_URL').default(DEFAULT_API_URL).argParser(parseApiUrl),
    )
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

/** What each command file receives to add itself to the program. */
export interface Registrar {
  program: Command;
  out: Output;
  contextOf(command: Command): Context;
  /** Runs an action and records its exit code. */
  run(action: () => Promise<number>): Promise<void>;
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
