-- Stripe's collection method: `charge_automatically` charges the default payment method, and
-- `send_invoice` emails the invoice for the customer to pay by hand. NULL when the newest payload
-- had no such field, as in payloads from before Stripe added it. API versions before 2019-10-17
-- name it `billing`, with the same values.
ALTER TABLE invoices
  ADD COLUMN collection_method text CHECK (collection_method IN ('charge_automatically', 'send_invoice'));

ALTER TABLE subscriptions
  ADD COLUMN collection_method text CHECK (collection_method IN ('charge_automatically', 'send_invoice'));

-- The subscription's own default payment method (or legacy default source). Stripe charges it in
-- place of the customer's default, so it takes precedence when it is set.
ALTER TABLE subscriptions ADD COLUMN default_payment_method_id text;
