import path from 'node:path';
import { PUBLIC_BASE_URL_PLACEHOLDER, resolvePublicUrl, type AppManifest } from '../../install/manifest';

/** Path of the checked-in Slack app manifest, relative to the repository root. */
export const SLACK_MANIFEST_FILE = path.join('slack', 'manifest.json');

/** Slack's app manifest format (schema version 1), limited to the settings this app uses. */
export interface SlackAppManifest {
  _metadata: { major_version: 1; minor_version: 1 };
  display_information: {
    name: string;
    description: string;
    long_description: string;
    background_color: string;
  };
  features: { bot_user: { display_name: string; always_online: boolean } };
  oauth_config: { redirect_urls: string[]; scopes: { bot: string[] } };
  settings: {
    event_subscriptions: { request_url: string; bot_events: string[] };
    interactivity: { is_enabled: true; request_url: string };
    org_deploy_enabled: false;
    socket_mode_enabled: false;
    token_rotation_enabled: false;
  };
}

/** Builds the Slack app manifest from the slack block of app.json for one public origin. */
export function buildSlackManifest(manifest: AppManifest, publicBaseUrl: string): SlackAppManifest {
  const slack = manifest.platforms.slack;
  const url = (template: string) => resolvePublicUrl(template, publicBaseUrl);
  return {
    _metadata: { major_version: 1, minor_version: 1 },
    display_information: {
      name: manifest.name,
      description: slack.description,
      long_description: slack.longDescription,
      background_color: slack.backgroundColor,
    },
    features: {
      bot_user: { display_name: slack.botUser.displayName, always_online: slack.botUser.alwaysOnline },
    },
    oauth_config: { redirect_urls: slack.redirectUrls.map(url), scopes: { bot: [...slack.botScopes] } },
    settings: {
      event_subscriptions: {
        request_url: url(slack.events.requestUrl),
        bot_events: [...slack.events.botEvents],
      },
      interactivity: { is_enabled: true, request_url: url(slack.interactivityUrl) },
      // Org-wide (Enterprise Grid) installs are rejected by the installation store, so they stay disabled.
      org_deploy_enabled: false,
      socket_mode_enabled: false,
      token_rotation_enabled: false,
    },
  };
}

/** Serializes the manifest the way slack/manifest.json is checked in. */
export function slackManifestJson(manifest: AppManifest, publicBaseUrl: string): string {
  return `${JSON.stringify(buildSlackManifest(manifest, publicBaseUrl), null, 2)}\n`;
}

/** Returns the request path of a templated app.json URL, such as /slack/events. */
export function slackRoutePath(template: string): string {
  if (!template.startsWith(PUBLIC_BASE_URL_PLACEHOLDER)) {
    throw new Error(
      `Slack URL "${template}" must start with ${PUBLIC_BASE_URL_PLACEHOLDER} to be served by this app`,
    );
  }
  return template.slice(PUBLIC_BASE_URL_PLACEHOLDER.length) || '/';
}

/** The paths the receiver serves, all taken from the slack block of app.json. */
export interface SlackRoutePaths {
  install: string;
  redirect: string;
  events: string;
  actions: string;
}

export function slackRoutePaths(manifest: AppManifest): SlackRoutePaths {
  const slack = manifest.platforms.slack;
  return {
    install: slackRoutePath(slack.installUrl),
    redirect: slackRoutePath(slack.redirectUrls[0]!),
    events: slackRoutePath(slack.events.requestUrl),
    actions: slackRoutePath(slack.interactivityUrl),
  };
}
