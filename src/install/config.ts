import { z } from 'zod';
import { ConfigError } from '../config';

const installConfigSchema = z.object({
  /** Client id and secret from the app's Auth tab in HubSpot; without them the install routes return 503. */
  HUBSPOT_CLIENT_ID: z.string().min(1).optional(),
  HUBSPOT_CLIENT_SECRET: z.string().min(1).optional(),
  /** Host of the token endpoint (POST /oauth/v3/token); tests and the emulator override it. */
  HUBSPOT_OAUTH_BASE_URL: z.url().default('https://api.hubapi.com'),
  /** Host of the consent page (GET /oauth/authorize). */
  HUBSPOT_APP_BASE_URL: z.url().default('https://app.hubspot.com'),
});

export type InstallConfig = z.infer<typeof installConfigSchema>;

/** Reads the HubSpot app settings from the environment, in the same way as loadConfig. */
export function loadInstallConfig(env: NodeJS.ProcessEnv = process.env): InstallConfig {
  const result = installConfigSchema.safeParse(env);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const name = issue.path.join('.');
      return `${name}: ${issue.message} (got "${env[name] ?? ''}")`;
    }),
  );
}

export interface HubSpotAppCredentials {
  clientId: string;
  clientSecret: string;
}

/** Returns the client credentials, or null when either is missing. */
export function hubSpotAppCredentials(config: InstallConfig): HubSpotAppCredentials | null {
  if (!config.HUBSPOT_CLIENT_ID || !config.HUBSPOT_CLIENT_SECRET) return null;
  return { clientId: config.HUBSPOT_CLIENT_ID, clientSecret: config.HUBSPOT_CLIENT_SECRET };
}
