import { ConfigError, loadConfig } from '../../src/config';

describe('loadConfig', () => {
  const key = Buffer.alloc(32, 7).toString('base64');

  it('applies defaults', () => {
    const config = loadConfig({ TOKEN_ENCRYPTION_KEYS: `k1:${key}`, TOKEN_ENCRYPTION_KEY_ID: 'k1' });
    expect(config.PORT).toBe(3000);
    expect(config.HUBSPOT_REQUESTS_PER_10S).toBe(110);
    expect(config.TOKEN_ENCRYPTION_KEYS.get('k1')?.length).toBe(32);
  });

  it('lists every problem at once', () => {
    let thrown: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        TOKEN_ENCRYPTION_KEYS: 'k1:short',
        TOKEN_ENCRYPTION_KEY_ID: 'k2',
        REDIS_URL: 'nope',
      });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const problems = (thrown as ConfigError).problems.join('\n');
    expect(problems).toMatch(/^PORT: /m);
    expect(problems).toMatch(/^REDIS_URL: /m);
    expect(problems).toMatch(/TOKEN_ENCRYPTION_KEYS: entry "k1:…" must be KEY_ID:BASE64 with a 32-byte key/);
  });

  it('rejects a current key id missing from the key list', () => {
    expect(() => loadConfig({ TOKEN_ENCRYPTION_KEYS: `k1:${key}`, TOKEN_ENCRYPTION_KEY_ID: 'k2' })).toThrow(
      /TOKEN_ENCRYPTION_KEY_ID: "k2" is not one of the key ids/,
    );
  });
});

describe('loadConfig secrets and empty values', () => {
  const key = Buffer.alloc(32, 7).toString('base64');

  it('hides secret values in errors', () => {
    expect(() =>
      loadConfig({ TOKEN_ENCRYPTION_KEYS: `k0:short,k1:${key}`, TOKEN_ENCRYPTION_KEY_ID: 'k1' }),
    ).toThrow(/TOKEN_ENCRYPTION_KEYS: .*\(got "\[hidden\]"\)/);
    let message = '';
    try {
      loadConfig({ TOKEN_ENCRYPTION_KEYS: `k0:short,k1:${key}`, TOKEN_ENCRYPTION_KEY_ID: 'k1' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).not.toContain(key);
  });

  it('masks a URL password', () => {
    expect(() =>
      loadConfig({
        TOKEN_ENCRYPTION_KEYS: `k1:${key}`,
        TOKEN_ENCRYPTION_KEY_ID: 'k1',
        QUEUE_PREFIX: 'bad prefix!',
        PUBLIC_BASE_URL: 'not a url with //user:hunter2@host',
      }),
    ).toThrow(/\/\/user:\*\*\*@host/);
  });

  it('treats an empty variable as unset', () => {
    const config = loadConfig({
      PORT: '',
      TOKEN_ENCRYPTION_KEYS: `k1:${key}`,
      TOKEN_ENCRYPTION_KEY_ID: 'k1',
    });
    expect(config.PORT).toBe(3000);
  });
});
