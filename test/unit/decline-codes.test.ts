import { describeDecline, isKnownDeclineCode } from '../../src/ledger/decline-codes';

describe('describeDecline', () => {
  it.each([
    ['insufficient_funds', 'Insufficient funds', 'soft'],
    ['expired_card', 'Card expired', 'hard'],
    ['do_not_honor', 'Declined by the bank without a reason', 'soft'],
    ['generic_decline', 'Declined by the bank without a reason', 'soft'],
    ['lost_card', 'Card reported lost', 'hard'],
    ['stolen_card', 'Card reported stolen', 'hard'],
    ['pickup_card', 'Card blocked by the bank (possibly lost or stolen)', 'hard'],
    ['fraudulent', 'Declined as suspected fraud', 'hard'],
    ['invalid_account', 'Card or bank account is invalid', 'hard'],
    ['card_velocity_exceeded', 'Card balance or credit limit exceeded', 'soft'],
    ['processing_error', 'Processing error, safe to retry', 'soft'],
    ['authentication_required', 'Customer must authenticate the payment (3D Secure)', 'soft'],
    ['try_again_later', 'Declined for now, retry later', 'soft'],
    ['withdrawal_count_limit_exceeded', 'Card withdrawal limit reached', 'soft'],
    ['restricted_card', 'Card restricted by the bank', 'hard'],
    ['currency_not_supported', 'Card does not support this currency', 'hard'],
  ])('%s', (declineCode, text, kind) => {
    const description = describeDecline({ declineCode, failureCode: 'card_declined' });
    expect(description.text).toBe(text);
    expect(description.kind).toBe(kind);
  });

  it('falls back to the failure code', () => {
    expect(describeDecline({ failureCode: 'expired_card' })).toEqual({ text: 'Card expired', kind: 'hard' });
  });

  it('prefers the decline code', () => {
    const description = describeDecline({ declineCode: 'insufficient_funds', failureCode: 'card_declined' });
    expect(description.text).toBe('Insufficient funds');
  });

  it('do_not_try_again advice makes soft hard', () => {
    const description = describeDecline({
      declineCode: 'insufficient_funds',
      adviceCode: 'do_not_try_again',
    });
    expect(description.kind).toBe('hard');
    expect(description.text).toBe('Insufficient funds (the bank says not to retry this card)');
  });

  it('try_again_later advice keeps a hard code hard', () => {
    expect(describeDecline({ declineCode: 'lost_card', adviceCode: 'try_again_later' }).kind).toBe('hard');
  });

  it('advice sets the kind of an unknown code', () => {
    const description = describeDecline({ declineCode: 'brand_new_code', adviceCode: 'try_again_later' });
    expect(description.kind).toBe('soft');
    expect(description.text).toBe(
      'Payment declined (code brand_new_code) (the bank suggests retrying later)',
    );
  });

  it('confirm_card_data advice text', () => {
    const description = describeDecline({ declineCode: 'xyz', adviceCode: 'confirm_card_data' });
    expect(description.text).toContain('customer must update the card details');
    expect(description.kind).toBe('hard');
  });

  it('unknown code uses the failure message', () => {
    const description = describeDecline({ declineCode: 'xyz', failureMessage: 'Your card was declined.' });
    expect(description).toEqual({ text: 'Your card was declined.', kind: 'unknown' });
  });

  it('unknown code without message names the code', () => {
    expect(describeDecline({ declineCode: 'xyz' })).toEqual({
      text: 'Payment declined (code xyz)',
      kind: 'unknown',
    });
  });

  it('nothing known gives a generic text', () => {
    expect(describeDecline({})).toEqual({ text: 'Payment declined', kind: 'unknown' });
  });

  it('ignores prototype property names', () => {
    expect(describeDecline({ declineCode: 'constructor' }).kind).toBe('unknown');
    expect(describeDecline({ declineCode: 'toString', adviceCode: '__proto__' }).text).toBe(
      'Payment declined (code toString)',
    );
  });
});

describe('isKnownDeclineCode', () => {
  it('knows insufficient_funds', () => {
    expect(isKnownDeclineCode('insufficient_funds')).toBe(true);
  });

  it('does not know xyz', () => {
    expect(isKnownDeclineCode('xyz')).toBe(false);
  });
});
