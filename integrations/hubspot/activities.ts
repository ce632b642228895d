import { Client } from '@hubspot/api-client';
import type { Logger } from 'pino';
import type { ActivityLookup, CrmActivityLog, NoteInput, TaskInput } from '../../src/activity/activity-log';
import type { HubSpotApiCrmOptions } from './api-client';
import { createPortalRateLimiter, type PortalRateLimiter } from './rate-limit';
import { withRetries, withTimeout } from './retry';

/**
 * HubSpot-defined association type ids for an engagement to a company: note → company is 190 and
 * task → company is 192, from the "Association type ID values" table of HubSpot's v4 associations
 * guide (developers.hubspot.com/docs/api-reference/crm-associations-v4/guide).
 */
export const NOTE_TO_COMPANY_ASSOCIATION = 190;
export const TASK_TO_COMPANY_ASSOCIATION = 192;

/** Candidates read per search page when looking for an earlier write; one company rarely has more. */
const SEARCH_PAGE_SIZE = 100;

const BODY_PROPERTY = { note: 'hs_note_body', task: 'hs_task_body' } as const;

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Returns the body line that carries our source key. Source keys contain no HTML special characters. */
export function referenceLine(sourceKey: string): string {
  return `Reference: ${sourceKey}`;
}

/** Checks for the reference line followed by no further source-key character, so `a:b` misses `a:bc`. */
export function containsReference(html: string, sourceKey: string): boolean {
  const reference = referenceLine(sourceKey);
  let from = html.indexOf(reference);
  while (from !== -1) {
    const next = html.charAt(from + reference.length);
    if (!/[A-Za-z0-9_:.-]/.test(next)) return true;
    from = html.indexOf(reference, from + 1);
  }
  return false;
}

/** Builds the HTML body HubSpot shows: one paragraph per line, then the reference line. */
export function activityHtml(title: string | null, body: string, sourceKey: string): string {
  const paragraphs = body.split('\n').map((line) => `<p>${escapeHtml(line)}</p>`);
  const heading = title === null ? [] : [`<p><strong>${escapeHtml(title)}</strong></p>`];
  return [...heading, ...paragraphs, `<p>${escapeHtml(referenceLine(sourceKey))}</p>`].join('');
}

function companyAssociation(recordId: string, associationTypeId: number) {
  return [
    {
      to: { id: recordId },
      types: [{ associationCategory: 'HUBSPOT_DEFINED' as never, associationTypeId }],
    },
  ];
}

/**
 * CrmActivityLog on the CRM v3 notes and tasks objects of `@hubspot/api-client` v14. Every request
 * passes the same per-portal rate limiter, timeout and retries as HubSpotApiCrm, with the same options.
 */
export class HubSpotActivityLog implements CrmActivityLog {
  private readonly client: Client;
  private readonly limiter: PortalRateLimiter;
  private readonly log: Logger;

  constructor(private readonly options: HubSpotApiCrmOptions) {
    // The SDK's own retries are off, so every attempt passes the shared limiter in call().
    this.client = new Client({
      accessToken: options.accessToken,
      basePath: options.basePath,
      numberOfApiCallRetries: 0,
    });
    this.limiter = createPortalRateLimiter({
      redis: options.redis,
      portalId: options.portalId,
      limit: options.rateLimit,
      keyPrefix: options.rateLimitKeyPrefix,
    });
    this.log = options.log.child({ component: 'hubspot-activities', portalId: options.portalId });
  }

  async writeNote(note: NoteInput): Promise<string> {
    const created = await this.call('create note', () =>
      this.client.crm.objects.notes.basicApi.create({
        properties: {
          hs_timestamp: note.occurredAt.toISOString(),
          hs_note_body: activityHtml(note.title, note.body, note.sourceKey),
        },
        associations: companyAssociation(note.recordId, NOTE_TO_COMPANY_ASSOCIATION),
      }),
    );
    return created.id;
  }

  async writeTask(task: TaskInput): Promise<string> {
    const created = await this.call('create task', () =>
      this.client.crm.objects.tasks.basicApi.create({
        properties: {
          // For a task, hs_timestamp is the due date.
          hs_timestamp: task.dueAt.toISOString(),
          hs_task_subject: task.title,
          hs_task_body: activityHtml(null, task.body, task.sourceKey),
          hs_task_status: 'NOT_STARTED',
          // Every task we create is about revenue at risk.
          hs_task_priority: 'HIGH',
        },
        associations: companyAssociation(task.recordId, TASK_TO_COMPANY_ASSOCIATION),
      }),
    );
    return created.id;
  }

  /**
   * Searches the company's notes or tasks with the same hs_timestamp and matches the reference line in
   * the body. NOTE: HubSpot's search index is updated some time after a write, so a create just before this
   * search may not be found yet, and then the caller writes a duplicate.
   */
  async findActivity(lookup: ActivityLookup): Promise<string | null> {
    const property = BODY_PROPERTY[lookup.kind];
    const api = lookup.kind === 'note' ? this.client.crm.objects.notes : this.client.crm.objects.tasks;
    const page = await this.call(`search ${lookup.kind}s`, () =>
      api.searchApi.doSearch({
        filterGroups: [
          {
            filters: [
              { propertyName: 'associations.company', operator: 'EQ' as never, value: lookup.recordId },
              {
                propertyName: 'hs_timestamp',
                operator: 'EQ' as never,
                value: String(lookup.timestamp.getTime()),
              },
            ],
          },
        ],
        properties: [property],
        limit: SEARCH_PAGE_SIZE,
      }),
    );
    const match = page.results.find((result) =>
      containsReference(result.properties[property] ?? '', lookup.sourceKey),
    );
    return match?.id ?? null;
  }

  private call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    return withRetries(
      async () => {
        await this.limiter.acquire();
        this.options.onRequest?.();
        return withTimeout(send(), this.options.retry.timeoutMs, operation);
      },
      this.options.retry,
      { operation, log: this.log, onRetry: this.options.onRetry },
    );
  }
}
