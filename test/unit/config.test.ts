import { MAX_PROVIDER_TIMEOUT_MS, SEND_START_TO_CLOSE_MS } from '../../domain/delivery/send-timeouts';
import { ConfigError, loadAppConfig } from '../../platform/config';
import { loadDevConfig } from '../../infra/dev-config';

describe('configuration from the environment', () => {
  it('has working defaults', () => {
    const config = loadAppConfig({});
    expect(config.TEMPORAL_ADDRESS).toBe('127.0.0.1:7233');
    expect(config.API_PORT).toBe(3000);
    expect(config.MONGO_URL).toBe('mongodb://127.0.0.1:27017/journeys');
  });

  it('names every bad variable', () => {
    expect(() => loadAppConfig({ API_PORT: 'eighty', MONGO_URL: 'http://db' })).toThrow(ConfigError);
    try {
      loadAppConfig({ API_PORT: 'eighty', MONGO_URL: 'http://db' });
    } catch (error) {
      expect((error as Error).message).toMatch(/API_PORT/);
      expect((error as Error).message).toMatch(/MONGO_URL: must be a mongodb:\/\/ URL/);
    }
  });

  it('validates the dev launcher ports too', () => {
    expect(() => loadDevConfig({ TEMPORAL_UI_PORT: '70000' })).toThrow(/TEMPORAL_UI_PORT/);
    expect(loadDevConfig({}).TEMPORAL_UI_PORT).toBe(8233);
  });

  it('reads the metrics ports (0 turns a listener off) and the worker tuning', () => {
    const config = loadAppConfig({ WORKER_METRICS_PORT: '0', WORKER_MAX_CACHED_WORKFLOWS: '500', WORKER_STICKY_QUEUE_TIMEOUT_MS: '3000' });
    expect(config.WORKER_METRICS_PORT).toBe(0);
    expect(config.WORKER_SDK_METRICS_PORT).toBe(9465);
    expect(config.WORKER_MAX_CACHED_WORKFLOWS).toBe(500);
    expect(config.WORKER_STICKY_QUEUE_TIMEOUT_MS).toBe(3000);
    expect(() => loadAppConfig({ WORKER_MAX_TASK_POLLS: '1' })).toThrow(/WORKER_MAX_TASK_POLLS/);
  });

  it('reads the webhook allow list (host names, IPs, CIDRs) and names a bad entry', () => {
    expect(loadAppConfig({}).WEBHOOK_ALLOW_HOSTS).toEqual([]);
    expect(loadAppConfig({ WEBHOOK_ALLOW_HOSTS: ' CRM.internal, 10.1.0.0/16,[::1],, fd00::/8 ' }).WEBHOOK_ALLOW_HOSTS).toEqual([
      'crm.internal',
      '10.1.0.0/16',
      '[::1]',
      'fd00::/8',
    ]);
    for (const bad of ['10.0.0.0/33', 'crm/8', 'a b', 'https://crm.internal']) {
      expect(() => loadAppConfig({ WEBHOOK_ALLOW_HOSTS: bad })).toThrow(/WEBHOOK_ALLOW_HOSTS: ".*" is not a host name, an IP or a CIDR/);
    }
  });

  it('refuses a provider timeout that does not fit inside the send activity', () => {
    expect(loadAppConfig({ PROVIDER_TIMEOUT_MS: String(MAX_PROVIDER_TIMEOUT_MS) }).PROVIDER_TIMEOUT_MS).toBe(MAX_PROVIDER_TIMEOUT_MS);
    expect(MAX_PROVIDER_TIMEOUT_MS).toBeLessThan(SEND_START_TO_CLOSE_MS);
    for (const refused of [MAX_PROVIDER_TIMEOUT_MS + 1, SEND_START_TO_CLOSE_MS, 120_000]) {
      expect(() => loadAppConfig({ PROVIDER_TIMEOUT_MS: String(refused) })).toThrow(/PROVIDER_TIMEOUT_MS: must be at most/);
    }
  });

  it('reads how often the retention schedule runs (at least PT1H)', () => {
    expect(loadAppConfig({}).RETENTION_EVERY).toBe('P1D');
    expect(loadAppConfig({ RETENTION_EVERY: 'PT6H' }).RETENTION_EVERY).toBe('PT6H');
    expect(() => loadAppConfig({ RETENTION_EVERY: 'PT5M' })).toThrow(/RETENTION_EVERY: must be at least PT1H/);
    expect(() => loadAppConfig({ RETENTION_EVERY: 'daily' })).toThrow(/RETENTION_EVERY/);
    expect(loadAppConfig({}).VERSION_SWEEP_EVERY).toBe('PT1M');
    expect(loadAppConfig({ VERSION_SWEEP_EVERY: 'PT5M' }).VERSION_SWEEP_EVERY).toBe('PT5M');
    expect(() => loadAppConfig({ VERSION_SWEEP_EVERY: 'PT1S' })).toThrow(/VERSION_SWEEP_EVERY: must be between PT10S and PT1H/);
    expect(() => loadAppConfig({ VERSION_SWEEP_EVERY: 'P1D' })).toThrow(/VERSION_SWEEP_EVERY/);
  });
});
