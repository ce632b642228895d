import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CHECKED_IN_PUBLIC_BASE_URL } from '../../src/install/hubspot-project';
import { loadManifest, ManifestError, parseManifest } from '../../src/install/manifest';
import { projectRoot } from '../../src/paths';
import {
  buildSlackManifest,
  SLACK_MANIFEST_FILE,
  slackManifestJson,
  slackRoutePath,
  slackRoutePaths,
} from '../../src/slack/install/manifest';

const manifest = loadManifest();

function rawAppJson(): { platforms: { slack: Record<string, unknown> } } {
  return JSON.parse(readFileSync(path.join(projectRoot(), 'app.json'), 'utf8'));
}

function problemsOf(value: unknown): string[] {
  try {
    parseManifest(value);
  } catch (error) {
    if (error instanceof ManifestError) return error.problems;
    throw error;
  }
  return [];
}

describe('slack block of app.json', () => {
  it('requests minimal bot scopes', () => {
    expect(manifest.platforms.slack.botScopes).toEqual(['chat:write', 'usergroups:read']);
  });

  it('explains each scope', () => {
    for (const scope of manifest.platforms.slack.botScopes) {
      expect([scope, manifest.platforms.slack.$comment]).toEqual([scope, expect.stringContaining(scope)]);
    }
  });

  it('rejects an insecure redirect URL', () => {
    const raw = rawAppJson();
    raw.platforms.slack.redirectUrls = ['http://insecure.example/slack/oauth_redirect'];

    expect(problemsOf(raw)).toEqual([expect.stringContaining('platforms.slack.redirectUrls.0')]);
  });

  it('rejects a long description', () => {
    const raw = rawAppJson();
    raw.platforms.slack.description = 'x'.repeat(141);

    expect(problemsOf(raw)).toEqual([expect.stringContaining('platforms.slack.description')]);
  });

  it('requires the slack block', () => {
    const raw = rawAppJson() as { platforms: Record<string, unknown> };
    delete raw.platforms.slack;

    expect(problemsOf(raw)).toEqual([expect.stringContaining('platforms.slack')]);
  });
});

describe('generated Slack manifest', () => {
  it('matches the file on disk', () => {
    const onDisk = readFileSync(path.join(projectRoot(), SLACK_MANIFEST_FILE), 'utf8');

    expect(onDisk).toBe(slackManifestJson(manifest, CHECKED_IN_PUBLIC_BASE_URL));
  });

  it('resolves URLs for the public origin', () => {
    const slack = buildSlackManifest(manifest, 'https://payments.example.com/');

    expect(slack.oauth_config.redirect_urls).toEqual(['https://payments.example.com/slack/oauth_redirect']);
    expect(slack.settings.interactivity.request_url).toBe('https://payments.example.com/slack/actions');
    expect(slack.settings.event_subscriptions.request_url).toBe('https://payments.example.com/slack/events');
  });

  it('mirrors scopes and events', () => {
    const slack = buildSlackManifest(manifest, CHECKED_IN_PUBLIC_BASE_URL);

    expect(slack.oauth_config.scopes.bot).toEqual(manifest.platforms.slack.botScopes);
    expect(slack.settings.event_subscriptions.bot_events).toEqual(['app_uninstalled', 'tokens_revoked']);
    expect(slack.features.bot_user.display_name).toBe('csm-payments');
    expect(slack.display_information.name).toBe(manifest.name);
  });

  it('disables org deploy and socket mode', () => {
    const slack = buildSlackManifest(manifest, CHECKED_IN_PUBLIC_BASE_URL);

    expect(slack.settings.org_deploy_enabled).toBe(false);
    expect(slack.settings.socket_mode_enabled).toBe(false);
    expect(slack.settings.interactivity.is_enabled).toBe(true);
  });
});

describe('slack route paths', () => {
  it('come from app.json', () => {
    expect(slackRoutePaths(manifest)).toEqual({
      install: '/slack/install',
      redirect: '/slack/oauth_redirect',
      events: '/slack/events',
      actions: '/slack/actions',
    });
  });

  it('reject an external URL', () => {
    expect(() => slackRoutePath('https://elsewhere.example/slack/events')).toThrow('must start with');
  });
});
