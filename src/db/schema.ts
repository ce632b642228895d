import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** Typed view of migrations/db. Keep in step with the SQL: a test compares the two. */

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** pg returns int8 as a string; we parse it where we read it and write numbers. */
type BigInt8 = ColumnType<string, number | bigint | string, number | bigint | string>;
type DefaultBigInt8 = ColumnType<string, number | bigint | string | undefined, number | bigint | string>;
type Json<T> = ColumnType<T, string, string>;

/** Stripe's collection method of an invoice or subscription. */
export type CollectionMethod = 'charge_automatically' | 'send_invoice';

export interface TenantSettings {
  /** Create a CRM company for a billing customer that matches none. Off by default. */
  createCrmCompanies?: boolean;
}

export interface TenantsTable {
  id: Generated<string>;
  name: string;
  settings: ColumnType<TenantSettings, string | undefined, string>;
  /** Restricted Stripe API key for actions, sealed with SecretBox. */
  stripe_api_key_sealed: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: DefaultTimestamp;
}

export interface WebhookSecretsTable {
  id: Generated<string>;
  tenant_id: string;
  provider: ColumnType<string, string | undefined, string>;
  secret_sealed: string;
  created_at: DefaultTimestamp;
  expires_at: Timestamp | null;
}

export interface ApiKeysTable {
  id: Generated<string>;
  tenant_id: string;
  key_hash: string;
  key_prefix: string;
  created_at: DefaultTimestamp;
  revoked_at: Timestamp | null;
}

export type EventOutcome = 'applied' | 'ignored' | 'dead_lettered';

export interface StripeEventsTable {
  id: Generated<string>;
  tenant_id: string;
  event_id: string;
  type: string;
  api_version: string | null;
  livemode: ColumnType<boolean, boolean | undefined, boolean>;
  event_created_at: Timestamp;
  payload: Json<unknown>;
  received_at: DefaultTimestamp;
  enqueued_at: Timestamp | null;
  processed_at: Timestamp | null;
  outcome: EventOutcome | null;
  attempts: ColumnType<number, number | undefined, number>;
}

export interface DeadLettersTable {
  id: Generated<string>;
  tenant_id: string;
  stripe_event_id: string;
  event_id: string;
  event_type: string;
  reason: string;
  issues: Json<unknown[]>;
  created_at: DefaultTimestamp;
}

interface SourceVersionColumns {
  source_version: DefaultBigInt8;
  source_event_id: ColumnType<string, string | undefined, string>;
}

