import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { appConfigSchema } from '../../platform/config';
import { devConfigSchema } from '../../infra/dev-config';
import { keyComments } from '../../infra/docs/config-reference';
import { CONFIGURATION_DOC, JOURNEY_FORMAT_DOC, configurationDoc, journeyFormatDoc } from '../../infra/write-docs';

const root = resolve(__dirname, '../..');
const stale = 'is stale: run `npx tsx infra/write-docs.ts` and commit the result';

describe('generated docs', () => {
  it(`docs/configuration.md matches the config schemas (else it ${stale})`, () => {
    expect(readFileSync(CONFIGURATION_DOC, 'utf8')).toBe(configurationDoc());
  });

  it(`the reference in docs/journey-format.md matches the journey JSON Schema (else it ${stale})`, () => {
    const current = readFileSync(JOURNEY_FORMAT_DOC, 'utf8');
    expect(current).toBe(journeyFormatDoc(current));
  });

  it.each([
    ['platform/config.ts', 'appConfigSchema', Object.keys(appConfigSchema.shape)],
    ['infra/dev-config.ts', 'devConfigSchema', Object.keys(devConfigSchema.shape)],
  ])('every variable of %s says what it means (a doc comment on its key)', (file, name, keys) => {
    const comments = keyComments(resolve(root, file), name);
    expect(keys.filter((key) => !comments.get(key))).toEqual([]);
  });
});
