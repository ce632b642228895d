/**
 * The CRM schema this product writes: one property group and the `csm_` company properties.
 * applyHubSpotSchema brings a portal up to date and writes nothing when it already is.
 */
import type {
  ExistingProperty,
  HubSpotCrm,
  PropertyDefinition,
  PropertyGroupDefinition,
  PropertyOption,
} from '../../integrations/hubspot/crm';
import {
  healthBandLabels,
  paymentStatusLabels,
  subscriptionStatusLabels,
} from '../../src/sync/hubspot-properties';

/** Raise when the group or the properties below change, so each connection applies the schema again. */
export const CRM_SCHEMA_VERSION = 1;

export const COMPANY_OBJECT = 'companies';
export const BILLING_CUSTOMER_ID_PROPERTY = 'csm_billing_customer_id';

export const propertyGroup: PropertyGroupDefinition = {
  name: 'csm_payments',
  label: 'CSM Payments',
  displayOrder: -1,
};

function optionsFrom(labels: Record<string, string>): PropertyOption[] {
  return Object.entries(labels).map(([value, label], index) => ({
    value,
    label,
    displayOrder: index,
    hidden: false,
  }));
}

type Definition = Omit<PropertyDefinition, 'groupName'>;

const definitions: Definition[] = [
  {
    name: 'csm_health_score',
    label: 'Payment health score',
    type: 'number',
    fieldType: 'number',
    description: 'Payment health from 0 to 100, higher is healthier. Written by CSM Payments.',
  },
  {
    name: 'csm_health_band',
    label: 'Payment health band',
    type: 'enumeration',
    fieldType: 'select',
    description: 'Red, yellow or green band of the payment health score.',
    options: optionsFrom(healthBandLabels),
  },
  {
    name: 'csm_health_reasons',
    label: 'Payment health reasons',
    type: 'string',
    fieldType: 'textarea',
    description: 'Why the payment health score lost points, most important first, separated by semicolons.',
  },
  {
    name: 'csm_payment_status',
    label: 'Payment status',
    type: 'enumeration',
    fieldType: 'select',
    description: 'Billing state: current, payment failed, past due, overdue, canceled or no subscription.',
    options: optionsFrom(paymentStatusLabels),
  },
  {
    name: 'csm_mrr',
    label: 'MRR',
    type: 'number',
    fieldType: 'number',
    description: 'Monthly recurring revenue in major units of the billing currency.',
  },
  {
    name: 'csm_currency',
    label: 'Billing currency',
    type: 'string',
    fieldType: 'text',
    description: 'ISO 4217 code of the billing currency, such as USD.',
  },
  {
    name: 'csm_overdue_amount',
    label: 'Overdue amount',
    type: 'number',
    fieldType: 'number',
    description: 'Amount remaining on invoices past their due date, in major units of the billing currency.',
  },
  {
    name: 'csm_oldest_unpaid_days',
    label: 'Oldest unpaid invoice (days)',
    type: 'number',
    fieldType: 'number',
    description: 'Days since the due date of the oldest unpaid invoice that is past due.',
  },
  {
    name: 'csm_failed_payments_30d',
    label: 'Failed payments (30 days)',
    type: 'number',
    fieldType: 'number',
    description: 'Failed payment attempts in the last 30 days.',
  },
  {
    name: 'csm_last_payment_date',
    label: 'Last payment date',
    type: 'date',
    fieldType: 'date',
    description: 'Day of the last successful payment, in UTC.',
  },
  {
    name: 'csm_next_retry_date',
    label: 'Next payment retry date',
    type: 'date',
    fieldType: 'date',
    description: 'Day of the next automatic payment attempt on an open invoice, in UTC.',
  },
  {
    name: 'csm_card_expiry',
    label: 'Card expiry date',
    type: 'date',
    fieldType: 'date',
    description: 'Last day of the expiry month of the card on file.',
  },
  {
    name: 'csm_subscription_status',
    label: 'Subscription status',
    type: 'enumeration',
    fieldType: 'select',
    description: 'Stripe status of the subscription that drives the score, or none.',
    options: optionsFrom(subscriptionStatusLabels),
  },
  {
    name: BILLING_CUSTOMER_ID_PROPERTY,
    label: 'Billing customer id',
    type: 'string',
    fieldType: 'text',
    description:
      'Stripe customer id of this company. Unique: CSM Payments matches and creates companies by it.',
    hasUniqueValue: true,
  },
];

export const companyProperties: PropertyDefinition[] = definitions.map((definition) => ({
  ...definition,
  groupName: propertyGroup.name,
}));

export interface SchemaPlan {
  createGroup: boolean;
  create: PropertyDefinition[];
  /** Enumeration properties whose options differ from ours. The update sends our full option list. */
  updateOptions: PropertyDefinition[];
}

function sameOptions(wanted: PropertyOption[], existing: PropertyOption[]): boolean {
  const key = (option: PropertyOption) => `${option.value}\u0000${option.label}`;
  const existingKeys = new Set(existing.filter((option) => !option.hidden).map(key));
  return wanted.length === existingKeys.size && wanted.every((option) => existingKeys.has(key(option)));
}

/** Decides what to write from what the portal has. Pure, so the plan can be tested without HubSpot. */
export function planHubSpotSchema(
  groups: PropertyGroupDefinition[],
  existing: ExistingProperty[],
): SchemaPlan {
  const byName = new Map(existing.map((property) => [property.name, property]));
  const plan: SchemaPlan = {
    createGroup: !groups.some((group) => group.name === propertyGroup.name),
    create: [],
    updateOptions: [],
  };
  for (const property of companyProperties) {
    const current = byName.get(property.name);
    if (!current) plan.create.push(property);
    else if (property.options && !sameOptions(property.options, current.options))
      plan.updateOptions.push(property);
  }
  return plan;
}

/**
 * Creates the group and missing properties and updates enumeration options that differ.
 * A property that exists with another type is left alone: changing a type can lose data.
 */
export async function applyHubSpotSchema(crm: HubSpotCrm): Promise<SchemaPlan> {
  const [groups, existing] = await Promise.all([
    crm.listPropertyGroups(COMPANY_OBJECT),
    crm.listProperties(COMPANY_OBJECT),
  ]);
  const plan = planHubSpotSchema(groups, existing);
  if (plan.createGroup) await crm.createPropertyGroup(COMPANY_OBJECT, propertyGroup);
  for (const property of plan.create) await crm.createProperty(COMPANY_OBJECT, property);
  for (const property of plan.updateOptions) {
    await crm.updateProperty(COMPANY_OBJECT, property.name, { options: property.options });
  }
  return plan;
}
