/**
 * A local HubSpot for the demo and benchmarks: an express server on 127.0.0.1 that implements the
 * CRM v3 endpoints the adapter calls, with HubSpot-style errors, a Bearer token check and a
 * rolling 10-second rate limit that responds with 429.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import { engagementRoutes, type EmulatedEngagement } from './hubspot-engagements';
import { EmulatedError, HubSpotStore, type EmulatedCompany, type EmulatedProperty } from './hubspot-store';

export type { EmulatedCompany } from './hubspot-store';
export type { EmulatedEngagement } from './hubspot-engagements';

export interface HubSpotEmulatorOptions {
  port?: number;
  companies?: { name: string; domain: string }[];
  /** Requests allowed in any 10 seconds. HubSpot's limit for a marketplace app is 110. */
  requestsPer10s?: number;
}

export interface HubSpotEmulator {
  url: string;
  close(): Promise<void>;
  companies(): EmulatedCompany[];
  /** Requests received, including those rejected with 401 or 429. */
  requestCount(): number;
  /** Notes and tasks written to company records. */
  engagements(): EmulatedEngagement[];
}

const windowMs = 10_000;

function sendError(res: Response, error: EmulatedError): void {
  res.status(error.status).json(error.toBody());
}

function toResult(company: EmulatedCompany, names?: string[]) {
  const properties: Record<string, string | null> = { hs_object_id: company.id };
  for (const name of names ?? Object.keys(company.properties))
    properties[name] = company.properties[name] ?? null;
  return {
    id: company.id,
    properties,
    createdAt: company.createdAt,
    updatedAt: company.updatedAt,
    archived: false,
  };
}

function batchAnswer(res: Response, results: unknown[], errors: ReturnType<EmulatedError['toBody']>[]): void {
  const now = new Date().toISOString();
  const body = { status: 'COMPLETE', results, startedAt: now, completedAt: now };
  if (errors.length === 0) res.status(200).json(body);
  else res.status(207).json({ ...body, numErrors: errors.length, errors });
}

function guard(requestsPer10s: number, counter: { requests: number; times: number[] }) {
  return (req: Request, res: Response, next: NextFunction) => {
    counter.requests += 1;
    if (!/^Bearer \S+$/.test(req.get('authorization') ?? '')) {
      sendError(
        res,
        new EmulatedError(401, 'INVALID_AUTHENTICATION', 'Authentication credentials not found.'),
      );
      return;
    }
    const now = Date.now();
    counter.times = counter.times.filter((time) => time > now - windowMs);
    if (counter.times.length >= requestsPer10s) {
      res.status(429).json({
        status: 'error',
        message: 'You have reached your ten_secondly_rolling limit.',
        errorType: 'RATE_LIMIT',
        correlationId: randomUUID(),
        policyName: 'TEN_SECONDLY_ROLLING',
      });
      return;
    }
    counter.times.push(now);
    next();
  };
}

function propertyRoutes(app: express.Express, store: HubSpotStore): void {
  app.get('/crm/v3/properties/companies/groups', (_req, res) => {
    res.json({ results: [...store.groups.values()] });
  });
  app.post('/crm/v3/properties/companies/groups', (req, res) => {
    const { name, label, displayOrder } = req.body as {
      name?: string;
      label?: string;
      displayOrder?: number;
    };
    if (!name || !label) throw new EmulatedError(400, 'VALIDATION_ERROR', 'name and label are required');
    if (store.groups.has(name))
      throw new EmulatedError(409, 'OBJECT_ALREADY_EXISTS', `A group named ${name} already exists`);
    const group = { name, label, displayOrder: displayOrder ?? -1 };
    store.groups.set(name, group);
    res.status(201).json(group);
  });
  app.get('/crm/v3/properties/companies', (_req, res) => {
    res.json({ results: [...store.properties.values()] });
  });
  app.post('/crm/v3/properties/companies', (req, res) => {
    const body = req.body as Partial<EmulatedProperty>;
    if (!body.name || !body.label || !body.type || !body.fieldType || !body.groupName) {
      throw new EmulatedError(
        400,
        'VALIDATION_ERROR',
        'name, label, type, fieldType and groupName are required',
      );
    }
    if (!store.groups.has(body.groupName))
      throw new EmulatedError(400, 'VALIDATION_ERROR', `Group ${body.groupName} does not exist`);
    if (store.properties.has(body.name))
      throw new EmulatedError(409, 'OBJECT_ALREADY_EXISTS', `Property ${body.name} already exists`);
    const property = {
      ...body,
      options: body.options ?? [],
      hasUniqueValue: body.hasUniqueValue ?? false,
    } as EmulatedProperty;
    store.properties.set(property.name, property);
    res.status(201).json(property);
  });
  app.patch('/crm/v3/properties/companies/:name', (req, res) => {
    const property = store.properties.get(req.params.name as string);
    if (!property)
      throw new EmulatedError(404, 'OBJECT_NOT_FOUND', `Property ${req.params.name} does not exist`);
    Object.assign(property, req.body as Partial<EmulatedProperty>);
    res.json(property);
  });
}

