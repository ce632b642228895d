import {
  Heading,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
  Text,
} from '@hubspot/ui-extensions';
import { formatDate, formatDateTime, formatProbability, humanize, missingValue } from './format.ts';
import type { OpenInvoiceView } from './view-model.ts';

function describeDue(invoice: OpenInvoiceView): string {
  const due = formatDate(invoice.dueDate);
  if (invoice.daysOverdue <= 0) return due;
  const days = invoice.daysOverdue === 1 ? '1 day' : `${invoice.daysOverdue} days`;
  return `${due} (${days} overdue)`;
}

function describeNextStep(invoice: OpenInvoiceView): string {
  if (invoice.nextPlannedStep) return humanize(invoice.nextPlannedStep);
  if (invoice.nextPaymentAttempt) return `Stripe retry ${formatDateTime(invoice.nextPaymentAttempt)}`;
  return missingValue;
}

function InvoiceRow({ invoice, showRecovery }: { invoice: OpenInvoiceView; showRecovery: boolean }) {
  const recovery = invoice.recoveryProbability;
  return (
    <TableRow>
      <TableCell>{invoice.number ?? invoice.stripeInvoiceId}</TableCell>
      <TableCell>{invoice.amountRemaining.formatted}</TableCell>
      <TableCell>{describeDue(invoice)}</TableCell>
      <TableCell>{describeNextStep(invoice)}</TableCell>
      {showRecovery && (
        <TableCell>{recovery === null ? missingValue : formatProbability(recovery)}</TableCell>
      )}
    </TableRow>
  );
}

export function InvoicesSection({ invoices }: { invoices: OpenInvoiceView[] }) {
  // The recovery column appears only once the collections forecast has scored at least one invoice.
  const showRecovery = invoices.some((invoice) => invoice.recoveryProbability !== null);
  return (
    <>
      <Heading>Open invoices</Heading>
      {invoices.length === 0 ? (
        <Text testId="invoices-empty">No open invoices.</Text>
      ) : (
        <Table bordered density="condensed" testId="invoices">
          <TableHead>
            <TableRow>
              <TableHeader>Invoice</TableHeader>
              <TableHeader>Remaining</TableHeader>
              <TableHeader>Due</TableHeader>
              <TableHeader>Next step</TableHeader>
              {showRecovery && <TableHeader>Recovery</TableHeader>}
            </TableRow>
          </TableHead>
          <TableBody>
            {invoices.map((invoice) => (
              <InvoiceRow key={invoice.stripeInvoiceId} invoice={invoice} showRecovery={showRecovery} />
            ))}
          </TableBody>
        </Table>
      )}
    </>
  );
}
