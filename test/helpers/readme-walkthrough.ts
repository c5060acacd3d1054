import { readFileSync } from 'node:fs';

/** One command of a walkthrough block and the fragments its output must contain (`#> ...` lines after it). */
export interface WalkthroughStep {
  command: string;
  expect: string[];
}

/** A ```bash block preceded by `<!-- walkthrough -->`: the first one sets up the shell, the rest are steps. */
export interface Walkthrough {
  setup: string;
  steps: WalkthroughStep[];
}

const BLOCK = /<!-- walkthrough -->\s*\n```bash\n([\s\S]*?)```/g;

/**
 * Reads the walkthrough blocks of a markdown file. A step is a command (a heredoc runs to its end marker,
 * a line ending in `\` continues) followed by its `#> fragment` lines; the readers see the fragments as the
 * answer to expect, the test checks them.
 */
export function readWalkthrough(path: string): Walkthrough {
  const blocks = [...readFileSync(path, 'utf8').matchAll(BLOCK)].map((match) => match[1]!);
  if (blocks.length < 2) throw new Error(`${path}: expected a setup block and at least one step block marked <!-- walkthrough -->`);
  return { setup: blocks[0]!, steps: blocks.slice(1).flatMap(stepsOf) };
}

function stepsOf(block: string): WalkthroughStep[] {
  const steps: WalkthroughStep[] = [];
  const lines = block.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    if (line.startsWith('#>')) {
      const last = steps.at(-1);
      if (!last) throw new Error(`an expectation before any command: ${line}`);
      last.expect.push(line.slice(2).trim());
      continue;
    }
    const command = [line];
    const heredoc = /<<'?(\w+)'?/.exec(line)?.[1];
    if (heredoc) {
      while (i + 1 < lines.length && lines[i] !== heredoc) command.push(lines[++i]!);
    } else {
      while (command.at(-1)!.endsWith('\\') && i + 1 < lines.length) command.push(lines[++i]!);
    }
    steps.push({ command: command.join('\n'), expect: [] });
  }
  return steps;
}
