import { AlertSettingsError, defaultAlertSettings, parseAlertSettings } from '../../src/alerts/settings';
import { nextDigestAt } from '../../src/alerts/settings-store';

function issuesOf(input: unknown): string[] {
  try {
    parseAlertSettings(input);
  } catch (error) {
    if (error instanceof AlertSettingsError) return error.issues;
    throw error;
  }
  throw new Error('expected AlertSettingsError');
}

describe('alert settings', () => {
  it('fills defaults', () => {
    expect(defaultAlertSettings.rules.paymentFailed.enabled).toBe(true);
    expect(defaultAlertSettings.rules.bandDrop.to).toBe('red');
    expect(defaultAlertSettings.rules.cardExpiring.withinDays).toBe(30);
    expect(defaultAlertSettings.rules.expansionSignal.enabled).toBe(false);
    expect(defaultAlertSettings.digest).toEqual({ enabled: false, hourUtc: 9 });
    expect(defaultAlertSettings.defaultChannel).toBeUndefined();
  });

  it('fills rule defaults inside partial rules', () => {
    const settings = parseAlertSettings({ rules: { cardExpiring: { minMrrMinor: 5 } } });
    expect(settings.rules.cardExpiring).toEqual({ enabled: true, withinDays: 30, minMrrMinor: 5 });
    expect(settings.rules.paymentFailed.enabled).toBe(true);
  });

  it('lists every issue', () => {
    const issues = issuesOf({
      defaultChannel: 'general',
      allowedUserGroup: 'U123',
      digest: { enabled: true, hourUtc: 24 },
      rules: { bandDrop: { to: 'green' }, paymentFailed: { minAmountMinor: -1 } },
      channelsBySegment: [{ channel: 'C123', currency: 'usd', minMrrMinor: 10, maxMrrMinor: 5 }],
      extra: true,
    });
    expect(issues).toHaveLength(7);
    expect(issues.some((issue) => issue.startsWith('defaultChannel:'))).toBe(true);
    expect(issues.some((issue) => issue.startsWith('allowedUserGroup:'))).toBe(true);
    expect(issues.some((issue) => issue.startsWith('digest.hourUtc:'))).toBe(true);
    expect(issues.some((issue) => issue.startsWith('rules.bandDrop.to:'))).toBe(true);
    expect(issues.some((issue) => issue.startsWith('rules.paymentFailed.minAmountMinor:'))).toBe(true);
    expect(issues.some((issue) => issue.startsWith('channelsBySegment.0.maxMrrMinor:'))).toBe(true);
    expect(issues.some((issue) => issue.includes('extra'))).toBe(true);
  });

  it('rejects unknown rule names', () => {
    expect(issuesOf({ rules: { churnRisk: { enabled: true } } })[0]).toContain('churnRisk');
  });

  it('rejects bad owner channel', () => {
    expect(issuesOf({ channelsByOwner: { '42': 'D123' } })[0]).toMatch(/^channelsByOwner\.42:/);
  });

  it('rejects unknown locale', () => {
    expect(issuesOf({ locale: 'not a locale' })[0]).toMatch(/^locale:/);
  });
});

describe('nextDigestAt', () => {
  it('picks later today', () => {
    expect(nextDigestAt(9, new Date('2025-03-10T08:59:00Z')).toISOString()).toBe('2025-03-10T09:00:00.000Z');
  });

  it('picks tomorrow at the hour', () => {
    expect(nextDigestAt(9, new Date('2025-03-10T09:00:00Z')).toISOString()).toBe('2025-03-11T09:00:00.000Z');
  });
});
