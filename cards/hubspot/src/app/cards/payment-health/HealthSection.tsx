import {
  Flex,
  Heading,
  List,
  Statistics,
  StatisticsItem,
  StatisticsTrend,
  Tag,
  Text,
} from '@hubspot/ui-extensions';
import { bandLabels, describeTrend } from './format.ts';
import type { HealthBandView, HealthView } from './view-model.ts';

const bandTagVariants: Record<HealthBandView, 'error' | 'warning' | 'success'> = {
  red: 'error',
  yellow: 'warning',
  green: 'success',
};

function ScoreTrend({ change }: { change: number | null }) {
  if (change === null || change === 0) return null;
  return (
    <StatisticsTrend
      value={`${Math.abs(change)} pts`}
      direction={change > 0 ? 'increase' : 'decrease'}
      color={change > 0 ? 'green' : 'red'}
    />
  );
}

export function HealthSection({ health }: { health: HealthView | null }) {
  if (!health) {
    return (
      <Text testId="health-missing">
        No health score yet: the first score appears after the next billing event.
      </Text>
    );
  }
  return (
    <Flex direction="column" gap="sm">
      <Flex direction="row" gap="md" align="center">
        <Statistics>
          <StatisticsItem label="Health score" number={health.score} testId="health-score">
            <ScoreTrend change={health.changeSince30Days} />
          </StatisticsItem>
        </Statistics>
        <Tag variant={bandTagVariants[health.band]} testId="health-band">
          {bandLabels[health.band]}
        </Tag>
      </Flex>
      <Text variant="microcopy" testId="health-trend">
        {describeTrend(health)}
      </Text>
      {health.topReasons.length > 0 && (
        <>
          <Heading>Top reasons</Heading>
          <List variant="unordered-styled" testId="health-reasons">
            {health.topReasons.map((reason) => (
              <Text key={reason}>{reason}</Text>
            ))}
          </List>
        </>
      )}
    </Flex>
  );
}
