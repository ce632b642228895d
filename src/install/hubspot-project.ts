/**
 * Builds the HubSpot developer-platform project (platform version 2026.03) from app.json. Field
 * names follow HubSpot's "App configuration" reference
 * (developers.hubspot.com/docs/apps/developer-platform/build-apps/app-configuration) and the "App
 * cards reference" (developers.hubspot.com/docs/apps/developer-platform/add-features/
 * ui-extensions/extension-points/app-cards/reference). Classic CRM cards with a data-fetch URL
 * are sunset, so only React app cards are generated.
 */
import path from 'node:path';
import { resolvePublicUrl, type AppManifest, type CardDefinition } from './manifest';

export const HUBSPOT_PLATFORM_VERSION = '2026.03';

/** Public origin of the checked-in project files; deployments regenerate with their own origin. */
export const CHECKED_IN_PUBLIC_BASE_URL = 'http://localhost:3000';

/** Folder of the HubSpot project, relative to the repository root. */
export const HUBSPOT_PROJECT_DIR = path.join('cards', 'hubspot');

export interface GeneratedFile {
  /** Path relative to the repository root. */
  path: string;
  content: string;
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

function projectFile(manifest: AppManifest): GeneratedFile {
  const content = { name: manifest.uid.replace(/_/g, '-'), srcDir: 'src', platformVersion: HUBSPOT_PLATFORM_VERSION };
  return { path: path.join(HUBSPOT_PROJECT_DIR, 'hsproject.json'), content: json(content) };
}

function appFile(manifest: AppManifest, publicBaseUrl: string): GeneratedFile {
  const hubspot = manifest.platforms.hubspot;
  const resolve = (urls: string[]) => urls.map((url) => resolvePublicUrl(url, publicBaseUrl));
  const content = {
    uid: `${manifest.uid}_app`,
    type: 'app',
    config: {
      name: manifest.name,
      description: manifest.description,
      distribution: hubspot.distribution,
      auth: {
        type: hubspot.auth.type,
        redirectUrls: resolve(hubspot.auth.redirectUrls),
        requiredScopes: hubspot.auth.requiredScopes,
        optionalScopes: hubspot.auth.optionalScopes,
        conditionallyRequiredScopes: [],
      },
      permittedUrls: {
        fetch: resolve(hubspot.permittedUrls.fetch),
        iframe: resolve(hubspot.permittedUrls.iframe),
        img: resolve(hubspot.permittedUrls.img),
      },
      support: {
        supportEmail: manifest.support.email,
        documentationUrl: manifest.support.documentationUrl,
        supportUrl: manifest.support.url,
      },
    },
  };
  return { path: path.join(HUBSPOT_PROJECT_DIR, 'src', 'app', 'app-hsmeta.json'), content: json(content) };
}

function cardFile(card: CardDefinition): GeneratedFile {
  const content = {
    uid: card.uid,
    type: 'card',
    config: {
      name: card.title,
      description: card.description,
      location: card.location,
      entrypoint: card.entrypoint,
      objectTypes: card.objectTypes,
    },
  };
  const file = path.join(HUBSPOT_PROJECT_DIR, 'src', 'app', 'cards', `${card.uid}-hsmeta.json`);
  return { path: file, content: json(content) };
}

/** Returns every generated file, in a stable order. Pure: the caller writes them. */
export function buildHubSpotProject(manifest: AppManifest, publicBaseUrl: string): GeneratedFile[] {
  return [
    projectFile(manifest),
    appFile(manifest, publicBaseUrl),
    ...manifest.platforms.hubspot.cards.map((card) => cardFile(card)),
  ];
}
