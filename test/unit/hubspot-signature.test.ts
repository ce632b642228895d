import { createHmac } from 'node:crypto';
import { Signature } from '@hubspot/api-client';
import {
  computeHubSpotSignatureV3,
  decodeSignedUri,
  publicRequestUrl,
  verifyHubSpotSignatureV3,
} from '../../src/cards/hubspot-signature';

const secret = 'yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy';
const now = new Date('2026-03-15T12:00:00Z');
const timestamp = String(now.getTime() - 1000);
const url = 'https://csm.example.com/cards/hubspot/actions?portalId=62515&userId=7';
const body = '{"companyId":"123","action":"retry_payment"}';

function sign(overrides: { method?: string; url?: string; body?: string; timestamp?: string } = {}): string {
  return computeHubSpotSignatureV3(
    {
      method: overrides.method ?? 'POST',
      url: overrides.url ?? url,
      body: overrides.body ?? body,
      timestamp: overrides.timestamp ?? timestamp,
    },
    secret,
  );
}

function verify(
  signature: string | undefined,
  overrides: { body?: string; timestamp?: string; url?: string } = {},
) {
  verifyHubSpotSignatureV3(
    {
      method: 'POST',
      url: overrides.url ?? url,
      body: overrides.body ?? body,
      signature,
      timestamp: overrides.timestamp ?? timestamp,
    },
    secret,
    now,
  );
}

describe('computeHubSpotSignatureV3', () => {
  it('matches the HubSpot client library', () => {
    const expected = Signature.getSignature('POST', 'v3', {
      signature: '',
      clientSecret: secret,
      requestBody: body,
      url,
      timestamp: Number(timestamp),
    });
    expect(sign()).toBe(expected);
  });

  it('matches a plain HMAC for GET without body', () => {
    const getUrl = 'https://csm.example.com/cards/hubspot/payment-health?portalId=1&companyId=2';
    const expected = createHmac('sha256', secret).update(`GET${getUrl}${timestamp}`).digest('base64');
    expect(sign({ method: 'GET', url: getUrl, body: '' })).toBe(expected);
  });
});

describe('decodeSignedUri', () => {
  it('decodes the listed escapes in either case', () => {
    expect(decodeSignedUri('https://a.b/x?e=a%40b.com&t=%3a%2F%3F%21%24%27%28%29%2a%2C%3B')).toBe(
      "https://a.b/x?e=a@b.com&t=:/?!$'()*,;",
    );
  });

  it('keeps other escapes', () => {
    expect(decodeSignedUri('https://a.b/x?q=a%20b%26c%3D')).toBe('https://a.b/x?q=a%20b%26c%3D');
  });

  it('signature ignores encoding of listed characters', () => {
    const encoded = 'https://csm.example.com/cards/hubspot/x?userEmail=a%40b.com';
    const decoded = 'https://csm.example.com/cards/hubspot/x?userEmail=a@b.com';
    expect(sign({ url: encoded })).toBe(sign({ url: decoded }));
  });
});

describe('publicRequestUrl', () => {
  it('joins base and original URL', () => {
    expect(publicRequestUrl('https://csm.example.com/', '/cards/x?a=1')).toBe(
      'https://csm.example.com/cards/x?a=1',
    );
  });

  it('keeps a base path prefix', () => {
    expect(publicRequestUrl('https://example.com/csm', '/cards/x')).toBe('https://example.com/csm/cards/x');
  });
});

describe('verifyHubSpotSignatureV3', () => {
  it('accepts a valid signature', () => {
    expect(() => verify(sign())).not.toThrow();
  });

  it('rejects a missing signature', () => {
    expect(() => verify(undefined)).toThrow(
      expect.objectContaining({ code: 'missing_signature', status: 401 }),
    );
  });

  it('rejects a missing timestamp', () => {
    expect(() => verify(sign(), { timestamp: '' })).toThrow(
      expect.objectContaining({ code: 'missing_signature' }),
    );
  });

  it('rejects a tampered body', () => {
    expect(() => verify(sign(), { body: body.replace('123', '124') })).toThrow(
      expect.objectContaining({ code: 'invalid_signature', status: 401 }),
    );
  });

  it('rejects another URL', () => {
    const other = url.replace('portalId=62515', 'portalId=62516');
    expect(() => verify(sign(), { url: other })).toThrow(
      expect.objectContaining({ code: 'invalid_signature' }),
    );
  });

  it('rejects a wrong-length signature', () => {
    expect(() => verify('abc')).toThrow(expect.objectContaining({ code: 'invalid_signature' }));
  });

  it('rejects a stale timestamp', () => {
    const old = String(now.getTime() - 5 * 60 * 1000 - 1);
    expect(() => verify(sign({ timestamp: old }), { timestamp: old })).toThrow(
      expect.objectContaining({ code: 'stale_signature', status: 401 }),
    );
  });

  it('accepts a timestamp just inside the limit', () => {
    const edge = String(now.getTime() - 5 * 60 * 1000);
    expect(() => verify(sign({ timestamp: edge }), { timestamp: edge })).not.toThrow();
  });

  it('rejects a timestamp far ahead', () => {
    const ahead = String(now.getTime() + 10 * 60 * 1000);
    expect(() => verify(sign({ timestamp: ahead }), { timestamp: ahead })).toThrow(
      expect.objectContaining({ code: 'stale_signature' }),
    );
  });

  it('rejects a non-numeric timestamp', () => {
    expect(() => verify(sign({ timestamp: 'abc' }), { timestamp: 'abc' })).toThrow(
      expect.objectContaining({ code: 'invalid_signature' }),
    );
  });
});
