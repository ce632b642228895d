import { withActionEntry, withClaim } from '../../src/slack/actions/alert-history';
import { decideUserGroup, decideWorkspace } from '../../src/slack/actions/authorize-click';
import { encodeAlertButtonValue, parseAlertButtonValue } from '../../src/slack/actions/button-value';
import { historyDetail, resultMessage } from '../../src/slack/actions/outcome-text';
import { parseSlackRequester, slackRequester } from '../../src/slack/actions/types';
import { UserGroupCache } from '../../src/slack/actions/user-groups';

const origin = { teamId: 'T1', enterpriseId: null, userId: 'U1' };

describe('parseAlertButtonValue', () => {
  it('round-trips an encoded value', () => {
    expect(parseAlertButtonValue(encodeAlertButtonValue({ alertId: '42', invoiceId: 'in_1AbC' }))).toEqual({
      alertId: '42',
      invoiceId: 'in_1AbC',
    });
  });

  it.each([
    ['missing', undefined],
    ['not JSON', 'alert-42'],
    ['extra key', '{"alertId":"42","tenantId":"x"}'],
    ['non-numeric id', '{"alertId":"42; drop"}'],
    ['bad invoice id', '{"alertId":"42","invoiceId":"ch_1"}'],
  ])('rejects %s', (_case, raw) => {
    expect(parseAlertButtonValue(raw)).toBeNull();
  });
});

describe('decideWorkspace', () => {
  it('allows the installed team', () => {
    expect(decideWorkspace(origin, [{ teamId: 'T1', enterpriseId: null }])).toEqual({ allowed: true });
  });

  it('rejects another team', () => {
    const decision = decideWorkspace(origin, [{ teamId: 'T2', enterpriseId: null }]);
    expect(decision).toMatchObject({ allowed: false, code: 'wrong_workspace' });
  });

  it('rejects another enterprise', () => {
    const decision = decideWorkspace({ ...origin, enterpriseId: 'E9' }, [
      { teamId: 'T1', enterpriseId: 'E1' },
    ]);
    expect(decision).toMatchObject({ allowed: false, code: 'wrong_workspace' });
  });

  it('rejects a tenant without installation', () => {
    expect(decideWorkspace(origin, [])).toMatchObject({ allowed: false, code: 'slack_not_installed' });
  });
});

describe('decideUserGroup', () => {
  it('allows anyone without a group', () => {
    expect(decideUserGroup(origin, null, null)).toEqual({ allowed: true });
  });

  it('allows a member', () => {
    expect(decideUserGroup(origin, 'S1', new Set(['U1']))).toEqual({ allowed: true });
  });

  it('rejects a non-member', () => {
    expect(decideUserGroup(origin, 'S1', new Set(['U2']))).toMatchObject({
      allowed: false,
      code: 'not_in_user_group',
    });
  });
});

describe('withActionEntry', () => {
  const requested = {
    action: 'retry_payment',
    userId: 'U1',
    at: '2026-03-02T10:00:00.000Z',
    outcome: 'requested' as const,
    cardActionId: '7',
  };

  it('appends a new entry', () => {
    const next = withActionEntry({ rule: 'paymentFailed' }, requested);
    expect(next).toEqual({ rule: 'paymentFailed', actions: [requested] });
  });

  it('finishes the requested entry', () => {
    const finishedAt = '2026-03-02T10:01:00Z';
    const failed = { ...requested, outcome: 'failed' as const, detail: 'Card declined', finishedAt };
    const next = withActionEntry({ actions: [requested] }, failed);
    expect(next?.actions).toEqual([failed]);
  });

  it('ignores a repeated request', () => {
    expect(withActionEntry({ actions: [requested] }, requested)).toBeNull();
  });

  it('ignores a finished entry', () => {
    const finished = { ...requested, outcome: 'succeeded' as const };
    expect(withActionEntry({ actions: [finished] }, { ...requested, outcome: 'failed' })).toBeNull();
  });
});

describe('withClaim', () => {
  const claim = { userId: 'U1', teamId: 'T1', at: '2026-03-02T10:00:00.000Z' };

  it('assigns the alert', () => {
    expect(withClaim({}, claim)?.claimedBy).toEqual(claim);
  });

  it('ignores a repeated claim', () => {
    expect(withClaim({ claimedBy: claim }, { ...claim, at: '2026-03-02T11:00:00.000Z' })).toBeNull();
  });

  it('reassigns to another user', () => {
    const next = withClaim({ claimedBy: claim }, { ...claim, userId: 'U2' });
    expect(next?.claimedBy).toMatchObject({ userId: 'U2' });
  });
});

describe('outcome text', () => {
  const base = { id: '1', error: null, stripe_invoice_id: 'in_1' };

  it('retry success names the amount', () => {
    const result = { amountPaid: 4900, currency: 'usd' };
    const row = { ...base, action: 'retry_payment' as const, status: 'succeeded' as const, result };
    expect(resultMessage(row)).toBe('Payment retry of invoice in_1 succeeded: collected $49.00.');
  });

  it('rejection gives the reason', () => {
    const status = 'rejected' as const;
    const row = { ...base, action: 'retry_payment' as const, status, result: {}, error: 'Hard decline' };
    expect(resultMessage(row)).toBe('Payment retry of invoice in_1 rejected: Hard decline.');
  });

  it('history detail omits the link', () => {
    const result = { url: 'https://billing.example/session' };
    const row = { ...base, action: 'send_card_update_link' as const, status: 'succeeded' as const, result };
    expect(historyDetail(row)).toBe('link sent to the requester');
  });
});

describe('slackRequester', () => {
  it('round-trips team and user', () => {
    expect(parseSlackRequester(slackRequester({ teamId: 'T1', userId: 'U1' }))).toEqual({
      teamId: 'T1',
      userId: 'U1',
    });
  });

  it('ignores other requesters', () => {
    expect(parseSlackRequester('hubspot-user:77')).toBeNull();
  });
});

describe('UserGroupCache', () => {
  it('reuses members until the entry expires', async () => {
    const cache = new UserGroupCache(60_000);
    let loads = 0;
    const load = async () => {
      loads += 1;
      return ['U1'];
    };
    const start = new Date('2026-03-02T10:00:00Z');

    await cache.members('t1', 'S1', start, load);
    await cache.members('t1', 'S1', new Date(start.getTime() + 59_000), load);
    expect(loads).toBe(1);
    await cache.members('t1', 'S1', new Date(start.getTime() + 60_000), load);
    expect(loads).toBe(2);
  });
});
