import { readFileSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';

/**
 * Journey files: YAML (`.yaml`, `.yml`) or JSON (`.json`), one journey per file. Both are read with the `yaml`
 * package (JSON is YAML), so a syntax error is reported with the file, line and column.
 */

export type FileErrorKind = 'missing' | 'unreadable' | 'syntax';

/** A file that does not exist or cannot be read (a usage error) or does not parse (a validation problem). */
export class JourneyFileError extends Error {
  constructor(
    readonly kind: FileErrorKind,
    readonly file: string,
    message: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
    this.name = 'JourneyFileError';
  }
}

export interface JourneyFile {
  /** The path as given on the command line. */
  file: string;
  /** The parsed data, not validated. */
  data: unknown;
  /** The 1-based line of a value in the file, from a problem path such as `nodes.email-1.next.sent`; best effort. */
  lineOf(path: string | ReadonlyArray<string | number>): number | undefined;
}

export const journeyFileExtensions = ['.yaml', '.yml', '.json'];

export function loadJourneyFile(file: string): JourneyFile {
  let text: string;
  try {
    const stat = statSync(file);
    if (stat.isDirectory()) throw new JourneyFileError('unreadable', file, `${file}: is a directory, not a journey file`);
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof JourneyFileError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new JourneyFileError('missing', file, `${file}: no such file`);
    throw new JourneyFileError('unreadable', file, `${file}: cannot be read: ${(error as Error).message}`);
  }
  return parseJourneyText(file, text);
}

/** Parses the text of a journey file; `file` only names it in messages and picks JSON or YAML wording. */
export function parseJourneyText(file: string, text: string): JourneyFile {
  const lineCounter = new LineCounter();
  const isJson = extname(file).toLowerCase() === '.json';
  const doc = parseDocument(text.replace(/^\uFEFF/, ''), { lineCounter, prettyErrors: false, uniqueKeys: true });

  const [first] = doc.errors;
  if (first) {
    const pos = first.linePos?.[0] ?? lineCounter.linePos(first.pos[0]);
    const message = first.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    const more = doc.errors.length > 1 ? ` (and ${doc.errors.length - 1} more error${doc.errors.length > 2 ? 's' : ''})` : '';
    throw new JourneyFileError(
      'syntax',
      file,
      `${file}:${pos.line}:${pos.col}: invalid ${isJson ? 'JSON' : 'YAML'}: ${message}${more}`,
      pos.line,
      pos.col,
    );
  }
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
    throw new JourneyFileError(
      'syntax',
      file,
      `${file}: the file is empty: a journey file holds one journey (id, name, entry, nodes...)`,
      1,
      1,
    );
  }

  const data: unknown = doc.toJS({ maxAliasCount: 1000 });
  return {
    file,
    data,
    lineOf: (path) => lineOf(doc, lineCounter, path),
  };
}

function lineOf(doc: Document, lineCounter: LineCounter, path: string | ReadonlyArray<string | number>): number | undefined {
  const keys = typeof path === 'string' ? splitPath(path) : path;
  let node: unknown = doc.contents;
  let line = rangeLine(node, lineCounter);
  // As deep as the path goes in the file: a missing field is reported at its parent.
  for (const key of keys) {
    const child = childOf(node, key);
    if (!child) break;
    node = child.value;
    line = child.line ?? line;
  }
  return line;

  function childOf(collection: unknown, key: string | number): { value: unknown; line: number | undefined } | undefined {
    if (isMap(collection)) {
      const pair = collection.items.find((item) => String(isScalar(item.key) ? item.key.value : item.key) === String(key));
      if (!pair) return undefined;
      return { value: pair.value, line: rangeLine(pair.key, lineCounter) ?? rangeLine(pair.value, lineCounter) };
    }
    if (isSeq(collection) && typeof key === 'number') {
      const item = collection.items[key];
      return item === undefined ? undefined : { value: item, line: rangeLine(item, lineCounter) };
    }
    return undefined;
  }
}

function rangeLine(node: unknown, lineCounter: LineCounter): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range ? lineCounter.linePos(range[0]).line : undefined;
}

/** `nodes.s.paths[0].when["profile.country"]` -> ['nodes', 's', 'paths', 0, 'when', 'profile.country'] (the validator's format). */
export function splitPath(path: string): Array<string | number> {
  const segments: Array<string | number> = [];
  const pattern = /\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]|\.?([^.[\]]+)/g;
  for (let match = pattern.exec(path); match; match = pattern.exec(path)) {
    if (match[1] !== undefined) segments.push(Number(match[1]));
    else if (match[2] !== undefined) segments.push(JSON.parse(match[2]) as string);
    else if (match[3] !== undefined) segments.push(match[3]);
  }
  return segments;
}
