import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import path from 'node:path';
import express from 'express';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { LinkedCardView, MoneyView } from '../../cards/view-model-types';
import { renderCardPage } from '../../src/cards/preview-page';
import { cardPageContentSecurityPolicy } from '../../src/cards/preview-routes';
import { formatMoney } from '../../src/money/currency';

const screenshotPath = path.resolve(__dirname, '../../dist/screenshots/card-preview.png');

function usd(amountMinor: number): MoneyView {
  return { amountMinor, currency: 'usd', formatted: formatMoney(amountMinor, 'usd') };
}

/** A customer two failed payments into dunning, as the card backend would build it. */
const view: LinkedCardView = {
  state: 'linked',
  customer: { stripeCustomerId: 'cus_Q1w2E3r4', name: 'Northwind Traders' },
  health: {
    score: 42,
    band: 'red',
    changeSince30Days: -18,
    trend: 'down',
    topReasons: [
      '2 failed payments in the last 14 days',
      'Card expires in 20 days',
      'Invoice NW-0042 is 12 days overdue',
    ],
  },
  subscriptionStatus: 'past_due',
  mrr: usd(125000),
  openAmount: usd(250000),
  overdueAmount: usd(125000),
  recentAttempts: [
    {
      attemptedAt: '2026-10-28T09:15:00.000Z',
      status: 'failed',
      amount: usd(125000),
      declineText: 'Insufficient funds',
      declineKind: 'soft',
      card: 'Visa ending 4242',
    },
    {
      attemptedAt: '2026-10-21T09:15:00.000Z',
      status: 'failed',
      amount: usd(125000),
      declineText: 'Card reported stolen',
      declineKind: 'hard',
      card: 'Visa ending 4242',
    },
    {
      attemptedAt: '2026-09-21T09:14:00.000Z',
      status: 'succeeded',
      amount: usd(125000),
      declineText: null,
      declineKind: null,
      card: 'Visa ending 4242',
    },
  ],
  dunning: { stage: 'retrying', nextRetryAt: '2026-11-04T09:00:00.000Z', pausedUntil: null },
  paymentCard: { brand: 'visa', last4: '4242', expMonth: 11, expYear: 2026, expiresInDays: 20 },
  openInvoices: [
    {
      stripeInvoiceId: 'in_overdue',
      number: 'NW-0042',
      amountRemaining: usd(125000),
      dueDate: '2026-10-21T00:00:00.000Z',
      daysOverdue: 12,
      nextPaymentAttempt: '2026-11-04T09:00:00.000Z',
      nextPlannedStep: 'send_final_notice',
      recoveryProbability: 0.62,
    },
    {
      stripeInvoiceId: 'in_current',
      number: 'NW-0043',
      amountRemaining: usd(125000),
      dueDate: '2026-11-21T00:00:00.000Z',
      daysOverdue: 0,
      nextPaymentAttempt: null,
      nextPlannedStep: null,
      recoveryProbability: null,
    },
  ],
  actions: {
    retry_payment: { enabled: true, disabledReason: null },
    send_card_update_link: { enabled: false, disabledReason: 'A card-update link was sent 2 hours ago' },
    pause_dunning: { enabled: true, disabledReason: null },
    resume_dunning: { enabled: false, disabledReason: 'Dunning is not paused' },
  },
};

describe('card preview page in Chromium', () => {
  let server: Server;
  let baseUrl: string;
  let browser: Browser;
  let page: Page;
  const outsideRequests: string[] = [];

  beforeAll(async () => {
    const app = express();
    app.get('/card', (_req, res) => {
      res.set('Content-Security-Policy', cardPageContentSecurityPolicy).type('html');
      res.send(renderCardPage(view, { title: 'Payment health: Northwind Traders' }));
    });
    server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // Playwright gives each launch a new, empty profile directory and removes it on close.
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1024, height: 900 } });
    page.on('request', (sent) => {
      if (!sent.url().startsWith(baseUrl)) outsideRequests.push(sent.url());
    });
    await page.goto(`${baseUrl}/card`);
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
  });

  it('shows score and band', async () => {
    await expect(page.getByTestId('score').innerText()).resolves.toBe('42');
    await expect(page.getByTestId('band').innerText()).resolves.toBe('At risk');
  });

  it('shows a decline reason', async () => {
    await expect(page.getByText('Insufficient funds').isVisible()).resolves.toBe(true);
    await expect(page.getByText('Card reported stolen').isVisible()).resolves.toBe(true);
  });

  it('applies inline styles under the CSP', async () => {
    // The callback runs in the page. The root tsconfig has no DOM lib, so the browser global is typed here.
    const background = await page.getByTestId('score').evaluate((node) => {
      const view = globalThis as unknown as {
        getComputedStyle(element: unknown): { backgroundColor: string };
      };
      return view.getComputedStyle(node).backgroundColor;
    });
    expect(background).toBe('rgb(217, 63, 76)');
  });

  it('loads nothing from elsewhere', () => {
    expect(outsideRequests).toEqual([]);
  });

  it('saves a screenshot', async () => {
    mkdirSync(path.dirname(screenshotPath), { recursive: true });
    const image = await page.screenshot({ path: screenshotPath, fullPage: true });
    expect(image.subarray(1, 4).toString('ascii')).toBe('PNG');
  });
});