export interface CustomersTable extends SourceVersionColumns {
  id: Generated<string>;
  tenant_id: string;
  stripe_customer_id: string;
  email: string | null;
  name: string | null;
  currency: string | null;
  delinquent: ColumnType<boolean, boolean | undefined, boolean>;
  deleted: ColumnType<boolean, boolean | undefined, boolean>;
  default_payment_method_id: string | null;
  dunning_paused_until: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface SubscriptionsTable extends SourceVersionColumns {
  id: Generated<string>;
  tenant_id: string;
  customer_id: string;
  stripe_subscription_id: string;
  status: string;
  currency: string;
  mrr_minor: DefaultBigInt8;
  current_period_end: Timestamp | null;
  cancel_at_period_end: ColumnType<boolean, boolean | undefined, boolean>;
  canceled_at: Timestamp | null;
  ended_at: Timestamp | null;
  started_at: Timestamp | null;
  updated_at: DefaultTimestamp;
  collection_method: CollectionMethod | null;
  default_payment_method_id: string | null;
}

export interface InvoicesTable extends SourceVersionColumns {
  id: Generated<string>;
  tenant_id: string;
  customer_id: string;
  stripe_invoice_id: string;
  stripe_subscription_id: string | null;
  number: string | null;
  status: string;
  currency: string;
  amount_due: DefaultBigInt8;
  amount_paid: DefaultBigInt8;
  amount_remaining: DefaultBigInt8;
  attempt_count: ColumnType<number, number | undefined, number>;
  invoice_created_at: Timestamp | null;
  due_date: Timestamp | null;
  paid_at: Timestamp | null;
  next_payment_attempt: Timestamp | null;
  hosted_invoice_url: string | null;
  /** Charge and PaymentIntent ids linked to the invoice. */
  payment_refs: ColumnType<string[], string[] | undefined, string[]>;
  updated_at: DefaultTimestamp;
  collection_method: CollectionMethod | null;
}

export type PaymentAttemptStatus = 'succeeded' | 'failed' | 'pending' | 'requires_action';

export interface PaymentAttemptsTable extends SourceVersionColumns {
  id: Generated<string>;
  tenant_id: string;
  customer_id: string;
  attempt_key: string;
  stripe_charge_id: string | null;
  stripe_payment_intent_id: string | null;
  stripe_invoice_id: string | null;
  status: PaymentAttemptStatus;
  amount: BigInt8;
  currency: string;
  failure_code: string | null;
  failure_message: string | null;
  decline_code: string | null;
  advice_code: string | null;
  network_decline_code: string | null;
  network_advice_code: string | null;
  outcome_type: string | null;
  card_brand: string | null;
  card_last4: string | null;
  attempted_at: Timestamp;
}

export interface PaymentMethodsTable extends SourceVersionColumns {
  id: Generated<string>;
  tenant_id: string;
  customer_id: string;
  stripe_payment_method_id: string;
  type: string;
  card_brand: string | null;
  card_last4: string | null;
  exp_month: number | null;
  exp_year: number | null;
  detached: ColumnType<boolean, boolean | undefined, boolean>;
}

export interface HealthSnapshotsTable {
  id: Generated<string>;
  tenant_id: string;
  customer_id: string;
  score: number;
  band: 'red' | 'yellow' | 'green';
  factors: Json<unknown>;
  reasons: Json<string[]>;
  computed_at: Timestamp;
}

export type CrmProvider = 'hubspot' | 'salesforce';

export interface CrmConnectionsTable {
  id: Generated<string>;
  tenant_id: string;
  provider: CrmProvider;
  account_id: string | null;
  access_token_sealed: string;
  refresh_token_sealed: string | null;
  access_token_expires_at: Timestamp | null;
  status: ColumnType<'active' | 'needs_reauth' | 'disconnected', string | undefined, string>;
  schema_version: ColumnType<number, number | undefined, number>;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface CrmLinksTable {
  id: Generated<string>;
  tenant_id: string;
  customer_id: string;
  provider: CrmProvider;
  record_id: string;
  matched_by: 'billing_customer_id' | 'domain' | 'created' | 'manual';
  owner_id: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: DefaultTimestamp;
}

export interface CrmSyncStateTable {
  id: Generated<string>;
  tenant_id: string;
  customer_id: string;
  provider: CrmProvider;
  dirty_since: Timestamp | null;
  match_status: ColumnType<'pending' | 'matched' | 'unmatched', string | undefined, string>;
  last_synced_at: Timestamp | null;
  last_properties: Json<Record<string, string>> | null;
  last_error: string | null;
  attempts: ColumnType<number, number | undefined, number>;
}

export type CardActionName = 'retry_payment' | 'send_card_update_link' | 'pause_dunning' | 'resume_dunning';
export type CardActionStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'rejected';

export interface CardActionsTable {
  id: Generated<string>;
  tenant_id: string;
  customer_id: string;
  action: CardActionName;
  idempotency_key: string;
  source: 'hubspot_card' | 'salesforce_card' | 'slack' | 'api';
  requested_by: string;
  stripe_invoice_id: string | null;
  status: ColumnType<CardActionStatus, CardActionStatus | undefined, CardActionStatus>;
  result: Json<Record<string, unknown>> | null;
  error: string | null;
  created_at: DefaultTimestamp;
  finished_at: Timestamp | null;
}

export interface CrmActivitiesTable {
  id: Generated<string>;
  tenant_id: string;
  customer_id: string;
  provider: CrmProvider;
  kind: 'note' | 'task';
  source_key: string;
  title: string;
  body: string;
  due_at: Timestamp | null;
  status: ColumnType<'pending' | 'written' | 'failed' | 'skipped', string | undefined, string>;
  crm_record_id: string | null;
  attempts: ColumnType<number, number | undefined, number>;
  last_error: string | null;
  created_at: DefaultTimestamp;
  written_at: Timestamp | null;
}

export interface AuditLogTable {
  id: Generated<string>;
  tenant_id: string;
  actor: string;
  action: string;
  subject: string | null;
  details: ColumnType<Record<string, unknown>, string | undefined, string>;
  created_at: DefaultTimestamp;
}

export interface SlackInstallationsTable {
  id: Generated<string>;
  tenant_id: string;
  team_id: string;
  enterprise_id: string | null;
  team_name: string | null;
  bot_user_id: string;
  bot_token_sealed: string;
  bot_scopes: ColumnType<string[], string[] | undefined, string[]>;
  installer_user_id: string | null;
  status: ColumnType<'active' | 'revoked', 'active' | 'revoked' | undefined, 'active' | 'revoked'>;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface AlertSettingsTable {
  tenant_id: string;
  /** Validated by the alert settings zod schema before it is written. */
  settings: Json<Record<string, unknown>>;
  next_digest_at: Timestamp | null;
  updated_at: DefaultTimestamp;
}

export interface SlackAlertsTable {
  id: Generated<string>;
  tenant_id: string;
  customer_id: string;
  rule: string;
  episode_key: string;
  channel_id: string;
  message_ts: string | null;
  content: Json<Record<string, unknown>>;
  version: ColumnType<number, number | undefined, number>;
  posted_version: ColumnType<number, number | undefined, number>;
  status: ColumnType<'pending' | 'posted' | 'failed' | 'digest', string | undefined, string>;
  attempts: ColumnType<number, number | undefined, number>;
  last_error: string | null;
  claimed_by: string | null;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface Database {
  tenants: TenantsTable;
  webhook_secrets: WebhookSecretsTable;
  api_keys: ApiKeysTable;
  stripe_events: StripeEventsTable;
  dead_letters: DeadLettersTable;
  customers: CustomersTable;
  subscriptions: SubscriptionsTable;
  invoices: InvoicesTable;
  payment_attempts: PaymentAttemptsTable;
  payment_methods: PaymentMethodsTable;
  health_snapshots: HealthSnapshotsTable;
  crm_connections: CrmConnectionsTable;
  crm_links: CrmLinksTable;
  crm_sync_state: CrmSyncStateTable;
  card_actions: CardActionsTable;
  crm_activities: CrmActivitiesTable;
  audit_log: AuditLogTable;
  slack_installations: SlackInstallationsTable;
  alert_settings: AlertSettingsTable;
  slack_alerts: SlackAlertsTable;
}

export type Customer = Selectable<CustomersTable>;
export type Subscription = Selectable<SubscriptionsTable>;
export type Invoice = Selectable<InvoicesTable>;
export type PaymentAttempt = Selectable<PaymentAttemptsTable>;
export type PaymentMethod = Selectable<PaymentMethodsTable>;
export type NewStripeEvent = Insertable<StripeEventsTable>;
export type CrmSyncStateUpdate = Updateable<CrmSyncStateTable>;
