/**
 * Plain words for Stripe decline codes and advice codes, for customer success managers.
 * Codes and meanings follow Stripe's "Decline codes" reference (https://docs.stripe.com/declines/codes)
 * and the advice codes on a charge outcome (`confirm_card_data`, `do_not_try_again`, `try_again_later`).
 *
 * A hard decline is one where retrying the same card will not succeed: the customer must update or
 * replace the payment method. A soft decline may succeed on a later retry.
 */

export type DeclineKind = 'hard' | 'soft' | 'unknown';

interface DeclineEntry {
  text: string;
  kind: 'hard' | 'soft';
}

// These words name lost, stolen and fraud declines plainly, so they are for internal staff only.
// Show the customer a generic decline message instead.
const declineCodes: ReadonlyMap<string, DeclineEntry> = new Map(
  Object.entries({
    approve_with_id: { text: 'Bank could not authorize the payment', kind: 'soft' },
    authentication_required: { text: 'Customer must authenticate the payment (3D Secure)', kind: 'soft' },
    call_issuer: { text: 'Declined by the bank, customer should call the bank', kind: 'soft' },
    card_declined: { text: 'Card declined', kind: 'soft' },
    card_not_supported: { text: 'Card does not support this type of purchase', kind: 'hard' },
    card_velocity_exceeded: { text: 'Card balance or credit limit exceeded', kind: 'soft' },
    currency_not_supported: { text: 'Card does not support this currency', kind: 'hard' },
    do_not_honor: { text: 'Declined by the bank without a reason', kind: 'soft' },
    do_not_try_again: { text: 'Declined by the bank, do not retry', kind: 'hard' },
    duplicate_transaction: { text: 'Duplicate of a very recent payment', kind: 'soft' },
    expired_card: { text: 'Card expired', kind: 'hard' },
    fraudulent: { text: 'Declined as suspected fraud', kind: 'hard' },
    generic_decline: { text: 'Declined by the bank without a reason', kind: 'soft' },
    incorrect_cvc: { text: 'Incorrect card security code', kind: 'hard' },
    incorrect_number: { text: 'Incorrect card number', kind: 'hard' },
    incorrect_pin: { text: 'Incorrect PIN', kind: 'soft' },
    incorrect_zip: { text: 'Incorrect billing postal code', kind: 'hard' },
    insufficient_funds: { text: 'Insufficient funds', kind: 'soft' },
    invalid_account: { text: 'Card or bank account is invalid', kind: 'hard' },
    invalid_amount: { text: 'Amount invalid or above what the card allows', kind: 'soft' },
    invalid_cvc: { text: 'Invalid card security code', kind: 'hard' },
    invalid_expiry_month: { text: 'Invalid card expiry month', kind: 'hard' },
    invalid_expiry_year: { text: 'Invalid card expiry year', kind: 'hard' },
    invalid_number: { text: 'Invalid card number', kind: 'hard' },
    invalid_pin: { text: 'Invalid PIN', kind: 'soft' },
    issuer_not_available: { text: 'Bank could not be reached', kind: 'soft' },
    lost_card: { text: 'Card reported lost', kind: 'hard' },
    merchant_blacklist: { text: 'Matches a rule on the Stripe account block list', kind: 'hard' },
    new_account_information_available: {
      text: 'Card details changed, customer must update them',
      kind: 'hard',
    },
    no_action_taken: { text: 'Declined by the bank without a reason', kind: 'soft' },
    not_permitted: { text: 'Payment not permitted for this card', kind: 'hard' },
    offline_pin_required: { text: 'Card requires a PIN', kind: 'soft' },
    online_or_offline_pin_required: { text: 'Card requires a PIN', kind: 'soft' },
    pickup_card: { text: 'Card blocked by the bank (possibly lost or stolen)', kind: 'hard' },
    pin_try_exceeded: { text: 'Too many PIN attempts', kind: 'soft' },
    processing_error: { text: 'Processing error, safe to retry', kind: 'soft' },
    reenter_transaction: { text: 'Bank could not process the payment, safe to retry', kind: 'soft' },
    restricted_card: { text: 'Card restricted by the bank', kind: 'hard' },
    revocation_of_all_authorizations: { text: 'Customer revoked all recurring payments', kind: 'hard' },
    revocation_of_authorization: { text: 'Customer revoked this recurring payment', kind: 'hard' },
    security_violation: { text: 'Declined by the bank for security reasons', kind: 'hard' },
    service_not_allowed: { text: 'Card does not allow this kind of payment', kind: 'hard' },
    stolen_card: { text: 'Card reported stolen', kind: 'hard' },
    stop_payment_order: { text: 'Customer stopped payments to this merchant', kind: 'hard' },
    testmode_decline: { text: 'Test card used in live mode', kind: 'hard' },
    transaction_not_allowed: { text: 'Card does not allow this kind of payment', kind: 'hard' },
    try_again_later: { text: 'Declined for now, retry later', kind: 'soft' },
    withdrawal_count_limit_exceeded: { text: 'Card withdrawal limit reached', kind: 'soft' },
  } satisfies Record<string, DeclineEntry>),
);

interface AdviceEntry {
  text: string;
  /** Kind implied by the advice when the decline code gives none. */
  kind: 'hard' | 'soft';
}

const adviceCodes: ReadonlyMap<string, AdviceEntry> = new Map(
  Object.entries({
    confirm_card_data: { text: 'customer must update the card details', kind: 'hard' },
    do_not_try_again: { text: 'the bank says not to retry this card', kind: 'hard' },
    try_again_later: { text: 'the bank suggests retrying later', kind: 'soft' },
  } satisfies Record<string, AdviceEntry>),
);

export interface DeclineInput {
  declineCode?: string | null;
  adviceCode?: string | null;
  failureCode?: string | null;
  failureMessage?: string | null;
}

export interface DeclineDescription {
  text: string;
  kind: DeclineKind;
}

function lookUpDecline(input: DeclineInput): DeclineEntry | null {
  // decline_code is the issuer's specific reason; failure_code is often just `card_declined`.
  const byDeclineCode = input.declineCode ? declineCodes.get(input.declineCode) : undefined;
  const byFailureCode = input.failureCode ? declineCodes.get(input.failureCode) : undefined;
  return byDeclineCode ?? byFailureCode ?? null;
}

function fallbackText(input: DeclineInput): string {
  if (input.failureMessage) return input.failureMessage;
  const code = input.declineCode ?? input.failureCode;
  return code ? `Payment declined (code ${code})` : 'Payment declined';
}

/**
 * Describes a failed payment attempt in plain words and classifies it as hard or soft. The advice
 * code `do_not_try_again` makes any decline hard. Other advice codes set the kind only when the
 * decline code is unknown. Unknown codes keep Stripe's failure message, else name the code.
 */
export function describeDecline(input: DeclineInput): DeclineDescription {
  const entry = lookUpDecline(input);
  const advice = input.adviceCode ? adviceCodes.get(input.adviceCode) : undefined;
  const baseText = entry ? entry.text : fallbackText(input);
  const text = advice ? `${baseText} (${advice.text})` : baseText;

  if (input.adviceCode === 'do_not_try_again') return { text, kind: 'hard' };
  if (entry) return { text, kind: entry.kind };
  return { text, kind: advice ? advice.kind : 'unknown' };
}

/** Checks whether a Stripe decline code is in the table above. */
export function isKnownDeclineCode(code: string): boolean {
  return declineCodes.has(code);
}
