import { routeAlert } from '../../src/alerts/routing';
import { parseAlertSettings } from '../../src/alerts/settings';

const settings = parseAlertSettings({
  defaultChannel: 'CDEFAULT',
  channelsByOwner: { '42': 'COWNER' },
  channelsBySegment: [
    { channel: 'CLARGE', currency: 'usd', minMrrMinor: 100000 },
    { channel: 'CSMALL', currency: 'usd', maxMrrMinor: 100000 },
    { channel: 'CJPY', currency: 'jpy' },
  ],
});

describe('routeAlert', () => {
  it.each([
    ['owner first', '42', 'usd', 500000, 'COWNER', 'owner'],
    ['unknown owner uses segment', '7', 'usd', 500000, 'CLARGE', 'segment'],
    ['lower bound inclusive', null, 'usd', 100000, 'CLARGE', 'segment'],
    ['upper bound exclusive', null, 'usd', 99999, 'CSMALL', 'segment'],
    ['whole currency', null, 'jpy', 1, 'CJPY', 'segment'],
    ['no segment uses default', null, 'eur', 500000, 'CDEFAULT', 'default'],
    ['no currency uses default', null, null, 0, 'CDEFAULT', 'default'],
  ])('%s', (_name, crmOwnerId, currency, mrrMinor, channel, routedBy) => {
    const route = routeAlert(settings, { crmOwnerId, currency, mrrMinor });
    expect(route.channel).toBe(channel);
    expect(route).toMatchObject({ routedBy });
  });

  it('drops without any channel', () => {
    const route = routeAlert(parseAlertSettings({}), { crmOwnerId: '42', currency: 'usd', mrrMinor: 1 });
    expect(route).toEqual({ channel: null, reason: 'no_channel' });
  });
});
