import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  Alert,
  Button,
  DescriptionList,
  DescriptionListItem,
  List,
  StatisticsItem,
  StatisticsTrend,
  Table,
  TableHeader,
  TableRow,
  Tag,
  Text,
} from '@hubspot/ui-extensions';
import type { TableProps } from '@hubspot/ui-extensions';
import { createRenderer, type RenderedElementNode } from '@hubspot/ui-extensions/testing';
import { PaymentHealthCard } from '../src/app/cards/PaymentHealthCard.tsx';
import { BACKEND_BASE_URL } from '../src/app/cards/payment-health/backend-url.ts';
import type { LinkedCardView } from '../src/app/cards/payment-health/view-model.ts';
import { linkedView } from './fixtures.ts';
import { jsonResponse, mockHubSpotFetch, type RecordedRequest } from './backend-mock.ts';

async function renderReady(view: LinkedCardView, onAction?: (request: RecordedRequest) => Response) {
  const requests = mockHubSpotFetch((request) =>
    request.method === 'POST' && onAction ? onAction(request) : jsonResponse(200, view),
  );
  const renderer = createRenderer('crm.record.tab');
  renderer.render(<PaymentHealthCard companyId="123" />);
  await renderer.waitFor(() => renderer.findByTestId(Tag, 'health-band'));
  return { ...renderer, requests };
}

function describedValue(renderer: Awaited<ReturnType<typeof renderReady>>, list: string, label: string) {
  return renderer.findByTestId(DescriptionList, list).find(DescriptionListItem, { label }).find(Text).text;
}

