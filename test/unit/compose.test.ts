import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { appConfigSchema } from '../../platform/config';
import { searchAttributeKeys, searchAttributesForCli } from '../../domain/search-attributes';

/**
 * Static checks of temporal-docker/: the compose file must configure the worker and the API with exactly the
 * variables of appConfigSchema, with defaults that validate, and register every search attribute of the engine.
 */

const dockerDir = path.join(__dirname, '../../temporal-docker');
const composeText = readFileSync(path.join(__dirname, '../../temporal-docker/docker-compose.yml'), 'utf8');
const envExampleText = readFileSync(path.join(dockerDir, '.env.example'), 'utf8');

interface ComposeService {
  image?: string;
  build?: { context?: string; dockerfile?: string };
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, string | number | boolean | null>;
  ports?: (string | { target: number; published: string | number })[];
  depends_on?: Record<string, { condition?: string }>;
}

const compose = parse(composeText) as { services: Record<string, ComposeService> };
const services = compose.services;
const schemaKeys = Object.keys(appConfigSchema.shape).sort();

/** Compose interpolation in a value: `${VAR:-default}` / `${VAR-default}` become the default, `$$` becomes `$`. */
function resolveDefaults(value: string): string {
  return value
    .replace(/(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}/g, (_match, name: string, fallback?: string) => {
      if (fallback === undefined) throw new Error(`\${${name}} has no default`);
      return fallback;
    })
    .replace(/\$\$/g, '$');
}

function service(name: string): ComposeService {
  const found = services[name];
  if (!found) throw new Error(`service ${name} missing`);
  return found;
}

function rawEnvironment(name: string): Record<string, string> {
  const env = service(name).environment;
  if (!env || Array.isArray(env)) throw new Error(`service ${name}: environment must be a map`);
  return Object.fromEntries(Object.entries(env).map(([key, value]) => [key, String(value ?? '')]));
}

function resolvedEnvironment(name: string): Record<string, string> {
  return Object.fromEntries(Object.entries(rawEnvironment(name)).map(([key, value]) => [key, resolveDefaults(value)]));
}

/** Host ports published by a service, after interpolation. */
function publishedPorts(name: string): { host: number; container: number }[] {
  return (service(name).ports ?? []).map((port) => {
    if (typeof port !== 'string') return { host: Number(port.published), container: port.target };
    const parts = resolveDefaults(port).split(':');
    return { host: Number(parts.at(-2)), container: Number(parts.at(-1)) };
  });
}

/** Every string value of a parsed YAML document. */
function stringValues(node: unknown): string[] {
  if (typeof node === 'string') return [node];
  if (Array.isArray(node)) return node.flatMap(stringValues);
  if (node !== null && typeof node === 'object') return Object.values(node).flatMap(stringValues);
  return [];
}

function commandText(name: string): string {
  const { command } = service(name);
  return resolveDefaults(Array.isArray(command) ? command.join('\n') : (command ?? ''));
}

describe('temporal-docker/docker-compose.yml', () => {
  it('defines every service of the deployment', () => {
    for (const name of ['postgresql', 'temporal', 'temporal-admin-tools', 'temporal-ui', 'mongodb', 'worker', 'api']) {
      expect(services).toHaveProperty([name]);
    }
  });

  it('publishes Temporal on 7233, the UI on 8233 and the API on 3000', () => {
    expect(publishedPorts('temporal')).toContainEqual({ host: 7233, container: 7233 });
    expect(publishedPorts('temporal-ui')).toContainEqual({ host: 8233, container: 8080 });
    expect(publishedPorts('api')).toContainEqual({ host: 3000, container: 3000 });
  });

  it('builds the worker and the API from temporal-docker/Dockerfile and starts the compiled entry points', () => {
    for (const [name, entry] of [
      ['worker', 'dist/worker/main.js'],
      ['api', 'dist/api/main.js'],
    ] as const) {
      expect(service(name).build).toEqual({ context: '..', dockerfile: 'temporal-docker/Dockerfile' });
      expect(commandText(name)).toContain(entry);
      expect(service(name).depends_on?.['temporal-admin-tools']?.condition).toBe('service_completed_successfully');
      expect(service(name).depends_on?.mongodb?.condition).toBe('service_healthy');
    }
  });

  describe.each(['worker', 'api'])('%s environment', (name) => {
    it('sets exactly the variables of appConfigSchema', () => {
      const keys = Object.keys(rawEnvironment(name)).sort();
      const unknown = keys.filter((key) => !schemaKeys.includes(key));
      const missing = schemaKeys.filter((key) => !keys.includes(key));
      expect({ unknown, missing }).toEqual({ unknown: [], missing: [] });
    });

    it('validates against appConfigSchema with the defaults', () => {
      const result = appConfigSchema.safeParse(resolvedEnvironment(name));
      expect(result.error?.issues).toBeUndefined();
      expect(result.success).toBe(true);
    });

    it('reaches the compose services and listens on all interfaces', () => {
      const config = appConfigSchema.parse(resolvedEnvironment(name));
      expect(new URL(config.MONGO_URL).hostname).toBe('mongodb');
      expect(config.TEMPORAL_ADDRESS).toBe('temporal:7233');
      expect(config.API_HOST).toBe('0.0.0.0');
    });
  });

  it('rejects a corrupted environment (the schema check can fail)', () => {
    const corrupted = { ...resolvedEnvironment('worker'), API_PORT: 'abc' };
    const result = appConfigSchema.safeParse(corrupted);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toContain('API_PORT');
  });

  it('registers every search attribute of the engine, in the namespace of the worker', () => {
    const command = commandText('temporal-admin-tools');
    const cli = searchAttributesForCli();
    expect(cli).toHaveLength(searchAttributeKeys.length);
    for (const [index, key] of searchAttributeKeys.entries()) {
      const spec = cli[index]!;
      const [name, type] = spec.split('=');
      expect(name).toBe(key.name);
      expect(command).toContain(
        `temporal operator search-attribute create --namespace ${resolvedEnvironment('worker').TEMPORAL_NAMESPACE} --name ${name} --type ${type}\n`,
      );
    }
    const registered = command.match(/search-attribute create /g) ?? [];
    expect(registered).toHaveLength(searchAttributeKeys.length);
  });

  it('lists every interpolated variable in .env.example', () => {
    // Compose interpolates the values of the document (not its comments); `$$` is a literal `$` for the shell.
    const used = new Set<string>();
    for (const value of stringValues(compose)) {
      for (const match of value.matchAll(/(?<!\$)\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)) used.add(match[1]!);
    }
    const listed = new Set(
      envExampleText
        .split('\n')
        .map((line) => /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(line.trim())?.[1])
        .filter((name): name is string => name !== undefined),
    );
    expect(used.size).toBeGreaterThan(0);
    expect([...used].filter((name) => !listed.has(name))).toEqual([]);
  });
});
