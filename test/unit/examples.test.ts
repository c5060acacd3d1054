import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { nodeSchema } from '../../domain/definition/schema';
import { validateDefinition } from '../../domain/definition/validate';

const dir = join(__dirname, '../../examples');
const files = readdirSync(dir).filter((name) => /\.(ya?ml|json)$/.test(name));

describe('examples/', () => {
  const definitions = files.map((file) => ({ file, result: validateDefinition(parse(readFileSync(join(dir, file), 'utf8'))) }));

  it.each(definitions.map((d) => [d.file, d.result] as const))('%s passes every publish rule', (_file, result) => {
    expect(result.ok ? [] : result.problems).toEqual([]);
  });

  it('use every node type together', () => {
    const used = new Set(definitions.flatMap(({ result }) => (result.ok ? Object.values(result.definition.nodes).map((n) => n.type) : [])));
    const all = nodeSchema.options.map((option) => option.shape.type.value);
    expect([...used].sort()).toEqual([...all].sort());
  });
});
