import {
  Heading,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
  Tag,
  Text,
} from '@hubspot/ui-extensions';
import { formatDateTime, humanize, missingValue } from './format.ts';
import type { PaymentAttemptView } from './view-model.ts';

const statusVariants: Record<PaymentAttemptView['status'], 'success' | 'error' | 'default' | 'warning'> = {
  succeeded: 'success',
  failed: 'error',
  pending: 'default',
  requires_action: 'warning',
};

function DeclineCell({ attempt }: { attempt: PaymentAttemptView }) {
  if (!attempt.declineText) return <Text>{missingValue}</Text>;
  const retryHint = attempt.declineKind === 'hard' ? ' (hard decline: the same card will fail again)' : '';
  return <Text>{`${attempt.declineText}${retryHint}`}</Text>;
}

function AttemptRow({ attempt }: { attempt: PaymentAttemptView }) {
  return (
    <TableRow>
      <TableCell>{formatDateTime(attempt.attemptedAt)}</TableCell>
      <TableCell>{attempt.amount.formatted}</TableCell>
      <TableCell>
        <Tag variant={statusVariants[attempt.status]}>{humanize(attempt.status)}</Tag>
      </TableCell>
      <TableCell>
        <DeclineCell attempt={attempt} />
      </TableCell>
      <TableCell>{attempt.card ?? missingValue}</TableCell>
    </TableRow>
  );
}

export function AttemptsSection({ attempts }: { attempts: PaymentAttemptView[] }) {
  return (
    <>
      <Heading>Recent payment attempts</Heading>
      {attempts.length === 0 ? (
        <Text testId="attempts-empty">No payment attempts yet.</Text>
      ) : (
        <Table bordered density="condensed" testId="attempts">
          <TableHead>
            <TableRow>
              <TableHeader>Attempted</TableHeader>
              <TableHeader>Amount</TableHeader>
              <TableHeader>Result</TableHeader>
              <TableHeader>Decline reason</TableHeader>
              <TableHeader>Card</TableHeader>
            </TableRow>
          </TableHead>
          <TableBody>
            {attempts.map((attempt) => (
              <AttemptRow key={`${attempt.attemptedAt}-${attempt.amount.amountMinor}`} attempt={attempt} />
            ))}
          </TableBody>
        </Table>
      )}
    </>
  );
}
