/** Card decline outcomes the demo uses, with the codes Stripe reports for each on a charge. */

/** Stripe's `advice_code` values (charge `outcome` and `last_payment_error`). */
export type AdviceCode = 'try_again_later' | 'do_not_try_again' | 'confirm_card_data';

export type CardBrand = 'visa' | 'mastercard';

export interface DeclineProfile {
  declineCode: string;
  /** The error `code`: `card_declined` except where Stripe has a dedicated error code. */
  failureCode: string;
  adviceCode: AdviceCode | null;
  /** ISO 8583 response code per brand as the issuer returns it, or null when the issuer sends none. */
  networkDeclineCode: Record<CardBrand, string | null>;
  /** Whether Stripe schedules an automatic retry after this decline. */
  retryable: boolean;
  message: string;
}

function sameForBrands(code: string | null): Record<CardBrand, string | null> {
  return { visa: code, mastercard: code };
}

/**
 * Advice codes follow Stripe's three values: retry later, do not retry, or bring the customer back
 * to confirm card data. NOTE: the pairings and the `retryable` flags are this demo's reading of
 * Stripe's decline documentation, not values copied from Stripe responses.
 */
export const declineProfiles: readonly DeclineProfile[] = [
  {
    declineCode: 'insufficient_funds',
    failureCode: 'card_declined',
    adviceCode: 'try_again_later',
    networkDeclineCode: sameForBrands('51'),
    retryable: true,
    message: 'Your card has insufficient funds.',
  },
  {
    declineCode: 'do_not_honor',
    failureCode: 'card_declined',
    adviceCode: 'try_again_later',
    networkDeclineCode: sameForBrands('05'),
    retryable: true,
    message: 'Your card was declined.',
  },
  {
    declineCode: 'generic_decline',
    failureCode: 'card_declined',
    adviceCode: null,
    networkDeclineCode: sameForBrands(null),
    retryable: true,
    message: 'Your card was declined.',
  },
  {
    declineCode: 'card_velocity_exceeded',
    failureCode: 'card_declined',
    adviceCode: 'try_again_later',
    networkDeclineCode: sameForBrands('61'),
    retryable: true,
    message: 'Your card was declined.',
  },
  {
    declineCode: 'processing_error',
    failureCode: 'processing_error',
    adviceCode: 'try_again_later',
    networkDeclineCode: sameForBrands('96'),
    retryable: true,
    message: 'An error occurred while processing your card. Try again in a little bit.',
  },
  {
    declineCode: 'expired_card',
    failureCode: 'expired_card',
    adviceCode: 'confirm_card_data',
    networkDeclineCode: sameForBrands('54'),
    retryable: false,
    message: 'Your card has expired.',
  },
  {
    declineCode: 'authentication_required',
    failureCode: 'authentication_required',
    adviceCode: 'confirm_card_data',
    networkDeclineCode: { visa: '1A', mastercard: '65' },
    retryable: false,
    message: 'Your card was declined. This transaction requires authentication.',
  },
  {
    declineCode: 'lost_card',
    failureCode: 'card_declined',
    adviceCode: 'do_not_try_again',
    networkDeclineCode: sameForBrands('41'),
    retryable: false,
    message: 'Your card was declined.',
  },
  {
    declineCode: 'stolen_card',
    failureCode: 'card_declined',
    adviceCode: 'do_not_try_again',
    networkDeclineCode: sameForBrands('43'),
    retryable: false,
    message: 'Your card was declined.',
  },
];

/** Mastercard Merchant Advice Codes for each advice code. Visa sends none in this field. */
const mastercardAdviceCodes: Record<AdviceCode, string> = {
  confirm_card_data: '01',
  try_again_later: '02',
  do_not_try_again: '03',
};

export function networkAdviceCode(profile: DeclineProfile, brand: CardBrand): string | null {
  if (brand !== 'mastercard' || profile.adviceCode === null) return null;
  return mastercardAdviceCodes[profile.adviceCode];
}

export function findDeclineProfile(declineCode: string): DeclineProfile {
  const profile = declineProfiles.find((candidate) => candidate.declineCode === declineCode);
  if (!profile) throw new Error(`Unknown decline code ${declineCode}`);
  return profile;
}

/** Declines that need the customer to supply a new card. */
export const newCardDeclineCodes = ['expired_card', 'lost_card', 'stolen_card', 'authentication_required'];
