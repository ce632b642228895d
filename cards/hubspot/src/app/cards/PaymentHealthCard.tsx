import { Button, ErrorState, LoadingSpinner, Text, hubspot } from '@hubspot/ui-extensions';
import { LinkCustomerForm } from './payment-health/LinkCustomerForm.tsx';
import { LinkedCard } from './payment-health/LinkedCard.tsx';
import { useCardView } from './payment-health/use-card-view.ts';

/** Renders the payment-health card (uid `payment_health_card`) on a HubSpot company record. */
export function PaymentHealthCard({ companyId }: { companyId: string }) {
  const { state, reload } = useCardView(companyId);

  if (state.kind === 'loading') {
    return <LoadingSpinner label="Loading payment health" showLabel layout="centered" testId="loading" />;
  }
  if (state.kind === 'error') {
    return (
      <ErrorState title="Payment health could not be loaded" testId="load-error">
        <Text>{state.message}</Text>
        <Button onClick={() => reload()} testId="load-retry">
          Try again
        </Button>
      </ErrorState>
    );
  }
  if (state.view.state === 'not_linked') {
    return <LinkCustomerForm companyId={companyId} onLinked={() => reload()} />;
  }
  return (
    <LinkedCard
      companyId={companyId}
      view={state.view}
      refreshing={state.refreshing}
      onChanged={() => reload({ keepView: true })}
    />
  );
}

hubspot.extend<'crm.record.tab'>(({ context }) => (
  <PaymentHealthCard companyId={String(context.crm.objectId)} />
));