function companyRoutes(app: express.Express, store: HubSpotStore): void {
  app.post('/crm/v3/objects/companies/search', (req, res) => {
    const body = req.body as {
      filterGroups?: {
        filters?: { propertyName: string; operator: string; value?: string; values?: string[] }[];
      }[];
      properties?: string[];
      limit?: number;
      after?: string;
    };
    const filter = body.filterGroups?.[0]?.filters?.[0];
    if (!filter) throw new EmulatedError(400, 'VALIDATION_ERROR', 'One filter is required');
    const values = filter.values ?? (filter.value === undefined ? [] : [filter.value]);
    const found = store.search(filter.propertyName, filter.operator, values);
    const start = Number(body.after ?? 0);
    const limit = Math.min(body.limit ?? 10, 200);
    const page = found.slice(start, start + limit);
    const next = start + limit < found.length ? { next: { after: String(start + limit) } } : undefined;
    res.json({
      total: found.length,
      results: page.map((company) => toResult(company, body.properties)),
      paging: next,
    });
  });
  app.post('/crm/v3/objects/companies/batch/update', (req, res) => {
    const inputs = (req.body as { inputs?: unknown }).inputs;
    store.checkBatch(inputs, (input) => input.id);
    for (const input of inputs) store.validateProperties(input.properties, input.id);
    const results = [];
    const errors = [];
    for (const input of inputs) {
      const company = store.companies.get(input.id);
      if (company) results.push(toResult(store.update(company, input.properties)));
      else
        errors.push(
          new EmulatedError(404, 'OBJECT_NOT_FOUND', `Object not found. objectId are usually numeric.`, {
            ids: [input.id],
          }).toBody(),
        );
    }
    batchAnswer(res, results, errors);
  });
  app.post('/crm/v3/objects/companies/batch/upsert', (req, res) => {
    const inputs = (req.body as { inputs?: unknown }).inputs;
    store.checkBatch(inputs, (input) => input.id);
    const results = [];
    for (const input of inputs) {
      const idProperty = input.idProperty ?? '';
      if (!store.properties.get(idProperty)?.hasUniqueValue) {
        throw new EmulatedError(400, 'VALIDATION_ERROR', `${idProperty} is not a unique-value property`);
      }
      const properties = { ...input.properties, [idProperty]: input.id };
      const existing = store.search(idProperty, 'EQ', [input.id])[0];
      store.validateProperties(properties, existing?.id ?? null);
      const company = existing ? store.update(existing, properties) : store.addCompany(properties);
      results.push({ ...toResult(company), new: !existing });
    }
    batchAnswer(res, results, []);
  });
}

export async function startHubSpotEmulator(options: HubSpotEmulatorOptions = {}): Promise<HubSpotEmulator> {
  const store = new HubSpotStore();
  for (const company of options.companies ?? [])
    store.addCompany({ name: company.name, domain: company.domain });
  const counter = { requests: 0, times: [] as number[] };
  const app = express();
  app.use(guard(options.requestsPer10s ?? 110, counter));
  app.use(express.json({ limit: '5mb' }));
  propertyRoutes(app, store);
  companyRoutes(app, store);
  const engagements = engagementRoutes(app);
  app.use((_req: Request, res: Response) =>
    sendError(res, new EmulatedError(404, 'OBJECT_NOT_FOUND', 'No such endpoint in the emulator')),
  );
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (error instanceof EmulatedError) sendError(res, error);
    else
      sendError(
        res,
        new EmulatedError(500, 'INTERNAL_ERROR', error instanceof Error ? error.message : 'internal error'),
      );
  });
  const server = app.listen(options.port ?? 0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // fetch keeps connections alive, which would hold close() open.
        server.closeAllConnections();
      }),
    companies: () =>
      [...store.companies.values()].map((company) => ({ ...company, properties: { ...company.properties } })),
    requestCount: () => counter.requests,
    engagements,
  };
}
