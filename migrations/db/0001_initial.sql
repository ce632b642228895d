-- Tenants, ingestion, ledger, health and CRM sync state. Money is integer minor units plus an
-- ISO 4217 currency code (lower case, as Stripe sends it).

CREATE TABLE tenants (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL,
  settings jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Two secrets may be active at once while a tenant rotates its Stripe endpoint secret.
CREATE TABLE webhook_secrets (
  id bigserial PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  provider text NOT NULL DEFAULT 'stripe',
  secret_sealed text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz
);
CREATE INDEX webhook_secrets_tenant ON webhook_secrets (tenant_id, provider);

CREATE TABLE api_keys (
  id bigserial PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  key_hash text NOT NULL UNIQUE,
  key_prefix text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);

-- Every accepted webhook, committed before the 2xx. processed_at stays NULL until the ledger
-- projection commits; the relay re-enqueues rows that were never enqueued or got stuck.
CREATE TABLE stripe_events (
  id bigserial PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  event_id text NOT NULL,
  type text NOT NULL,
  api_version text,
  livemode boolean NOT NULL DEFAULT false,
  event_created_at timestamptz NOT NULL,
  payload jsonb NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  enqueued_at timestamptz,
  processed_at timestamptz,
  outcome text CHECK (outcome IN ('applied', 'ignored', 'dead_lettered')),
  attempts integer NOT NULL DEFAULT 0,
  UNIQUE (tenant_id, event_id)
);
CREATE INDEX stripe_events_pending ON stripe_events (received_at) WHERE processed_at IS NULL;

CREATE TABLE dead_letters (
  id bigserial PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  stripe_event_id bigint NOT NULL REFERENCES stripe_events (id) ON DELETE CASCADE,
  event_id text NOT NULL,
  event_type text NOT NULL,
  reason text NOT NULL,
  issues jsonb NOT NULL DEFAULT '[]'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (stripe_event_id)
);

-- source_version is the Stripe event's `created` (seconds) that last wrote the row, and
-- source_event_id breaks ties between events of the same second, so any delivery order
-- ends in the same state.
CREATE TABLE customers (
  id bigserial PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  stripe_customer_id text NOT NULL,
  email text,
  name text,
  currency text,
  delinquent boolean NOT NULL DEFAULT false,
  deleted boolean NOT NULL DEFAULT false,
  default_payment_method_id text,
  source_version bigint NOT NULL DEFAULT 0,
  source_event_id text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, stripe_customer_id)
);

CREATE TABLE subscriptions (
  id bigserial PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  customer_id bigint NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  stripe_subscription_id text NOT NULL,
  status text NOT NULL,
  currency text NOT NULL,
  mrr_minor bigint NOT NULL DEFAULT 0,
  current_period_end timestamptz,
  cancel_at_period_end boolean NOT NULL DEFAULT false,
  canceled_at timestamptz,
  ended_at timestamptz,
  started_at timestamptz,
  source_version bigint NOT NULL DEFAULT 0,
  source_event_id text NOT NULL DEFAULT '',
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, stripe_subscription_id)
);
CREATE INDEX subscriptions_customer ON subscriptions (customer_id);

CREATE TABLE invoices (
  id bigserial PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  customer_id bigint NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  stripe_invoice_id text NOT NULL,
  stripe_subscription_id text,
  number text,
  status text NOT NULL,
  currency text NOT NULL,
  amount_due bigint NOT NULL DEFAULT 0,
  amount_paid bigint NOT NULL DEFAULT 0,
  amount_remaining bigint NOT NULL DEFAULT 0,
  attempt_count integer NOT NULL DEFAULT 0,
  invoice_created_at timestamptz,
  due_date timestamptz,
  paid_at timestamptz,
  next_payment_attempt timestamptz,
  hosted_invoice_url text,
  source_version bigint NOT NULL DEFAULT 0,
  source_event_id text NOT NULL DEFAULT '',
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, stripe_invoice_id)
);
CREATE INDEX invoices_customer ON invoices (customer_id);

