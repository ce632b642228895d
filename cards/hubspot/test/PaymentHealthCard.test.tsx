import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  Alert,
  Button,
  EmptyState,
  ErrorState,
  Form,
  Input,
  LoadingSpinner,
  Tag,
  Text,
} from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { PaymentHealthCard } from '../src/app/cards/PaymentHealthCard.tsx';
import { BACKEND_BASE_URL } from '../src/app/cards/payment-health/backend-url.ts';
import { linkedView } from './fixtures.ts';
import { jsonResponse, mockHubSpotFetch } from './backend-mock.ts';

const viewUrl = `${BACKEND_BASE_URL}/cards/hubspot/payment-health?companyId=123`;

function renderCard() {
  const renderer = createRenderer('crm.record.tab');
  renderer.render(<PaymentHealthCard companyId="123" />);
  return renderer;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('PaymentHealthCard states', () => {
  it('shows a spinner while loading', () => {
    mockHubSpotFetch(() => new Promise<Response>(() => undefined));
    const { find } = renderCard();
    expect(find(LoadingSpinner).props.label).toBe('Loading payment health');
  });

  it('requests the view for the company', async () => {
    const requests = mockHubSpotFetch(() => jsonResponse(200, linkedView()));
    const { findByTestId, waitFor } = renderCard();
    await waitFor(() => findByTestId(Tag, 'health-band'));
    expect(requests[0]?.url).toBe(viewUrl);
    expect(requests[0]?.method).toBe('GET');
  });

  it('shows the error and retries', async () => {
    let calls = 0;
    mockHubSpotFetch(() => {
      calls += 1;
      if (calls === 1)
        return jsonResponse(502, { error: { code: 'ledger_unavailable', message: 'Ledger is down' } });
      return jsonResponse(200, linkedView());
    });
    const { find, findByTestId, waitFor } = renderCard();
    await waitFor(() => find(ErrorState));
    expect(find(ErrorState).props.title).toBe('Payment health could not be loaded');
    expect(find(ErrorState).find(Text).text).toBe('Ledger is down');

    findByTestId(Button, 'load-retry').trigger('onClick');
    await waitFor(() => findByTestId(Tag, 'health-band'));
    expect(calls).toBe(2);
  });

  it('offers the link form when not linked', async () => {
    mockHubSpotFetch(() => jsonResponse(200, { state: 'not_linked', companyId: '123' }));
    const { find, waitFor } = renderCard();
    await waitFor(() => find(EmptyState));
    expect(find(EmptyState).props.title).toBe('No Stripe customer linked');
    expect(find(Input).props.name).toBe('stripeCustomerId');
    expect(find(Form)).toBeTruthy();
  });
});

describe('PaymentHealthCard link form', () => {
  it('rejects an id without cus_', async () => {
    const requests = mockHubSpotFetch(() => jsonResponse(200, { state: 'not_linked', companyId: '123' }));
    const { find, waitFor } = renderCard();
    await waitFor(() => find(Form));
    find(Input).trigger('onChange', 'acct_123' as never);
    find(Form).trigger('onSubmit');
    await waitFor(() => expect(find(Input).props.error).toBe(true));
    expect(find(Input).props.validationMessage).toContain('cus_');
    expect(requests).toHaveLength(1);
  });

  it('posts the link and reloads', async () => {
    let linked = false;
    const requests = mockHubSpotFetch((request) => {
      if (request.method === 'POST') {
        linked = true;
        return jsonResponse(200, { linked: true });
      }
      return jsonResponse(200, linked ? linkedView() : { state: 'not_linked', companyId: '123' });
    });
    const { find, findByTestId, waitFor } = renderCard();
    await waitFor(() => find(Form));
    find(Input).trigger('onChange', ' cus_Q1w2E3r4 ' as never);
    find(Form).trigger('onSubmit');
    await waitFor(() => findByTestId(Tag, 'health-band'));
    expect(requests[1]?.url).toBe(`${BACKEND_BASE_URL}/cards/hubspot/link`);
    expect(requests[1]?.body).toEqual({ companyId: '123', stripeCustomerId: 'cus_Q1w2E3r4' });
    expect(requests[2]?.url).toBe(viewUrl);
  });

  it('shows a failed link', async () => {
    mockHubSpotFetch((request) =>
      request.method === 'POST'
        ? jsonResponse(404, { error: { code: 'customer_not_found', message: 'No customer "cus_X1"' } })
        : jsonResponse(200, { state: 'not_linked', companyId: '123' }),
    );
    const { find, findByTestId, waitFor } = renderCard();
    await waitFor(() => find(Form));
    find(Input).trigger('onChange', 'cus_X1' as never);
    find(Form).trigger('onSubmit');
    await waitFor(() => findByTestId(Alert, 'link-failed'));
    expect(findByTestId(Alert, 'link-failed').text).toContain('No customer "cus_X1"');
  });
});
