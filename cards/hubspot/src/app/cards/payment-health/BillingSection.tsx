import { DescriptionList, DescriptionListItem, Text } from '@hubspot/ui-extensions';
import { formatMoneyView, humanize } from './format.ts';
import type { LinkedCardView } from './view-model.ts';

type BillingFields = Pick<LinkedCardView, 'subscriptionStatus' | 'mrr' | 'openAmount' | 'overdueAmount'>;

export function BillingSection({ view }: { view: BillingFields }) {
  return (
    <DescriptionList direction="row" testId="billing">
      <DescriptionListItem label="Subscription">
        <Text>{humanize(view.subscriptionStatus)}</Text>
      </DescriptionListItem>
      <DescriptionListItem label="MRR">
        <Text>{formatMoneyView(view.mrr)}</Text>
      </DescriptionListItem>
      <DescriptionListItem label="Open">
        <Text>{formatMoneyView(view.openAmount)}</Text>
      </DescriptionListItem>
      <DescriptionListItem label="Overdue">
        <Text>{formatMoneyView(view.overdueAmount)}</Text>
      </DescriptionListItem>
    </DescriptionList>
  );
}
