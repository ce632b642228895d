import { main } from '../../src/cli';
import { SecretBox } from '../../src/db/crypto';
import { tenantForApiKey } from '../../src/tenants/tenants';
import { testEncryptionKey } from '../support/config';
import { createTestDatabase, type TestDatabase } from '../support/database';

describe('csm-payments CLI', () => {
  let database: TestDatabase;
  const savedEnv = { ...process.env };
  let output: string[];

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  beforeEach(() => {
    Object.assign(process.env, {
      DATABASE_URL: database.url,
      TOKEN_ENCRYPTION_KEYS: `test:${testEncryptionKey}`,
      TOKEN_ENCRYPTION_KEY_ID: 'test',
      PUBLIC_BASE_URL: 'https://payments.example.com',
      LOG_LEVEL: 'silent',
    });
    output = [];
    jest.spyOn(console, 'log').mockImplementation((line: string) => void output.push(line));
  });
  afterEach(() => {
    jest.restoreAllMocks();
    process.env = { ...savedEnv };
  });
  afterAll(() => database.drop());

  it('tenant create prints id, webhook URL and API key', async () => {
    await main([
      'tenant',
      'create',
      '--name',
      'Acme',
      '--stripe-webhook-secret',
      'whsec_cli_test_secret',
      '--json',
    ]);
    const created = JSON.parse(output.join('\n'));
    expect(created.webhookUrl).toBe(`https://payments.example.com/webhooks/stripe/${created.tenantId}`);
    expect(await tenantForApiKey(database.db, created.apiKey)).toBe(created.tenantId);
  });

  it('tenant create stores the HubSpot token sealed', async () => {
    await main([
      'tenant',
      'create',
      '--name',
      'Globex',
      '--stripe-webhook-secret',
      'whsec_cli_test_secret',
      '--hubspot-portal-id',
      '123',
      '--hubspot-token',
      'pat-secret-token',
      '--create-crm-companies',
      '--json',
    ]);
    const { tenantId } = JSON.parse(output.join('\n'));
    const connection = await database.db
      .selectFrom('crm_connections')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .executeTakeFirstOrThrow();
    expect(connection.access_token_sealed).not.toContain('pat-secret-token');
    const box = new SecretBox(new Map([['test', Buffer.from(testEncryptionKey, 'base64')]]), 'test');
    expect(box.open(connection.access_token_sealed)).toBe('pat-secret-token');
    const tenant = await database.db
      .selectFrom('tenants')
      .select('settings')
      .where('id', '=', tenantId)
      .executeTakeFirstOrThrow();
    expect(tenant.settings.createCrmCompanies).toBe(true);
  });

  it('rejects a secret without the whsec_ prefix', async () => {
    await expect(
      main(['tenant', 'create', '--name', 'Acme', '--stripe-webhook-secret', 'sk_live_oops']),
    ).rejects.toThrow('Stripe webhook signing secret must be "whsec_" followed by at least 8 characters');
  });

  it('rejects a HubSpot token without a portal id', async () => {
    await expect(
      main([
        'tenant',
        'create',
        '--name',
        'Acme',
        '--stripe-webhook-secret',
        'whsec_cli_test_secret',
        '--hubspot-token',
        't',
      ]),
    ).rejects.toThrow('--hubspot-portal-id and --hubspot-token go together');
  });

  it('lists every configuration problem', async () => {
    delete process.env.TOKEN_ENCRYPTION_KEYS;
    process.env.PORT = 'abc';
    const failure = main(['migrate']);
    await expect(failure).rejects.toThrow(/TOKEN_ENCRYPTION_KEYS: missing; set it/);
    await expect(failure).rejects.toThrow(/PORT: .* \(got "abc"\)/);
  });

  it('tenant set-stripe-key stores the key sealed', async () => {
    await main([
      'tenant',
      'create',
      '--name',
      'Initech',
      '--stripe-webhook-secret',
      'whsec_cli_test_secret',
      '--json',
    ]);
    const { tenantId } = JSON.parse(output.join('\n'));
    await main([
      'tenant',
      'set-stripe-key',
      '--tenant',
      tenantId,
      '--stripe-api-key',
      'rk_test_51CliKey0123456789abcdef',
    ]);
    const tenant = await database.db
      .selectFrom('tenants')
      .select('stripe_api_key_sealed')
      .where('id', '=', tenantId)
      .executeTakeFirstOrThrow();
    expect(tenant.stripe_api_key_sealed).not.toContain('rk_test_51CliKey0123456789abcdef');
    const box = new SecretBox(new Map([['test', Buffer.from(testEncryptionKey, 'base64')]]), 'test');
    expect(box.open(tenant.stripe_api_key_sealed!)).toBe('rk_test_51CliKey0123456789abcdef');
  });

  it('rejects a second tenant for one HubSpot portal', async () => {
    const args = [
      '--stripe-webhook-secret',
      'whsec_cli_test_secret',
      '--hubspot-portal-id',
      '777',
      '--hubspot-token',
      't',
    ];
    await main(['tenant', 'create', '--name', 'First', ...args]);
    await expect(main(['tenant', 'create', '--name', 'Second', ...args])).rejects.toThrow(
      /HubSpot portal 777 is already connected to tenant/,
    );
  });

  it.each([['not-a-uuid'], ['00000000-0000-4000-8000-000000000000']])(
    'add-webhook-secret rejects unknown tenant %s',
    async (tenant) => {
      await expect(
        main([
          'tenant',
          'add-webhook-secret',
          '--tenant',
          tenant,
          '--stripe-webhook-secret',
          'whsec_cli_test_secret',
        ]),
      ).rejects.toThrow(`No tenant "${tenant}"`);
    },
  );

  it('turns an unknown option into a usage error', async () => {
    await expect(main(['tenant', 'create', '--bogus'])).rejects.toThrow(/Unknown option '--bogus'/);
  });

  it('rejects a missing tenant command', async () => {
    await expect(main(['tenant'])).rejects.toThrow(/Unknown tenant command ""; use one of: create/);
  });

  it('rejects an unknown command', async () => {
    await expect(main(['launch'])).rejects.toThrow('Unknown command "launch"');
  });
});
