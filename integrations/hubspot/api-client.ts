import { Client } from '@hubspot/api-client';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../../src/config';
import {
  COMPANY_SEARCH_PROPERTIES,
  HUBSPOT_BATCH_LIMIT,
  type BatchInput,
  type BatchInputError,
  type BatchResult,
  type Company,
  type ExistingProperty,
  type HubSpotCrm,
  type PropertyDefinition,
  type PropertyGroupDefinition,
  type UpsertResult,
} from './crm';
import { createPortalRateLimiter, type PortalRateLimit, type PortalRateLimiter } from './rate-limit';
import { withRetries, withTimeout, type RetryPolicy } from './retry';

export interface HubSpotApiCrmOptions {
  accessToken: string;
  /** The HubSpot account id. The shared rate limit is kept per portal. */
  portalId: string;
  basePath: string;
  redis: Redis;
  rateLimit: PortalRateLimit;
  retry: RetryPolicy;
  log: Logger;
  rateLimitKeyPrefix?: string;
  /** Called for every HTTP request sent and every retry, so the caller can count them in its metrics. */
  onRequest?: () => void;
  onRetry?: (code: string) => void;
}

/**
 * Settings from the environment. HubSpot limits a marketplace app using OAuth to 110 requests
 * every 10 seconds per installing account, not counting CRM search (HubSpot's "API usage
 * guidelines and limits", developers.hubspot.com/docs/developer-tooling/platform/usage-guidelines).
 */
export function hubSpotSettingsFromConfig(
  config: Config,
): Pick<HubSpotApiCrmOptions, 'basePath' | 'rateLimit' | 'retry'> {
  return {
    basePath: config.HUBSPOT_API_BASE_URL,
    rateLimit: { points: config.HUBSPOT_REQUESTS_PER_10S, windowSeconds: 10 },
    retry: {
      maxRetries: config.HUBSPOT_MAX_RETRIES,
      baseDelayMs: 500,
      maxDelayMs: 30_000,
      timeoutMs: config.HUBSPOT_TIMEOUT_MS,
    },
  };
}

interface SdkBatchError {
  category: string;
  message: string;
  context?: Record<string, string[]>;
}

function toBatchErrors(response: object): BatchInputError[] {
  const errors = (response as { errors?: SdkBatchError[] }).errors ?? [];
  return errors.map((error) => ({
    ids: error.context?.ids ?? [],
    category: error.category,
    message: error.message,
  }));
}

function assertBatchSize(inputs: BatchInput[], operation: string): void {
  if (inputs.length > HUBSPOT_BATCH_LIMIT) {
    throw new RangeError(`${operation} takes at most ${HUBSPOT_BATCH_LIMIT} inputs, got ${inputs.length}`);
  }
}

/** HubSpotCrm on `@hubspot/api-client` v14, with a shared rate limit, a timeout and retries. */
export class HubSpotApiCrm implements HubSpotCrm {
  private readonly client: Client;
  private readonly limiter: PortalRateLimiter;
  private readonly log: Logger;
  private requests = 0;

  constructor(private readonly options: HubSpotApiCrmOptions) {
    // The SDK's own retries are off: this class retries, so every attempt passes the shared limiter.
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
    this.log = options.log.child({ component: 'hubspot', portalId: options.portalId });
  }

  /** HTTP requests sent so far, retries included. */
  requestCount(): number {
    return this.requests;
  }

  async listProperties(objectType: string): Promise<ExistingProperty[]> {
    const response = await this.call('list properties', () =>
      this.client.crm.properties.coreApi.getAll(objectType),
    );
    return response.results.map((property) => ({
      name: property.name,
      groupName: property.groupName,
      type: property.type,
      fieldType: property.fieldType,
      options: property.options.map(({ label, value, displayOrder, hidden }) => ({
        label,
        value,
        displayOrder,
        hidden,
      })),
      hasUniqueValue: property.hasUniqueValue,
    }));
  }

  async listPropertyGroups(objectType: string): Promise<PropertyGroupDefinition[]> {
    const response = await this.call('list property groups', () =>
      this.client.crm.properties.groupsApi.getAll(objectType),
    );
    return response.results.map(({ name, label, displayOrder }) => ({ name, label, displayOrder }));
  }

  async createPropertyGroup(objectType: string, group: PropertyGroupDefinition): Promise<void> {
    await this.call('create property group', () =>
      this.client.crm.properties.groupsApi.create(objectType, group),
    );
  }

  async createProperty(objectType: string, property: PropertyDefinition): Promise<void> {
    await this.call('create property', () =>
      this.client.crm.properties.coreApi.create(objectType, property as never),
    );
  }

  async updateProperty(objectType: string, name: string, update: Partial<PropertyDefinition>): Promise<void> {
    await this.call('update property', () =>
      this.client.crm.properties.coreApi.update(objectType, name, update as never),
    );
  }

  async searchCompanies(filter: { propertyName: string; values: string[] }): Promise<Company[]> {
    if (filter.values.length > HUBSPOT_BATCH_LIMIT) {
      throw new RangeError(`search takes at most ${HUBSPOT_BATCH_LIMIT} values, got ${filter.values.length}`);
    }
    if (filter.values.length === 0) return [];
    const companies: Company[] = [];
    let after: string | undefined;
    do {
      const page = await this.call('search companies', () =>
        this.client.crm.companies.searchApi.doSearch({
          filterGroups: [
            {
              filters: [
                { propertyName: filter.propertyName, operator: 'IN' as never, values: filter.values },
              ],
            },
          ],
          properties: [...COMPANY_SEARCH_PROPERTIES],
          limit: HUBSPOT_BATCH_LIMIT,
          after,
        }),
      );
      for (const company of page.results)
        companies.push({ id: company.id, properties: { ...company.properties } });
      after = page.paging?.next?.after;
    } while (after);
    return companies;
  }

  async batchUpdateCompanies(inputs: BatchInput[]): Promise<BatchResult> {
    assertBatchSize(inputs, 'batch update');
    if (inputs.length === 0) return { results: [], errors: [] };
    const response = await this.call('batch update companies', () =>
      this.client.crm.companies.batchApi.update({ inputs }),
    );
    const results = response.results.map((company) => ({
      id: company.id,
      properties: { ...company.properties },
    }));
    return { results, errors: toBatchErrors(response) };
  }

  async batchUpsertCompanies(idProperty: string, inputs: BatchInput[]): Promise<UpsertResult> {
    assertBatchSize(inputs, 'batch upsert');
    if (inputs.length === 0) return { results: [], errors: [] };
    const response = await this.call('batch upsert companies', () =>
      this.client.crm.companies.batchApi.upsert({
        inputs: inputs.map((input) => ({ ...input, idProperty })),
      }),
    );
    const results = response.results.map((company) => ({
      id: company.id,
      properties: { ...company.properties },
      created: company._new,
    }));
    return { results, errors: toBatchErrors(response) };
  }

  private call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    return withRetries(
      async () => {
        await this.limiter.acquire();
        this.requests += 1;
        this.options.onRequest?.();
        return withTimeout(send(), this.options.retry.timeoutMs, operation);
      },
      this.options.retry,
      { operation, log: this.log, onRetry: this.options.onRetry },
    );
  }
}
