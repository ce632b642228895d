import { randomBytes } from 'node:crypto';
import { loadConfig, type Config } from '../../src/config';

export const testEncryptionKey = randomBytes(32).toString('base64');

/** A valid configuration for tests; each test passes what it needs to differ. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    TOKEN_ENCRYPTION_KEYS: `test:${testEncryptionKey}`,
    TOKEN_ENCRYPTION_KEY_ID: 'test',
    QUEUE_PREFIX: `csm-test-${randomBytes(4).toString('hex')}`,
    ...overrides,
  });
}
