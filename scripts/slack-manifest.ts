#!/usr/bin/env node
/**
 * Writes slack/manifest.json (Slack's app manifest format) from the slack block of app.json.
 * Usage: node dist/scripts/slack-manifest.js [--public-base-url URL]
 * Without the option the file uses the checked-in development origin (http://localhost:3000); Slack accepts
 * only https request URLs, so pass the deployment's origin before pasting the output into api.slack.com/apps.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CHECKED_IN_PUBLIC_BASE_URL } from '../src/install/hubspot-project';
import { loadManifest, ManifestError } from '../src/install/manifest';
import { projectRoot } from '../src/paths';
import { SLACK_MANIFEST_FILE, slackManifestJson } from '../src/slack/install/manifest';

function main(argv: string[]): void {
  const { values } = parseArgs({ args: argv, options: { 'public-base-url': { type: 'string' } } });
  const publicBaseUrl = values['public-base-url'] ?? CHECKED_IN_PUBLIC_BASE_URL;
  if (!/^https?:\/\/[^/]+/.test(publicBaseUrl)) {
    throw new Error(
      `--public-base-url must be an http(s) origin such as https://payments.example.com, got "${publicBaseUrl}"`,
    );
  }
  const target = path.join(projectRoot(), SLACK_MANIFEST_FILE);
  mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(target, slackManifestJson(loadManifest(), publicBaseUrl));
  console.log(`wrote ${SLACK_MANIFEST_FILE}`);
}

try {
  main(process.argv.slice(2));
} catch (error) {
  console.error(error instanceof ManifestError ? error.message : (error as Error).message);
  process.exitCode = 1;
}
