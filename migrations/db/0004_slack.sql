-- Slack: one installation per workspace and tenant, per-tenant alert settings, and one alert per rule,
-- customer and episode so CSMs hear about a problem once and see the message updated as it changes.

CREATE TABLE slack_installations (
  id bigserial PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  team_id text NOT NULL,
  enterprise_id text,
  team_name text,
  bot_user_id text NOT NULL,
  bot_token_sealed text NOT NULL,
  bot_scopes text[] NOT NULL DEFAULT '{}',
  installer_user_id text,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- A workspace (or an Enterprise Grid org's workspace) belongs to one tenant.
CREATE UNIQUE INDEX slack_installations_team ON slack_installations (coalesce(enterprise_id, ''), team_id);
CREATE INDEX slack_installations_tenant ON slack_installations (tenant_id);

-- Validated by the alert settings schema in code; NULL columns mean defaults.
CREATE TABLE alert_settings (
  tenant_id uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
  settings jsonb NOT NULL,
  next_digest_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- The CRM owner of the linked record, for routing alerts to the owner's channel.
ALTER TABLE crm_links ADD COLUMN owner_id text;

-- One row per rule, customer and episode (a failure episode ends on recovery). The row keeps the latest
-- content; `version` grows on each change and `posted_version` records what Slack shows, so a burst of
-- changes becomes one post and later updates of the same message.
CREATE TABLE slack_alerts (
  id bigserial PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  customer_id bigint NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  rule text NOT NULL,
  episode_key text NOT NULL,
  channel_id text NOT NULL,
  message_ts text,
  content jsonb NOT NULL,
  version integer NOT NULL DEFAULT 1,
  posted_version integer NOT NULL DEFAULT 0,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'posted', 'failed', 'digest')),
  attempts integer NOT NULL DEFAULT 0,
  last_error text,
  claimed_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, rule, customer_id, episode_key)
);
CREATE INDEX slack_alerts_unposted ON slack_alerts (updated_at) WHERE version > posted_version;
