#!/usr/bin/env node
/**
 * Writes the HubSpot project files under cards/hubspot from app.json.
 * Usage: node dist/scripts/hubspot-project.js [--public-base-url URL]
 * Without the option the files use the checked-in development origin (http://localhost:3000).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildHubSpotProject, CHECKED_IN_PUBLIC_BASE_URL } from '../src/install/hubspot-project';
import { loadManifest, ManifestError } from '../src/install/manifest';
import { projectRoot } from '../src/paths';

function main(argv: string[]): void {
  const { values } = parseArgs({ args: argv, options: { 'public-base-url': { type: 'string' } } });
  const publicBaseUrl = values['public-base-url'] ?? CHECKED_IN_PUBLIC_BASE_URL;
  if (!/^https?:\/\/[^/]+/.test(publicBaseUrl)) {
    throw new Error(
      `--public-base-url must be an http(s) origin such as https://payments.example.com, got "${publicBaseUrl}"`,
    );
  }
  const root = projectRoot();
  for (const file of buildHubSpotProject(loadManifest(), publicBaseUrl)) {
    const target = path.join(root, file.path);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, file.content);
    console.log(`wrote ${file.path}`);
  }
}

try {
  main(process.argv.slice(2));
} catch (error) {
  console.error(error instanceof ManifestError ? error.message : (error as Error).message);
  process.exitCode = 1;
}
