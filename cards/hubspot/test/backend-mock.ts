import { vi } from 'vitest';
import { hubspot } from '@hubspot/ui-extensions';

export interface RecordedRequest {
  url: string;
  method: string;
  body: Record<string, unknown> | undefined;
}

type Responder = (request: RecordedRequest) => Response | Promise<Response>;

export function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

/** Replaces `hubspot.fetch` with a responder and records every request the card sends. */
export function mockHubSpotFetch(responder: Responder): RecordedRequest[] {
  const requests: RecordedRequest[] = [];
  vi.spyOn(hubspot, 'fetch').mockImplementation(async (url, options) => {
    const request = {
      url: String(url),
      method: options?.method ?? 'GET',
      body: options?.body as Record<string, unknown> | undefined,
    };
    requests.push(request);
    return responder(request);
  });
  return requests;
}
