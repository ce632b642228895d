import { useState } from 'react';
import { Alert, Button, EmptyState, Form, Input, Text } from '@hubspot/ui-extensions';
import { linkStripeCustomer } from './backend.ts';
import { errorMessage } from './use-card-view.ts';

const stripeCustomerIdPattern = /^cus_[A-Za-z0-9]+$/;

export function isStripeCustomerId(value: string): boolean {
  return stripeCustomerIdPattern.test(value);
}

interface LinkCustomerFormProps {
  companyId: string;
  /** Called after the backend stored the link, so the card loads the linked view. */
  onLinked: () => void;
}

export function LinkCustomerForm({ companyId, onLinked }: LinkCustomerFormProps) {
  const [customerId, setCustomerId] = useState('');
  const [touched, setTouched] = useState(false);
  const [sending, setSending] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const trimmed = customerId.trim();
  const invalid = touched && !isStripeCustomerId(trimmed);

  const submit = () => {
    setTouched(true);
    if (!isStripeCustomerId(trimmed)) return;
    setSending(true);
    setFailure(null);
    linkStripeCustomer(companyId, trimmed).then(onLinked, (error: unknown) => {
      setSending(false);
      setFailure(errorMessage(error));
    });
  };

  return (
    <EmptyState
      title="No Stripe customer linked"
      layout="vertical"
      imageName="integrations"
      testId="not-linked"
    >
      <Text>
        Link this company to its Stripe customer to see payment health, failed payments and dunning.
      </Text>
      {failure && (
        <Alert title="Linking failed" variant="error" testId="link-failed">
          {failure}
        </Alert>
      )}
      <Form onSubmit={submit} preventDefault testId="link-form">
        <Input
          name="stripeCustomerId"
          label="Stripe customer id"
          placeholder="cus_..."
          value={customerId}
          required
          error={invalid}
          validationMessage={invalid ? 'Enter a Stripe customer id that starts with "cus_"' : undefined}
          onChange={(value) => setCustomerId(value)}
          testId="link-customer-id"
        />
        <Button type="submit" variant="primary" disabled={sending} testId="link-submit">
          Link customer
        </Button>
      </Form>
    </EmptyState>
  );
}
