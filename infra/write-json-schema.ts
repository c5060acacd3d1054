/**
 * Writes `schema/journey.schema.json`, the JSON Schema of journey files (for editors: point the YAML or JSON
 * language server at it). Run: `npx tsx infra/write-json-schema.ts [output path]`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { journeyJsonSchema } from '../domain/definition/json-schema';

export function writeJourneyJsonSchema(target = resolve(__dirname, '../schema/journey.schema.json')): string {
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, `${JSON.stringify(journeyJsonSchema(), null, 2)}\n`);
  return target;
}

if (require.main === module) {
  const written = writeJourneyJsonSchema(process.argv[2] ? resolve(process.argv[2]) : undefined);
  console.log(`wrote ${written}`);
}
