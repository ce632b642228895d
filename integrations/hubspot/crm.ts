/**
 * The part of the HubSpot CRM API that this product uses. The sync core depends only on this
 * interface, so tests and the demo can pass a fake or point the SDK-backed adapter at the emulator.
 */

export type PropertyType = 'string' | 'number' | 'date' | 'datetime' | 'enumeration' | 'bool';
export type PropertyFieldType = 'text' | 'textarea' | 'number' | 'date' | 'select' | 'booleancheckbox';

export interface PropertyOption {
  label: string;
  value: string;
  displayOrder?: number;
  hidden?: boolean;
}

export interface PropertyDefinition {
  name: string;
  label: string;
  description: string;
  groupName: string;
  type: PropertyType;
  fieldType: PropertyFieldType;
  options?: PropertyOption[];
  hasUniqueValue?: boolean;
}

/** A property as HubSpot lists it, with the fields the schema migration compares. */
export interface ExistingProperty {
  name: string;
  groupName: string;
  type: string;
  fieldType: string;
  options: PropertyOption[];
  hasUniqueValue?: boolean;
}

export interface PropertyGroupDefinition {
  name: string;
  label: string;
  displayOrder?: number;
}

export interface Company {
  id: string;
  properties: Record<string, string | null>;
}

/** One input of a batch call: `id` is the record id, or the id property's value in an upsert. */
export interface BatchInput {
  id: string;
  properties: Record<string, string>;
}

/** One failed input of a batch call that HubSpot returned with 207 Multi-Status. */
export interface BatchInputError {
  /** Input ids that HubSpot names in `context.ids`, or empty when it names none. */
  ids: string[];
  category: string;
  message: string;
}

export interface BatchResult {
  results: Company[];
  errors: BatchInputError[];
}

export interface UpsertedCompany extends Company {
  created: boolean;
}

export interface UpsertResult {
  results: UpsertedCompany[];
  errors: BatchInputError[];
}

/** Maximum inputs in one batch call and values in one IN filter, as HubSpot documents for CRM v3. */
export const HUBSPOT_BATCH_LIMIT = 100;

/** Company properties that search returns, which matching reads. */
// hubspot_owner_id routes Slack alerts to the company owner's channel.
export const COMPANY_SEARCH_PROPERTIES = [
  'name',
  'domain',
  'csm_billing_customer_id',
  'hubspot_owner_id',
] as const;

export interface HubSpotCrm {
  listProperties(objectType: string): Promise<ExistingProperty[]>;
  listPropertyGroups(objectType: string): Promise<PropertyGroupDefinition[]>;
  createPropertyGroup(objectType: string, group: PropertyGroupDefinition): Promise<void>;
  createProperty(objectType: string, property: PropertyDefinition): Promise<void>;
  updateProperty(objectType: string, name: string, update: Partial<PropertyDefinition>): Promise<void>;
  /** Returns every company whose property equals one of `values` (IN filter, at most 100 values). */
  searchCompanies(filter: { propertyName: string; values: string[] }): Promise<Company[]>;
  /** Updates at most 100 companies by record id. Ids must be unique within the call. */
  batchUpdateCompanies(inputs: BatchInput[]): Promise<BatchResult>;
  /** Creates or updates at most 100 companies keyed on a unique-value property. */
  batchUpsertCompanies(idProperty: string, inputs: BatchInput[]): Promise<UpsertResult>;
}
