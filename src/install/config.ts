import { z } from 'zod';
import { ConfigError, hubspotAppFields } from '../config';

// The same fields as the main configuration, so `loadConfig` lists their problems at start-up too.
const installConfigSchema = z.object(hubspotAppFields);

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
