import { digestMessage, renderAlertMessage, type Block, type ButtonElement } from '../../src/alerts/message';
import type { AlertContent } from '../../src/alerts/types';
import { content } from './alert-fixtures';

function buttons(blocks: Block[]): ButtonElement[] {
  return blocks.flatMap((block) => (block.type === 'actions' ? block.elements : []));
}

function allText(blocks: Block[]): string {
  return JSON.stringify(blocks);
}

function button(blocks: Block[], actionId: string): ButtonElement | undefined {
  return buttons(blocks).find((element) => element.action_id === actionId);
}

describe('renderAlertMessage', () => {
  it('links account to HubSpot', () => {
    const { blocks } = renderAlertMessage(content(), '9');
    const section = blocks.find((block) => block.type === 'section');
    expect(section?.text.text).toBe('*<https://app.hubspot.com/contacts/123/record/0-2/555|Acme &amp; Co>*');
  });

  it('has a plain header', () => {
    const message = renderAlertMessage(content(), '9');
    expect(message.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'Payment failed — Acme & Co' },
    });
    expect(message.text).toBe('Payment failed — Acme & Co');
  });

  it('offers the four actions and the CRM link', () => {
    const ids = buttons(renderAlertMessage(content(), '9').blocks).map((element) => element.action_id);
    expect(ids).toEqual([
      'retry_payment',
      'send_card_update_link',
      'pause_dunning_7d',
      'claim',
      'open_in_hubspot',
    ]);
  });

  it('puts alert and invoice in values', () => {
    const retry = button(renderAlertMessage(content(), '9').blocks, 'retry_payment');
    expect(JSON.parse(retry?.value ?? '{}')).toEqual({ alertId: '9', invoiceId: 'in_1' });
  });

  it('confirms retry with amount and card', () => {
    const confirm = button(renderAlertMessage(content(), '9').blocks, 'retry_payment')?.confirm;
    expect(confirm?.title.text).toBe('Retry this payment?');
    expect(confirm?.text.text).toBe('Charge $1,200.00 to Visa •••• 4242 now for invoice in_1.');
    expect(confirm?.confirm.text).toBe('Retry payment');
    expect(confirm?.deny.text).toBe('Cancel');
  });

  it('omits retry after a hard decline', () => {
    const hard = content({ decline: { text: 'Card reported stolen', kind: 'hard', code: 'stolen_card' } });
    const { blocks } = renderAlertMessage(hard, '9');
    expect(button(blocks, 'retry_payment')).toBeUndefined();
    expect(allText(blocks)).toContain('Hard decline: retrying this card will not succeed.');
  });

  it('names a soft decline', () => {
    expect(allText(renderAlertMessage(content(), '9').blocks)).toContain(
      'Insufficient funds. Soft decline: a retry may succeed.',
    );
  });

  it.each([
    ['jpy', 5000, '¥5,000'],
    ['kwd', 12345, 'KWD 12.345'],
    ['usd', 120000, '$1,200.00'],
  ])('formats %s amounts', (currency, amountMinor, expected) => {
    const invoice = {
      stripeInvoiceId: 'in_1',
      amountRemainingMinor: amountMinor,
      currency,
      attemptCount: 1,
      nextPaymentAttempt: null,
    };
    const text = allText(renderAlertMessage(content({ invoice, currency, mrrMinor: 0 }), '9').blocks);
    expect(text.replace(/\u00a0/g, ' ')).toContain(`*Amount due*\\n${expected}`);
  });

  it('formats for the locale', () => {
    const text = allText(renderAlertMessage(content({ locale: 'de-DE', mrrMinor: 0 }), '9').blocks);
    expect(text.replace(/\u00a0/g, ' ')).toContain('1.200,00 $');
  });

  it('shows health change and dunning', () => {
    const health = {
      before: { score: 80, band: 'green' as const },
      after: { score: 40, band: 'red' as const },
    };
    const text = allText(renderAlertMessage(content({ health }), '9').blocks);
    expect(text).toContain('80 (green) → 40 (red)');
    expect(text).toContain(
      'Attempt 2 failed, next retry <!date^1741867200^{date_short_pretty}|2025-03-13 12:00 UTC>',
    );
  });

  it('says when retries stopped', () => {
    const invoice = { ...content().invoice!, nextPaymentAttempt: null };
    expect(allText(renderAlertMessage(content({ invoice }), '9').blocks)).toContain('no retry scheduled');
  });

  it('renders action history', () => {
    const actions: AlertContent['actions'] = [
      { action: 'retry_payment', userId: 'U123', at: '2025-03-10T14:02:00.000Z', outcome: 'succeeded' },
    ];
    const { blocks } = renderAlertMessage(content({ actions }), '9');
    const context = blocks.find((block) => block.type === 'context');
    expect(context?.elements[0]?.text).toBe(
      'Retry requested by <@U123> at <!date^1741615320^{time}|2025-03-10 14:02 UTC> — succeeded',
    );
  });

  it('shows recovered without actions', () => {
    const recovered = content({ state: 'recovered', recoveredAt: '2025-03-11T10:00:00.000Z' });
    const { blocks, text } = renderAlertMessage(recovered, '9');
    expect(text).toBe('Recovered: Payment failed — Acme & Co');
    expect(buttons(blocks).map((element) => element.action_id)).toEqual(['open_in_hubspot']);
    expect(allText(blocks)).toContain('Recovered <!date^');
  });

  it('skips CRM link when unlinked', () => {
    const account = { ...content().account, crmRecordId: null };
    const { blocks } = renderAlertMessage(content({ account }), '9');
    expect(button(blocks, 'open_in_hubspot')).toBeUndefined();
    expect(blocks[1]?.type === 'section' && blocks[1].text.text).toBe('*Acme &amp; Co*');
  });

  it('describes an expiring card', () => {
    const expiring = content({
      rule: 'cardExpiring',
      invoice: undefined,
      decline: undefined,
      card: { brand: 'mastercard', last4: '5555', expMonth: 3, expYear: 2025 },
    });
    const { blocks } = renderAlertMessage(expiring, '9');
    expect(allText(blocks)).toContain('Mastercard •••• 5555 expires at the end of 03/2025');
    expect(buttons(blocks).map((element) => element.action_id)).toEqual([
      'send_card_update_link',
      'claim',
      'open_in_hubspot',
    ]);
  });
});

describe('digestMessage', () => {
  it('lists open alerts first', () => {
    const message = digestMessage([
      { id: '1', content: content({ state: 'recovered' }) },
      { id: '2', content: content({ rule: 'bandDrop', invoice: undefined, decline: undefined }) },
    ]);
    expect(message.text).toBe('Payment alerts: 1 open, 1 recovered');
    expect(message.blocks[1]?.type === 'section' && message.blocks[1].text.text).toContain('Health dropped');
    expect(message.blocks[2]?.type === 'section' && message.blocks[2].text.text).toContain('recovered');
  });

  it('caps at 45 lines', () => {
    const alerts = Array.from({ length: 50 }, (_unused, index) => ({
      id: String(index),
      content: content(),
    }));
    const { blocks } = digestMessage(alerts);
    expect(blocks).toHaveLength(47);
    expect(allText(blocks)).toContain('5 more alerts not shown');
  });
});
