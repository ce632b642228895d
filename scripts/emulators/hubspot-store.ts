/**
 * In-memory HubSpot portal for the emulator: property definitions, groups and companies, with
 * the input checks HubSpot's CRM v3 API makes on the calls this product sends.
 */
import { randomUUID } from 'node:crypto';

export interface EmulatedProperty {
  name: string;
  label: string;
  description?: string;
  groupName: string;
  type: string;
  fieldType: string;
  options: { label: string; value: string; displayOrder?: number; hidden?: boolean }[];
  hasUniqueValue: boolean;
}

export interface EmulatedCompany {
  id: string;
  properties: Record<string, string>;
  createdAt: string;
  updatedAt: string;
}

/** An error response HubSpot would return, as HTTP status and body category. */
export class EmulatedError extends Error {
  constructor(
    readonly status: number,
    readonly category: string,
    message: string,
    readonly context?: Record<string, string[]>,
  ) {
    super(message);
  }

  toBody() {
    return {
      status: 'error',
      message: this.message,
      correlationId: randomUUID(),
      category: this.category,
      context: this.context,
    };
  }
}

const builtInCompanyProperties: EmulatedProperty[] = [
  {
    name: 'name',
    label: 'Company name',
    groupName: 'companyinformation',
    type: 'string',
    fieldType: 'text',
    options: [],
    hasUniqueValue: false,
  },
  {
    name: 'domain',
    label: 'Company domain name',
    groupName: 'companyinformation',
    type: 'string',
    fieldType: 'text',
    options: [],
    hasUniqueValue: false,
  },
];

export const BATCH_LIMIT = 100;

export class HubSpotStore {
  readonly properties = new Map<string, EmulatedProperty>(builtInCompanyProperties.map((p) => [p.name, p]));
  readonly groups = new Map<string, { name: string; label: string; displayOrder: number }>([
    ['companyinformation', { name: 'companyinformation', label: 'Company information', displayOrder: 0 }],
  ]);
  readonly companies = new Map<string, EmulatedCompany>();
  private nextId = 1001;

  addCompany(properties: Record<string, string>): EmulatedCompany {
    const now = new Date().toISOString();
    const company = {
      id: String(this.nextId++),
      properties: { ...properties },
      createdAt: now,
      updatedAt: now,
    };
    this.companies.set(company.id, company);
    return company;
  }

  /** Checks one input's properties: known names, enumeration options, midnight-UTC dates, unique values. */
  validateProperties(properties: Record<string, string>, companyId: string | null): void {
    for (const [name, value] of Object.entries(properties)) {
      const property = this.properties.get(name);
      if (!property) throw new EmulatedError(400, 'VALIDATION_ERROR', `Property "${name}" does not exist`);
      if (value === '') continue;
      if (property.type === 'enumeration' && !property.options.some((option) => option.value === value)) {
        throw new EmulatedError(
          400,
          'VALIDATION_ERROR',
          `${value} was not one of the allowed options for ${name}`,
        );
      }
      if (property.type === 'number' && !/^-?\d+(\.\d+)?$/.test(value)) {
        throw new EmulatedError(400, 'VALIDATION_ERROR', `${value} is not a valid number for ${name}`);
      }
      if (property.type === 'date' && (!/^\d+$/.test(value) || Number(value) % 86_400_000 !== 0)) {
        throw new EmulatedError(
          400,
          'VALIDATION_ERROR',
          `${value} is at a time of day other than midnight UTC for ${name}`,
        );
      }
      if (property.hasUniqueValue) this.checkUnique(name, value, companyId);
    }
  }

  private checkUnique(name: string, value: string, companyId: string | null): void {
    for (const company of this.companies.values()) {
      if (company.id !== companyId && company.properties[name] === value) {
        throw new EmulatedError(409, 'CONFLICT', `A company with ${name} ${value} already exists`, {
          id: [company.id],
        });
      }
    }
  }

  checkBatch(
    inputs: unknown,
    key: (input: { id: string }) => string,
  ): asserts inputs is { id: string; properties: Record<string, string>; idProperty?: string }[] {
    if (!Array.isArray(inputs) || inputs.length === 0)
      throw new EmulatedError(400, 'VALIDATION_ERROR', 'inputs must be a non-empty array');
    if (inputs.length > BATCH_LIMIT) {
      throw new EmulatedError(
        400,
        'VALIDATION_ERROR',
        `Batch input size ${inputs.length} exceeds the limit of ${BATCH_LIMIT}`,
      );
    }
    const seen = new Set<string>();
    for (const input of inputs as { id: string; properties?: unknown }[]) {
      if (typeof input.id !== 'string' || typeof input.properties !== 'object' || input.properties === null) {
        throw new EmulatedError(
          400,
          'VALIDATION_ERROR',
          'Each input needs a string id and a properties object',
        );
      }
      const id = key(input);
      if (seen.has(id))
        throw new EmulatedError(
          400,
          'VALIDATION_ERROR',
          `Duplicate IDs found in batch input: [${id}]. IDs must be unique`,
        );
      seen.add(id);
    }
  }

  update(company: EmulatedCompany, properties: Record<string, string>): EmulatedCompany {
    for (const [name, value] of Object.entries(properties)) company.properties[name] = value;
    company.updatedAt = new Date().toISOString();
    return company;
  }

  search(propertyName: string, operator: string, values: string[]): EmulatedCompany[] {
    if (operator === 'IN' && values.length > BATCH_LIMIT) {
      throw new EmulatedError(400, 'VALIDATION_ERROR', `IN filters take at most ${BATCH_LIMIT} values`);
    }
    if (operator !== 'IN' && operator !== 'EQ')
      throw new EmulatedError(400, 'VALIDATION_ERROR', `Unsupported operator ${operator}`);
    const wanted = new Set(values.map((value) => value.toLowerCase()));
    const matches = [...this.companies.values()].filter((company) => {
      const value = propertyName === 'hs_object_id' ? company.id : company.properties[propertyName];
      return value !== undefined && wanted.has(value.toLowerCase());
    });
    return matches.sort((a, b) => Number(a.id) - Number(b.id));
  }
}
