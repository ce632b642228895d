import type { CardSpec } from './customers';
import type { CardBrand } from './declines';
import type { HistoryContext } from './history-context';
import type { DemoRandom, IdFactory } from './random';
import type { CustomerState, PaymentMethodState } from './state';
import { customerSnapshot, paymentMethodSnapshot } from './stripe-shapes';
import { addMonths, monthOf } from './time';

/** Card payment methods: creating them and making one the customer's default. */

export function newPaymentMethod(
  deps: { ids: IdFactory },
  customer: CustomerState,
  card: CardSpec,
  created: number,
): PaymentMethodState {
  return {
    id: deps.ids.next('pm'),
    customerId: customer.id,
    created,
    card,
    billingEmail: customer.email,
    billingName: customer.name,
  };
}

/** Draws a new card to replace a declined one, valid for 2 to 5 years after `at`. */
export function drawReplacementCard(random: DemoRandom, at: number): CardSpec {
  const expiry = monthOf(addMonths(at, random.int(24, 60)));
  const brand: CardBrand = random.chance(0.65) ? 'visa' : 'mastercard';
  const last4 = String(random.int(0, 9999)).padStart(4, '0');
  return { brand, last4, expMonth: expiry.month, expYear: expiry.year, fingerprint: random.alphanumeric(16) };
}

/** Announces a newly attached card and makes it the customer's default for invoices. */
export function announceDefaultCard(context: HistoryContext, method: PaymentMethodState, at: number): void {
  const { customer, log, apiVersion } = context;
  log.emit(apiVersion, 'payment_method.attached', at, paymentMethodSnapshot(method, context.shape));
  const previous = { invoice_settings: { default_payment_method: customer.defaultPaymentMethodId } };
  customer.defaultPaymentMethodId = method.id;
  log.emit(apiVersion, 'customer.updated', at + 1, customerSnapshot(customer), previous);
  context.paymentMethod = method;
}

/** Attaches a new card and makes it the customer's default for invoices. */
export function attachDefaultCard(context: HistoryContext, card: CardSpec, at: number): PaymentMethodState {
  const method = newPaymentMethod(context, context.customer, card, at);
  announceDefaultCard(context, method, at);
  return method;
}
