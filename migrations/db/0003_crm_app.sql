-- The HubSpot app: one tenant per installed portal, CSM actions from CRM cards and Slack, activity
-- written back to CRM records, and an audit log of who did what.

-- A portal (or Salesforce org) belongs to one tenant at a time. Before this rule, `tenant create` could
-- connect one portal to several tenants: the newest connection keeps the portal, older ones are
-- disconnected so the index can be built.
UPDATE crm_connections AS older
SET status = 'disconnected', account_id = NULL
WHERE account_id IS NOT NULL
  AND EXISTS (
    SELECT 1 FROM crm_connections AS newer
    WHERE newer.provider = older.provider AND newer.account_id = older.account_id AND newer.id > older.id
  );
CREATE UNIQUE INDEX crm_connections_account ON crm_connections (provider, account_id) WHERE account_id IS NOT NULL;

-- Restricted Stripe API key for actions such as retrying an invoice; sealed with SecretBox.
ALTER TABLE tenants ADD COLUMN stripe_api_key_sealed text;

-- Dunning stays paused for a customer until this time (a CSM action); NULL means not paused.
ALTER TABLE customers ADD COLUMN dunning_paused_until timestamptz;

-- A CSM action requested from a CRM card or Slack. The idempotency key makes a second click within the
-- same attempt a no-op; the worker runs the action and records the outcome.
CREATE TABLE card_actions (
  id bigserial PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  customer_id bigint NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  action text NOT NULL CHECK (action IN ('retry_payment', 'send_card_update_link', 'pause_dunning', 'resume_dunning')),
  idempotency_key text NOT NULL,
  source text NOT NULL CHECK (source IN ('hubspot_card', 'salesforce_card', 'slack', 'api')),
  requested_by text NOT NULL,
  stripe_invoice_id text,
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'rejected')),
  result jsonb,
  error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  UNIQUE (tenant_id, idempotency_key)
);
CREATE INDEX card_actions_customer ON card_actions (customer_id, created_at DESC);

-- Notes and tasks for CRM records, written by a worker. source_key is our own event or action id, so a
-- retried job never writes the same activity twice.
CREATE TABLE crm_activities (
  id bigserial PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  customer_id bigint NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  provider text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('note', 'task')),
  source_key text NOT NULL,
  title text NOT NULL,
  body text NOT NULL,
  due_at timestamptz,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'written', 'failed', 'skipped')),
  crm_record_id text,
  attempts integer NOT NULL DEFAULT 0,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  written_at timestamptz,
  UNIQUE (tenant_id, provider, source_key, kind)
);
CREATE INDEX crm_activities_pending ON crm_activities (created_at) WHERE status = 'pending';

CREATE TABLE audit_log (
  id bigserial PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  actor text NOT NULL,
  action text NOT NULL,
  subject text,
  details jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_tenant ON audit_log (tenant_id, created_at DESC);
