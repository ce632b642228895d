import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  buildHubSpotProject,
  CHECKED_IN_PUBLIC_BASE_URL,
  HUBSPOT_PLATFORM_VERSION,
} from '../../src/install/hubspot-project';
import { loadManifest, ManifestError, parseManifest, resolvePublicUrl } from '../../src/install/manifest';
import { projectRoot } from '../../src/paths';

const manifest = loadManifest();

function generated(publicBaseUrl = CHECKED_IN_PUBLIC_BASE_URL): Map<string, unknown> {
  const jsonFiles = buildHubSpotProject(manifest, publicBaseUrl).filter((file) =>
    file.path.endsWith('.json'),
  );
  return new Map(jsonFiles.map((file) => [file.path, JSON.parse(file.content)]));
}

describe('app.json manifest', () => {
  it('validates', () => {
    expect(manifest.platforms.hubspot.distribution).toBe('marketplace');
    expect(manifest.platforms.hubspot.auth.requiredScopes).toEqual(
      expect.arrayContaining([
        'crm.objects.companies.read',
        'crm.objects.companies.write',
        'crm.schemas.companies.read',
        'crm.schemas.companies.write',
      ]),
    );
    expect(manifest.platforms.hubspot.cards.map((card) => card.uid)).toEqual(['payment_health_card']);
  });

  it('lists every problem with its path', () => {
    const raw = JSON.parse(readFileSync(path.join(projectRoot(), 'app.json'), 'utf8'));
    raw.support.email = 'not-an-email';
    raw.platforms.hubspot.auth.redirectUrls = ['http://insecure.example/callback'];

    const failure = (() => {
      try {
        parseManifest(raw);
      } catch (error) {
        return error;
      }
      return null;
    })();

    expect(failure).toBeInstanceOf(ManifestError);
    expect((failure as ManifestError).problems).toHaveLength(2);
    expect((failure as ManifestError).message).toContain('support.email');
    expect((failure as ManifestError).message).toContain('platforms.hubspot.auth.redirectUrls.0');
  });

  it('rejects duplicate card uids', () => {
    const raw = JSON.parse(readFileSync(path.join(projectRoot(), 'app.json'), 'utf8'));
    raw.platforms.hubspot.cards.push(raw.platforms.hubspot.cards[0]);

    expect(() => parseManifest(raw)).toThrow('duplicate uid payment_health_card');
  });

  it('resolves the public base URL once', () => {
    expect(resolvePublicUrl('{{PUBLIC_BASE_URL}}/oauth/hubspot/callback', 'https://p.example.com/')).toBe(
      'https://p.example.com/oauth/hubspot/callback',
    );
  });
});

describe('generated HubSpot project', () => {
  it('matches the files on disk', () => {
    for (const file of buildHubSpotProject(manifest, CHECKED_IN_PUBLIC_BASE_URL)) {
      const onDisk = readFileSync(path.join(projectRoot(), file.path), 'utf8');
      expect([file.path, onDisk]).toEqual([file.path, file.content]);
    }
  });

  it('uses platform version 2026.03', () => {
    const project = generated().get(path.join('cards', 'hubspot', 'hsproject.json')) as Record<
      string,
      string
    >;

    expect(project.platformVersion).toBe(HUBSPOT_PLATFORM_VERSION);
    expect(HUBSPOT_PLATFORM_VERSION).toBe('2026.03');
    expect(project.srcDir).toBe('src');
  });

  it('app config mirrors the manifest', () => {
    const files = generated('https://payments.example.com');
    const app = files.get(path.join('cards', 'hubspot', 'src', 'app', 'app-hsmeta.json')) as {
      type: string;
      config: {
        distribution: string;
        auth: { type: string; requiredScopes: string[]; redirectUrls: string[] };
        permittedUrls: { fetch: string[] };
        support: { supportEmail: string };
      };
    };

    expect(app.type).toBe('app');
    expect(app.config.distribution).toBe('marketplace');
    expect(app.config.auth.type).toBe('oauth');
    expect(app.config.auth.requiredScopes).toEqual(manifest.platforms.hubspot.auth.requiredScopes);
    expect(app.config.auth.redirectUrls).toEqual(['https://payments.example.com/oauth/hubspot/callback']);
    expect(app.config.permittedUrls.fetch).toEqual(['https://payments.example.com']);
    expect(app.config.support.supportEmail).toBe(manifest.support.email);
  });

  it('card config mirrors the manifest', () => {
    const cardPath = path.join('cards', 'hubspot', 'src', 'app', 'cards', 'payment_health_card-hsmeta.json');
    const card = generated().get(cardPath) as {
      uid: string;
      type: string;
      config: { location: string; objectTypes: string[]; entrypoint: string };
    };

    expect(card.uid).toBe('payment_health_card');
    expect(card.type).toBe('card');
    expect(card.config.location).toBe('crm.record.tab');
    expect(card.config.objectTypes).toEqual(['companies']);
    expect(card.config.entrypoint).toBe('/app/cards/PaymentHealthCard.tsx');
  });

  it('generates no classic CRM card', () => {
    const contents = buildHubSpotProject(manifest, CHECKED_IN_PUBLIC_BASE_URL).map((file) => file.content);

    for (const content of contents) expect(content).not.toContain('targetUrl');
  });
});
