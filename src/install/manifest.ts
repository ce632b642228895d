import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { projectRoot } from '../paths';

/** The placeholder that app.json uses for the deployment's public origin. */
export const PUBLIC_BASE_URL_PLACEHOLDER = '{{PUBLIC_BASE_URL}}';

const templatedUrl = z
  .string()
  .refine((value) => value.startsWith(PUBLIC_BASE_URL_PLACEHOLDER) || /^https:\/\//.test(value), {
    message: `must start with ${PUBLIC_BASE_URL_PLACEHOLDER} or https://`,
  });

// Scope names as HubSpot spells them: dot-separated lowercase words (HubSpot "Scopes" reference).
const hubSpotScope = z.string().regex(/^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)*$/, 'is not a HubSpot scope name');

const cardSchema = z.object({
  uid: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'must be lowercase letters, digits and underscores'),
  title: z.string().min(1).max(100),
  description: z.string().min(1).max(500),
  location: z.enum(['crm.record.tab', 'crm.record.sidebar', 'crm.preview']),
  objectTypes: z.array(z.enum(['companies', 'contacts', 'deals', 'tickets'])).min(1),
  entrypoint: z
    .string()
    .regex(/^\/app\/cards\/[A-Za-z0-9_-]+\.(jsx|tsx)$/, 'must be /app/cards/<Name>.jsx or .tsx'),
});

const hubSpotPlatformSchema = z.object({
  distribution: z.enum(['marketplace', 'private']),
  auth: z.object({
    type: z.literal('oauth'),
    redirectUrls: z.array(templatedUrl).min(1),
    installUrl: templatedUrl,
    requiredScopes: z.array(hubSpotScope).min(1),
    optionalScopes: z.array(hubSpotScope).default([]),
  }),
  permittedUrls: z.object({
    fetch: z.array(templatedUrl).min(1),
    iframe: z.array(templatedUrl).default([]),
    img: z.array(templatedUrl).default([]),
  }),
  cards: z.array(cardSchema).min(1),
  lifecycle: z.object({ uninstall: z.string().min(1) }),
});

// Limits from Slack's app manifest reference (the Manifest type of @slack/web-api 7).
const slackScope = z.string().regex(/^[a-z][a-z._-]*(:[a-z._]+)*$/, 'is not a Slack scope name');
const slackPlatformSchema = z.object({
  $comment: z.string().optional(),
  description: z.string().min(1).max(140),
  longDescription: z.string().min(1).max(4000),
  backgroundColor: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a hex color such as #1f3a5f'),
  botUser: z.object({
    displayName: z.string().regex(/^[a-z0-9._-]{1,80}$/, 'must be 1-80 of a-z, 0-9, -, _ and .'),
    alwaysOnline: z.boolean(),
  }),
  installUrl: templatedUrl,
  redirectUrls: z.array(templatedUrl).min(1),
  botScopes: z.array(slackScope).min(1),
  interactivityUrl: templatedUrl,
  events: z.object({
    requestUrl: templatedUrl,
    botEvents: z.array(z.string().regex(/^[a-z_]+$/, 'is not a Slack event type')),
  }),
});

const manifestSchema = z.object({
  $comment: z.string().optional(),
  name: z.string().min(1).max(200),
  uid: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'must be lowercase letters, digits and underscores'),
  description: z.string().min(1).max(8192),
  support: z.object({
    email: z.email(),
    url: z.url(),
    documentationUrl: z.url(),
  }),
  publicBaseUrlPlaceholder: z.literal(PUBLIC_BASE_URL_PLACEHOLDER),
  platforms: z.object({
    hubspot: hubSpotPlatformSchema,
    slack: slackPlatformSchema,
    // Reserved for the next CRM integration; validated once it is built.
    salesforce: z.unknown().optional(),
  }),
  webhooks: z.object({
    stripe: z.object({
      url: templatedUrl,
      events: z.array(z.string().regex(/^[a-z_]+(\.[a-z_]+)+$/, 'is not a Stripe event type')).min(1),
    }),
  }),
});

export type AppManifest = z.infer<typeof manifestSchema>;
export type HubSpotPlatform = AppManifest['platforms']['hubspot'];
export type SlackPlatform = AppManifest['platforms']['slack'];
export type CardDefinition = z.infer<typeof cardSchema>;

export class ManifestError extends Error {
  readonly code = 'invalid_manifest';
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file} is invalid:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

/** Validates parsed app.json; every problem is listed with its JSON path. */
export function parseManifest(value: unknown, file = 'app.json'): AppManifest {
  const result = manifestSchema.safeParse(value);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    throw new ManifestError(file, problems);
  }
  const duplicates = duplicateCardUids(result.data.platforms.hubspot.cards);
  if (duplicates.length > 0)
    throw new ManifestError(file, [`platforms.hubspot.cards: duplicate uid ${duplicates.join(', ')}`]);
  return result.data;
}

function duplicateCardUids(cards: CardDefinition[]): string[] {
  const seen = new Set<string>();
  return cards.map((card) => card.uid).filter((uid) => (seen.has(uid) ? true : (seen.add(uid), false)));
}

export function manifestPath(): string {
  return path.join(projectRoot(), 'app.json');
}

/** Reads and validates app.json from the repository root (or `file`). */
export function loadManifest(file = manifestPath()): AppManifest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ManifestError(file, [`cannot be read as JSON: ${(error as Error).message}`]);
  }
  return parseManifest(parsed, file);
}

/** Replaces the placeholder with the public origin, without a doubled slash. */
export function resolvePublicUrl(template: string, publicBaseUrl: string): string {
  return template.replace(PUBLIC_BASE_URL_PLACEHOLDER, publicBaseUrl.replace(/\/+$/, ''));
}

/** Returns the OAuth redirect URL for this deployment: the first one in the manifest. */
export function hubSpotRedirectUrl(manifest: AppManifest, publicBaseUrl: string): string {
  const [first] = manifest.platforms.hubspot.auth.redirectUrls;
  return resolvePublicUrl(first!, publicBaseUrl);
}

export function hubSpotInstallUrl(manifest: AppManifest, publicBaseUrl: string): string {
  return resolvePublicUrl(manifest.platforms.hubspot.auth.installUrl, publicBaseUrl);
}
