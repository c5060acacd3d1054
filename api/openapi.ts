import { OpenApiGeneratorV31, type OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';

/** The OpenAPI 3.1 document, generated from the same zod schemas that validate requests. */
export function openApiDocument(registry: OpenAPIRegistry) {
  registry.registerComponent('securitySchemes', 'apiKey', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key: `Authorization: Bearer <key>` (or the header `X-API-Key: <key>`).',
  });
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Journeys engine API',
      version: '1',
      description: 'Manage journeys, enrol users and send events. Errors use application/problem+json (RFC 9457).',
    },
  });
}
