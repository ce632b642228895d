import type { StripeBillingError } from '../../integrations/stripe/billing-api';
import { describeDecline } from '../ledger/decline-codes';
import type { HandlerOutcome } from './types';

export const stripeNotConnectedReason =
  "The tenant has no Stripe API key; connect Stripe: set the tenant's restricted API key";

/** Text for a Stripe failure that is neither a decline nor retryable, with what to do next. */
function describeStripeFailure(failure: StripeBillingError): string {
  switch (failure.code) {
    case 'stripe_authentication_failed':
      return "Stripe rejected the tenant's API key; set a new restricted API key for the tenant";
    case 'stripe_permission_denied':
      return (
        "The tenant's restricted Stripe key lacks a permission this action needs " +
        '(write access to Invoices and Customer portal); update the key in the Stripe dashboard'
      );
    case 'stripe_payment_requires_action':
      return (
        'The bank requires the customer to authenticate this payment (3D Secure); ' +
        'send the customer the hosted invoice page to complete it'
      );
    default:
      return failure.message;
  }
}

/**
 * Turns a non-retryable Stripe failure into an outcome. A card decline is `failed` with the decline in
 * plain words, an invoice Stripe will not charge is `rejected`, and anything else is `failed`.
 */
export function outcomeForStripeFailure(
  failure: StripeBillingError,
  result: Record<string, unknown>,
): HandlerOutcome {
  if (failure.code === 'stripe_card_declined') {
    const decline = describeDecline({
      declineCode: failure.details.declineCode,
      adviceCode: failure.details.adviceCode,
      failureCode: failure.details.failureCode,
    });
    return {
      status: 'failed',
      error: `Payment declined: ${decline.text}`,
      result: {
        ...result,
        declineCode: failure.details.declineCode ?? null,
        adviceCode: failure.details.adviceCode ?? null,
        declineKind: decline.kind,
      },
    };
  }
  const withCode = {
    ...result,
    stripeErrorCode: failure.code,
    stripeRequestId: failure.details.requestId ?? null,
  };
  if (failure.code === 'stripe_invoice_not_payable') {
    const error = `Stripe did not accept the payment retry: ${failure.message}`;
    return { status: 'rejected', error, result: withCode };
  }
  return { status: 'failed', error: describeStripeFailure(failure), result: withCode };
}
