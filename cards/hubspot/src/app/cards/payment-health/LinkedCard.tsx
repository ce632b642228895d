import { Divider, Flex, Heading, Text } from '@hubspot/ui-extensions';
import { ActionsSection } from './ActionsSection.tsx';
import { AttemptsSection } from './AttemptsSection.tsx';
import { BillingSection } from './BillingSection.tsx';
import { DunningSection } from './DunningSection.tsx';
import { HealthSection } from './HealthSection.tsx';
import { InvoicesSection } from './InvoicesSection.tsx';
import type { LinkedCardView } from './view-model.ts';

interface LinkedCardProps {
  companyId: string;
  view: LinkedCardView;
  refreshing: boolean;
  onChanged: () => void;
}

export function LinkedCard({ companyId, view, refreshing, onChanged }: LinkedCardProps) {
  const { customer } = view;
  return (
    <Flex direction="column" gap="md" testId="linked-card">
      <Flex direction="row" justify="between" align="center">
        <Heading>{customer.name ?? customer.stripeCustomerId}</Heading>
        <Text variant="microcopy">
          {refreshing ? 'Refreshing…' : `Stripe customer ${customer.stripeCustomerId}`}
        </Text>
      </Flex>
      <HealthSection health={view.health} />
      <BillingSection view={view} />
      <Divider />
      <AttemptsSection attempts={view.recentAttempts} />
      <DunningSection view={view} />
      <InvoicesSection invoices={view.openInvoices} />
      <Divider />
      <ActionsSection companyId={companyId} view={view} onQueued={onChanged} />
    </Flex>
  );
}
