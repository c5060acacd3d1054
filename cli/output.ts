/** How the CLI writes: report lines to stdout, failures to stderr, tables, JSON, colours only on a TTY. */

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
  const on =
    env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0'
      ? true
      : Boolean(stream.isTTY) && env.NO_COLOR === undefined && env.TERM !== 'dumb';
  const wrap = (open: number, close: number) => (text: string) => (on ? `\u001b[${open}m${text}\u001b[${close}m` : text);
  return { red: wrap(31, 39), green: wrap(32, 39), yellow: wrap(33, 39), dim: wrap(2, 22), bold: wrap(1, 22) };
}

export function createOutput(
  stdout: Stream = process.stdout,
  stderr: Stream = process.stderr,
  env: NodeJS.ProcessEnv = process.env,
): Output {
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
