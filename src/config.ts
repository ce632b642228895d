import { z } from 'zod';

const encryptionKeyList = z
  .string()
  .min(1)
  .transform((value, ctx) => {
    const keys = new Map<string, Buffer>();
    for (const entry of value.split(',')) {
      const [keyId, encoded] = entry.trim().split(':');
      const key = encoded ? Buffer.from(encoded, 'base64') : Buffer.alloc(0);
      if (!keyId || key.length !== 32) {
        ctx.addIssue({
          code: 'custom',
          message: `entry "${keyId ?? ''}:…" must be KEY_ID:BASE64 with a 32-byte key (openssl rand -base64 32)`,
        });
        continue;
      }
      keys.set(keyId, key);
    }
    return keys;
  });

/** HubSpot app (OAuth) settings. Without the client id and secret, install and card routes respond with 503. */
export const hubspotAppFields = {
  HUBSPOT_CLIENT_ID: z.string().min(1).optional(),
  HUBSPOT_CLIENT_SECRET: z.string().min(1).optional(),
  /** Host of the token endpoint (POST /oauth/v3/token); tests and the emulator override it. */
  HUBSPOT_OAUTH_BASE_URL: z.url().default('https://api.hubapi.com'),
  /** Host of the consent page (GET /oauth/authorize). */
  HUBSPOT_APP_BASE_URL: z.url().default('https://app.hubspot.com'),
};

// --- Slack app settings (Slack install) ---
/** Slack app settings. Without the client id and the three secrets, the /slack/* routes return 503. */
export const slackAppFields = {
  SLACK_CLIENT_ID: z.string().min(1).optional(),
  SLACK_CLIENT_SECRET: z.string().min(1).optional(),
  /** Verifies the X-Slack-Signature of event and interactivity requests. */
  SLACK_SIGNING_SECRET: z.string().min(1).optional(),
  /** Signs the OAuth state and the install links; generate it with `openssl rand -base64 32`. */
  SLACK_STATE_SECRET: z
    .string()
    .min(32, 'must be at least 32 characters (openssl rand -base64 32)')
    .optional(),
  /** Base URL of the Slack Web API; tests and the local emulator override it. */
  SLACK_API_URL: z.url().default('https://slack.com/api/'),
};
// --- end of Slack app settings ---

// --- Slack Web API client settings (Slack posting) ---
export const slackApiFields = {
  /** Timeout of one Slack Web API request, in milliseconds. */
  SLACK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
};
// --- end of Slack Web API client settings ---

const configSchema = z
  .object({
    ...hubspotAppFields,
    ...slackApiFields,
    ...slackAppFields,
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    HOST: z.string().default('127.0.0.1'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    PUBLIC_BASE_URL: z.url().default('http://127.0.0.1:3000'),
    DATABASE_URL: z.url().default('postgres://postgres@127.0.0.1:5432/csm_payments'),
    REDIS_URL: z.url().default('redis://127.0.0.1:6379'),
    QUEUE_PREFIX: z
      .string()
      .regex(/^[a-z0-9:_-]+$/i)
      .default('csm'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    TOKEN_ENCRYPTION_KEYS: encryptionKeyList,
    TOKEN_ENCRYPTION_KEY_ID: z.string().min(1),
    STRIPE_WEBHOOK_TOLERANCE_SECONDS: z.coerce.number().int().min(1).max(3600).default(300),
    STRIPE_API_BASE_URL: z.url().default('https://api.stripe.com'),
    HUBSPOT_API_BASE_URL: z.url().default('https://api.hubapi.com'),
    HUBSPOT_REQUESTS_PER_10S: z.coerce.number().int().min(1).max(1000).default(110),
    HUBSPOT_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
    HUBSPOT_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(4),
    CRM_SYNC_DEBOUNCE_MS: z.coerce.number().int().min(0).max(600_000).default(2000),
    OUTBOX_POLL_MS: z.coerce.number().int().min(50).max(600_000).default(1000),
    WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
    WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  })
  .superRefine((config, ctx) => {
    if (!config.TOKEN_ENCRYPTION_KEYS.has(config.TOKEN_ENCRYPTION_KEY_ID)) {
      ctx.addIssue({
        code: 'custom',
        path: ['TOKEN_ENCRYPTION_KEY_ID'],
        message: `"${config.TOKEN_ENCRYPTION_KEY_ID}" is not one of the key ids in TOKEN_ENCRYPTION_KEYS`,
      });
    }
  });

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  readonly code = 'invalid_configuration';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

/** Variables whose values never appear in an error message. */
const secretName = /KEY|SECRET|TOKEN|PASSWORD/;

function shownValue(name: string, value: string | undefined): string {
  if (value === undefined) return '';
  if (secretName.test(name)) return '[hidden]';
  return value.replace(/\/\/([^:/@]+):([^@]+)@/, '//$1:***@');
}

/** Parses the environment, listing every problem at once so an operator can fix them in one pass. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable (PORT=) means "not set", so it takes the default instead of becoming 0.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const result = configSchema.safeParse(present);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join('.') || 'environment';
    if (issue.code === 'invalid_type' && present[name] === undefined)
      return `${name}: missing; set it (see README, Configuration)`;
    return `${name}: ${issue.message} (got "${shownValue(name, present[name])}")`;
  });
  throw new ConfigError(problems);
}
