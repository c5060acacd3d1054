import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { devPayloadKeys } from '../../infra/dev-config';
import { loadAppConfig } from '../../platform/config';

describe('npm start payload key', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'dev-keys-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is generated into DATA_DIR on the first start (owner-only), then read back, and is a valid PAYLOAD_ENCRYPTION_KEYS', () => {
    const dataDir = join(dir, 'data');
    const first = devPayloadKeys({ DATA_DIR: dataDir }, {});
    expect(statSync(join(dataDir, 'payload-encryption-keys')).mode & 0o777).toBe(0o600);
    expect(devPayloadKeys({ DATA_DIR: dataDir }, {})).toBe(first);
    const [key] = loadAppConfig({ PAYLOAD_ENCRYPTION_KEYS: first }).PAYLOAD_ENCRYPTION_KEYS!;
    expect(key!.key).toHaveLength(32);
  });

  it('takes PAYLOAD_ENCRYPTION_KEYS from the environment when set, writing nothing', () => {
    expect(devPayloadKeys({ DATA_DIR: join(dir, 'none') }, { PAYLOAD_ENCRYPTION_KEYS: 'mine:abc' })).toBe('mine:abc');
    expect(() => statSync(join(dir, 'none'))).toThrow();
  });
});
