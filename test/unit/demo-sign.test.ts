import { createHmac } from 'node:crypto';
import Stripe from 'stripe';
import { signStripePayload } from '../../scripts/demo/sign';

describe('signStripePayload', () => {
  const secret = 'whsec_demo_signing_secret';
  const payload = JSON.stringify({ id: 'evt_demo_1', object: 'event', type: 'invoice.paid' });
  const timestamp = 1_780_000_000;
  const receivedAtMs = timestamp * 1000 + 5_000;
  const stripe = new Stripe('sk_test_x');

  it('is accepted by constructEvent', () => {
    const header = signStripePayload(payload, secret, timestamp);
    const event = stripe.webhooks.constructEvent(payload, header, secret, 300, undefined, receivedAtMs);
    expect(event.id).toBe('evt_demo_1');
  });

  it('is rejected with a wrong secret', () => {
    const header = signStripePayload(payload, secret, timestamp);
    expect(() =>
      stripe.webhooks.constructEvent(payload, header, 'whsec_other', 300, undefined, receivedAtMs),
    ).toThrow(Stripe.errors.StripeSignatureVerificationError);
  });

  it('is rejected for a changed payload', () => {
    const header = signStripePayload(payload, secret, timestamp);
    const changed = payload.replace('invoice.paid', 'invoice.voided');
    expect(() =>
      stripe.webhooks.constructEvent(changed, header, secret, 300, undefined, receivedAtMs),
    ).toThrow(Stripe.errors.StripeSignatureVerificationError);
  });

  it('has the t and v1 format', () => {
    const expected = createHmac('sha256', secret).update(`${timestamp}.${payload}`).digest('hex');
    expect(signStripePayload(payload, secret, timestamp)).toBe(`t=${timestamp},v1=${expected}`);
  });

  it('rejects a fractional timestamp', () => {
    expect(() => signStripePayload(payload, secret, 1.5)).toThrow(/timestampSeconds/);
  });

  it('rejects an empty secret', () => {
    expect(() => signStripePayload(payload, '', timestamp)).toThrow(/secret/);
  });
});
