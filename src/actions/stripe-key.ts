import {
  createStripeBilling,
  type StripeBilling,
  type StripeBillingOptions,
} from '../../integrations/stripe/billing-api';
import type { SecretBox } from '../db/crypto';
import type { Db } from '../db/database';
import { AppError } from '../errors';

// Secret keys start with sk_live_/sk_test_ and restricted keys with rk_live_/rk_test_.
const stripeApiKeyPattern = /^(sk|rk)_(live|test)_[A-Za-z0-9]{8,}$/;

/**
 * Validates a Stripe API key and stores it sealed in `tenants.stripe_api_key_sealed`. A restricted key
 * (`rk_`) needs write access to Invoices and Customer portal for the card actions.
 */
export async function setStripeApiKey(
  db: Db,
  box: SecretBox,
  tenantId: string,
  apiKey: string,
): Promise<void> {
  const key = apiKey.trim();
  if (!stripeApiKeyPattern.test(key)) {
    throw new AppError(
      'invalid_stripe_api_key',
      'Stripe API key must start with "rk_live_", "rk_test_", "sk_live_" or "sk_test_"; ' +
        'create a restricted key in the Stripe dashboard (Developers, API keys) and paste it whole',
      { status: 400 },
    );
  }
  const updated = await db
    .updateTable('tenants')
    .set({ stripe_api_key_sealed: box.seal(key) })
    .where('id', '=', tenantId)
    .executeTakeFirst();
  if (updated.numUpdatedRows === 0n) {
    throw new AppError('tenant_not_found', `Tenant ${tenantId} not found`, { status: 404 });
  }
}

/**
 * Returns a `billing` dependency for the card action processor: it opens the tenant's sealed key and
 * builds an SDK client, or returns null when the tenant has no key.
 */
export function tenantStripeBilling(
  db: Db,
  box: SecretBox,
  options: StripeBillingOptions,
): (tenantId: string) => Promise<StripeBilling | null> {
  return async (tenantId) => {
    const tenant = await db
      .selectFrom('tenants')
      .select('stripe_api_key_sealed')
      .where('id', '=', tenantId)
      .executeTakeFirst();
    if (!tenant?.stripe_api_key_sealed) return null;
    return createStripeBilling(box.open(tenant.stripe_api_key_sealed), options);
  };
}
