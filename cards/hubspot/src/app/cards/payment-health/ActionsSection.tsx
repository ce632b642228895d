import { useState } from 'react';
import { Alert, Button, Flex, Heading, Text } from '@hubspot/ui-extensions';
import { requestCardAction, type CardActionRequest } from './backend.ts';
import { errorMessage } from './use-card-view.ts';
import type { CardActionName, LinkedCardView, OpenInvoiceView } from './view-model.ts';

/** Length in days of a pause started from the card. The backend validates `pauseDays` itself. */
export const cardPauseDays = 14;

const actionLabels: Record<CardActionName, string> = {
  retry_payment: 'Retry payment now',
  send_card_update_link: 'Send card-update link',
  pause_dunning: `Pause dunning for ${cardPauseDays} days`,
  resume_dunning: 'Resume dunning',
};

type ActionStatus =
  | { kind: 'idle' }
  | { kind: 'sending'; action: CardActionName }
  | { kind: 'queued'; action: CardActionName; duplicate: boolean }
  | { kind: 'failed'; action: CardActionName; message: string };

type ActionFields = Pick<LinkedCardView, 'actions' | 'dunning' | 'openInvoices'>;

/** Picks the invoice a retry targets: the one overdue longest, else the first open one. */
export function retryTarget(invoices: OpenInvoiceView[]): OpenInvoiceView | null {
  let target: OpenInvoiceView | null = null;
  for (const invoice of invoices) {
    if (!target || invoice.daysOverdue > target.daysOverdue) target = invoice;
  }
  return target;
}

function buildRequest(action: CardActionName, view: ActionFields): CardActionRequest {
  if (action === 'retry_payment') {
    const invoice = retryTarget(view.openInvoices);
    return invoice ? { action, stripeInvoiceId: invoice.stripeInvoiceId } : { action };
  }
  if (action === 'pause_dunning') return { action, pauseDays: cardPauseDays };
  return { action };
}

function StatusAlert({ status }: { status: ActionStatus }) {
  if (status.kind === 'queued') {
    const detail = status.duplicate
      ? 'This action was already queued; it runs once.'
      : 'The card refreshes shortly.';
    return (
      <Alert title={`Queued: ${actionLabels[status.action]}`} variant="success" testId="action-queued">
        {detail}
      </Alert>
    );
  }
  if (status.kind === 'failed') {
    return (
      <Alert title={`${actionLabels[status.action]} failed`} variant="error" testId="action-failed">
        {status.message}
      </Alert>
    );
  }
  return null;
}

interface ActionButtonProps {
  name: CardActionName;
  view: ActionFields;
  busy: boolean;
  onRun: (name: CardActionName) => void;
}

function ActionButton({ name, view, busy, onRun }: ActionButtonProps) {
  const state = view.actions[name];
  const target = name === 'retry_payment' ? retryTarget(view.openInvoices) : null;
  const note = state.enabled
    ? target && `Invoice ${target.number ?? target.stripeInvoiceId}`
    : state.disabledReason;
  return (
    <Flex direction="row" gap="sm" align="center">
      <Button
        testId={`action-${name}`}
        variant={name === 'retry_payment' ? 'primary' : 'secondary'}
        disabled={!state.enabled || busy}
        onClick={() => onRun(name)}
      >
        {actionLabels[name]}
      </Button>
      {note && (
        <Text variant="microcopy" testId={`action-note-${name}`}>
          {note}
        </Text>
      )}
    </Flex>
  );
}

interface ActionsSectionProps {
  companyId: string;
  view: ActionFields;
  /** Called after the backend queued an action, so the card reloads its view. */
  onQueued: () => void;
}

export function ActionsSection({ companyId, view, onQueued }: ActionsSectionProps) {
  const [status, setStatus] = useState<ActionStatus>({ kind: 'idle' });
  const pauseOrResume: CardActionName = view.dunning.pausedUntil ? 'resume_dunning' : 'pause_dunning';

  const run = (action: CardActionName) => {
    setStatus({ kind: 'sending', action });
    requestCardAction(companyId, buildRequest(action, view)).then(
      (queued) => {
        setStatus({ kind: 'queued', action, duplicate: queued.duplicate });
        onQueued();
      },
      (error: unknown) => setStatus({ kind: 'failed', action, message: errorMessage(error) }),
    );
  };

  const busy = status.kind === 'sending';
  return (
    <Flex direction="column" gap="sm">
      <Heading>Actions</Heading>
      <StatusAlert status={status} />
      {(['retry_payment', 'send_card_update_link', pauseOrResume] as const).map((name) => (
        <ActionButton key={name} name={name} view={view} busy={busy} onRun={run} />
      ))}
    </Flex>
  );
}
