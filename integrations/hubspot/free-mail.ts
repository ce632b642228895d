/**
 * Free-mail providers, whose domain gives no hint of the customer's company. The list is the
 * `email-providers` npm package (all.json, about 8,700 domains of webmail and ISP providers).
 */
import providerDomains from 'email-providers/all.json';

const freeMailDomains = new Set<string>(providerDomains);

export function isFreeMailDomain(domain: string): boolean {
  return freeMailDomains.has(domain.toLowerCase());
}

/** Returns the lower-case domain of an email address, or null when it has none. */
export function emailDomain(email: string | null): string | null {
  if (!email) return null;
  const at = email.lastIndexOf('@');
  if (at < 0) return null;
  const domain = email
    .slice(at + 1)
    .trim()
    .toLowerCase()
    .replace(/\.$/, '');
  return domain.includes('.') ? domain : null;
}

/**
 * Normalizes a HubSpot company domain for comparison: lower case, without scheme, path or a
 * leading `www.`, since users type all of these into the domain field.
 */
export function normalizeCompanyDomain(domain: string | null | undefined): string | null {
  if (!domain) return null;
  const host =
    domain
      .trim()
      .toLowerCase()
      .replace(/^[a-z]+:\/\//, '')
      .split(/[/?#]/)[0] ?? '';
  const normalized = host.replace(/^www\./, '').replace(/\.$/, '');
  return normalized.length > 0 ? normalized : null;
}

/** Returns the email's domain to match companies on, or null for a free-mail provider or no domain. */
export function matchableDomain(email: string | null): string | null {
  const domain = emailDomain(email);
  return domain && !isFreeMailDomain(domain) ? domain : null;
}
