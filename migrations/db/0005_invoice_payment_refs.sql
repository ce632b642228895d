-- Charge and PaymentIntent ids that paid or tried to pay each invoice. Since the 2025-03-31 API version
-- charges and PaymentIntents no longer name their invoice; only the invoice's `payments` list links
-- them, so payment attempts are tied to invoices through these ids, in whichever order events arrive.
ALTER TABLE invoices ADD COLUMN payment_refs text[] NOT NULL DEFAULT '{}';
CREATE INDEX invoices_payment_refs ON invoices USING gin (payment_refs);
