import { DescriptionList, DescriptionListItem, Heading, Text } from '@hubspot/ui-extensions';
import { describePaymentCard, formatDateTime, humanize, missingValue } from './format.ts';
import type { LinkedCardView } from './view-model.ts';

type DunningFields = Pick<LinkedCardView, 'dunning' | 'paymentCard'>;

export function DunningSection({ view }: { view: DunningFields }) {
  const { dunning, paymentCard } = view;
  return (
    <>
      <Heading>Dunning</Heading>
      <DescriptionList direction="row" testId="dunning">
        <DescriptionListItem label="Stage">
          <Text>{humanize(dunning.stage)}</Text>
        </DescriptionListItem>
        <DescriptionListItem label="Next retry">
          <Text>{formatDateTime(dunning.nextRetryAt)}</Text>
        </DescriptionListItem>
        {dunning.pausedUntil && (
          <DescriptionListItem label="Paused until">
            <Text>{formatDateTime(dunning.pausedUntil)}</Text>
          </DescriptionListItem>
        )}
        <DescriptionListItem label="Payment card">
          <Text>{paymentCard ? describePaymentCard(paymentCard) : missingValue}</Text>
        </DescriptionListItem>
      </DescriptionList>
    </>
  );
}