function rowTexts(table: RenderedElementNode<TableProps>): string[][] {
  return table.findAll(TableRow).map((row) => row.childNodes.map((cell) => cell.toString()));
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('LinkedCard health', () => {
  it('shows score, band and trend', async () => {
    const card = await renderReady(linkedView());
    expect(card.findByTestId(StatisticsItem, 'health-score').props.number).toBe(42);
    expect(card.findByTestId(Tag, 'health-band').props.variant).toBe('error');
    expect(card.findByTestId(Tag, 'health-band').text).toBe('At risk');
    expect(card.find(StatisticsTrend).props.direction).toBe('decrease');
    expect(card.find(StatisticsTrend).props.value).toBe('18 pts');
    expect(card.findByTestId(Text, 'health-trend').text).toBe('Down 18 points since 30 days ago');
  });

  it('lists the top reasons', async () => {
    const card = await renderReady(linkedView());
    const reasons = card
      .findByTestId(List, 'health-reasons')
      .findAll(Text)
      .map((node) => node.text);
    expect(reasons).toEqual(['2 failed payments in 14 days', 'Card expires in 20 days']);
  });

  it('maps green band to success', async () => {
    const view = linkedView();
    const card = await renderReady({ ...view, health: { ...view.health!, band: 'green', score: 91 } });
    expect(card.findByTestId(Tag, 'health-band').props.variant).toBe('success');
    expect(card.findByTestId(Tag, 'health-band').text).toBe('Healthy');
  });

  it('explains a missing score', async () => {
    mockHubSpotFetch(() => jsonResponse(200, linkedView({ health: null })));
    const renderer = createRenderer('crm.record.tab');
    renderer.render(<PaymentHealthCard companyId="123" />);
    await renderer.waitFor(() => renderer.findByTestId(Text, 'health-missing'));
    expect(renderer.maybeFind(StatisticsItem)).toBeNull();
  });
});

describe('LinkedCard billing and dunning', () => {
  it('shows subscription and amounts', async () => {
    const card = await renderReady(linkedView());
    expect(describedValue(card, 'billing', 'Subscription')).toBe('Past due');
    expect(describedValue(card, 'billing', 'MRR')).toBe('$1,250.00');
    expect(describedValue(card, 'billing', 'Open')).toBe('$2,500.00');
    expect(describedValue(card, 'billing', 'Overdue')).toBe('$1,250.00');
  });

  it('shows dunning stage, retry and card', async () => {
    const card = await renderReady(linkedView());
    expect(describedValue(card, 'dunning', 'Stage')).toBe('Retrying');
    expect(describedValue(card, 'dunning', 'Next retry')).toBe('Nov 4, 2026, 09:00 UTC');
    expect(describedValue(card, 'dunning', 'Payment card')).toBe(
      'Visa ending 4242, expires 11/2026 (in 20 days)',
    );
  });

  it('lists attempts with decline words', async () => {
    const card = await renderReady(linkedView());
    const rows = rowTexts(card.findByTestId(Table, 'attempts'));
    expect(rows).toHaveLength(3);
    expect(rows[1]?.join(' ')).toContain('Insufficient funds');
    expect(rows[2]?.join(' ')).toContain('Card reported stolen (hard decline');
    expect(card.findByTestId(Table, 'attempts').findAll(Tag)[0]?.props.variant).toBe('error');
  });

  it('lists open invoices with forecast', async () => {
    const card = await renderReady(linkedView());
    const table = card.findByTestId(Table, 'invoices');
    expect(table.findAll(TableHeader).map((header) => header.text)).toContain('Recovery');
    const overdue = rowTexts(table)[2]?.join(' ') ?? '';
    expect(overdue).toContain('NW-0042');
    expect(overdue).toContain('12 days overdue');
    expect(overdue).toContain('Send final notice');
    expect(overdue).toContain('62%');
  });

  it('hides recovery before the forecast', async () => {
    const view = linkedView();
    const invoices = view.openInvoices.map((invoice) => ({ ...invoice, recoveryProbability: null }));
    const card = await renderReady({ ...view, openInvoices: invoices });
    const headers = card
      .findByTestId(Table, 'invoices')
      .findAll(TableHeader)
      .map((header) => header.text);
    expect(headers).not.toContain('Recovery');
  });
});

describe('LinkedCard actions', () => {
  it('disables an action with its reason', async () => {
    const card = await renderReady(linkedView());
    expect(card.findByTestId(Button, 'action-send_card_update_link').props.disabled).toBe(true);
    expect(card.findByTestId(Text, 'action-note-send_card_update_link').text).toBe(
      'A card-update link was sent 2 hours ago',
    );
    expect(card.findByTestId(Button, 'action-retry_payment').props.disabled).toBe(false);
  });

  it('retry posts the overdue invoice', async () => {
    const card = await renderReady(linkedView(), () =>
      jsonResponse(202, { actionId: 'act_1', status: 'queued', duplicate: false }),
    );
    card.findByTestId(Button, 'action-retry_payment').trigger('onClick');
    // Waiting for the reload keeps this card from calling the next test's fetch mock.
    await card.waitFor(() => expect(card.requests).toHaveLength(3));
    const post = card.requests.find((request) => request.method === 'POST');
    expect(post?.url).toBe(`${BACKEND_BASE_URL}/cards/hubspot/actions`);
    expect(post?.body).toEqual({ companyId: '123', action: 'retry_payment', stripeInvoiceId: 'in_overdue' });
    expect(card.findByTestId(Alert, 'action-queued').props.title).toBe('Queued: Retry payment now');
  });

  it('reloads the view after queueing', async () => {
    const card = await renderReady(linkedView(), () =>
      jsonResponse(202, { actionId: 'act_1', status: 'queued', duplicate: true }),
    );
    card.findByTestId(Button, 'action-retry_payment').trigger('onClick');
    await card.waitFor(() => expect(card.requests).toHaveLength(3));
    expect(card.requests[2]?.method).toBe('GET');
    await card.waitFor(() =>
      expect(card.findByTestId(Alert, 'action-queued').text).toContain('already queued'),
    );
  });

  it('pause sends pause days', async () => {
    const card = await renderReady(linkedView(), () =>
      jsonResponse(202, { actionId: 'act_2', status: 'queued', duplicate: false }),
    );
    card.findByTestId(Button, 'action-pause_dunning').trigger('onClick');
    // Waiting for the reload keeps this card from calling the next test's fetch mock.
    await card.waitFor(() => expect(card.requests).toHaveLength(3));
    const post = card.requests.find((request) => request.method === 'POST');
    expect(post?.body).toEqual({ companyId: '123', action: 'pause_dunning', pauseDays: 14 });
  });

  it('offers resume while paused', async () => {
    const view = linkedView();
    const paused: LinkedCardView = {
      ...view,
      dunning: { ...view.dunning, pausedUntil: '2026-11-15T00:00:00.000Z' },
      actions: { ...view.actions, resume_dunning: { enabled: true, disabledReason: null } },
    };
    const card = await renderReady(paused);
    expect(card.maybeFindByTestId(Button, 'action-pause_dunning')).toBeNull();
    expect(card.findByTestId(Button, 'action-resume_dunning').props.disabled).toBe(false);
  });

  it('shows a failed action', async () => {
    const card = await renderReady(linkedView(), () =>
      jsonResponse(409, { error: { code: 'invoice_paid', message: 'Invoice NW-0042 is already paid' } }),
    );
    card.findByTestId(Button, 'action-retry_payment').trigger('onClick');
    await card.waitFor(() => card.findByTestId(Alert, 'action-failed'));
    expect(card.findByTestId(Alert, 'action-failed').text).toBe('Invoice NW-0042 is already paid');
  });
});
