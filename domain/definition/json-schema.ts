import { z } from 'zod';
import { journeyDefinitionSchema } from './schema';

export const JOURNEY_SCHEMA_ID = 'https://journeys.dev/schema/journey.schema.json';

/**
 * The JSON Schema (draft-07, the draft editors support best) of the journey file format, as written by people:
 * fields with defaults are optional. Generated from the zod schema, so it never drifts from what the API accepts.
 * Rules that a JSON Schema cannot say (graph, weights, templates...) are checked by `validateDefinition`.
 */
export function journeyJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(journeyDefinitionSchema, {
    target: 'draft-7',
    io: 'input',
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  const { $schema, ...rest } = schema;
  return { $schema, $id: JOURNEY_SCHEMA_ID, ...rest };
}