-- One row per charge (or per PaymentIntent when no charge exists). Decline data comes from the
-- charge outcome and the PaymentIntent's last_payment_error; both events merge into one row.
CREATE TABLE payment_attempts (
  id bigserial PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  customer_id bigint NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  attempt_key text NOT NULL,
  stripe_charge_id text,
  stripe_payment_intent_id text,
  stripe_invoice_id text,
  status text NOT NULL CHECK (status IN ('succeeded', 'failed', 'pending', 'requires_action')),
  amount bigint NOT NULL,
  currency text NOT NULL,
  failure_code text,
  failure_message text,
  decline_code text,
  advice_code text,
  network_decline_code text,
  network_advice_code text,
  outcome_type text,
  card_brand text,
  card_last4 text,
  attempted_at timestamptz NOT NULL,
  source_version bigint NOT NULL DEFAULT 0,
  source_event_id text NOT NULL DEFAULT '',
  UNIQUE (tenant_id, attempt_key)
);
CREATE INDEX payment_attempts_customer ON payment_attempts (customer_id, attempted_at DESC);

-- Card metadata only: brand, last4 and expiry. A card number is never stored.
CREATE TABLE payment_methods (
  id bigserial PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  customer_id bigint NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  stripe_payment_method_id text NOT NULL,
  type text NOT NULL,
  card_brand text,
  card_last4 text,
  exp_month integer,
  exp_year integer,
  detached boolean NOT NULL DEFAULT false,
  source_version bigint NOT NULL DEFAULT 0,
  source_event_id text NOT NULL DEFAULT '',
  UNIQUE (tenant_id, stripe_payment_method_id)
);
CREATE INDEX payment_methods_customer ON payment_methods (customer_id);

-- A row is written only when the score, band or reasons change, so consecutive rows give the trend.
CREATE TABLE health_snapshots (
  id bigserial PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  customer_id bigint NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  score integer NOT NULL CHECK (score BETWEEN 0 AND 100),
  band text NOT NULL CHECK (band IN ('red', 'yellow', 'green')),
  factors jsonb NOT NULL,
  reasons jsonb NOT NULL,
  computed_at timestamptz NOT NULL
);
CREATE INDEX health_snapshots_customer ON health_snapshots (customer_id, computed_at DESC);

-- One CRM account per tenant and provider. Tokens are sealed with SecretBox.
CREATE TABLE crm_connections (
  id bigserial PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  provider text NOT NULL CHECK (provider IN ('hubspot', 'salesforce')),
  account_id text,
  access_token_sealed text NOT NULL,
  refresh_token_sealed text,
  access_token_expires_at timestamptz,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'needs_reauth', 'disconnected')),
  schema_version integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, provider)
);

-- Which CRM record a billing customer is written to, and how that link was found.
CREATE TABLE crm_links (
  id bigserial PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  customer_id bigint NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  provider text NOT NULL,
  record_id text NOT NULL,
  matched_by text NOT NULL CHECK (matched_by IN ('billing_customer_id', 'domain', 'created', 'manual')),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, provider, customer_id)
);

-- Pending CRM writes, one row per customer and provider: a burst of events only moves dirty_since,
-- so the next flush sends one write with the latest state.
CREATE TABLE crm_sync_state (
  id bigserial PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  customer_id bigint NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  provider text NOT NULL,
  dirty_since timestamptz,
  match_status text NOT NULL DEFAULT 'pending' CHECK (match_status IN ('pending', 'matched', 'unmatched')),
  last_synced_at timestamptz,
  last_properties jsonb,
  last_error text,
  attempts integer NOT NULL DEFAULT 0,
  UNIQUE (tenant_id, provider, customer_id)
);
CREATE INDEX crm_sync_state_dirty ON crm_sync_state (tenant_id, provider, dirty_since) WHERE dirty_since IS NOT NULL;
