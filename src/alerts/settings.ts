/**
 * Per-tenant Slack alert settings: where alerts go, who may act on them, and which rules fire.
 * Stored as jsonb in `alert_settings.settings`; every field has a default, so `{}` is valid.
 * Amounts are integer minor units.
 */
import { z } from 'zod';

const channelId = z
  .string()
  .regex(/^[CG][A-Z0-9]{2,}$/, 'must be a Slack channel id starting with C or G, e.g. "C0123ABCD"');

const userGroupId = z
  .string()
  .regex(/^S[A-Z0-9]{2,}$/, 'must be a Slack user group id starting with S, e.g. "S0123ABCD"');

const minorUnits = z.number().int().nonnegative();

const locale = z.string().refine((value) => {
  try {
    return Intl.NumberFormat.supportedLocalesOf([value]).length === 1;
  } catch {
    return false;
  }
}, 'must be a BCP 47 locale that Intl supports, e.g. "en-US"');

/**
 * An MRR band in one currency, or a whole currency when both bounds are left out. The first
 * segment that matches the customer's currency and MRR wins.
 */
export const segmentRouteSchema = z
  .object({
    channel: channelId,
    currency: z.string().regex(/^[a-z]{3}$/, 'must be a lower-case ISO 4217 code such as "usd"'),
    /** Inclusive lower bound of the customer's MRR. */
    minMrrMinor: minorUnits.optional(),
    /** Exclusive upper bound of the customer's MRR. */
    maxMrrMinor: minorUnits.optional(),
  })
  .strict()
  .refine(
    (segment) =>
      segment.minMrrMinor === undefined ||
      segment.maxMrrMinor === undefined ||
      segment.minMrrMinor < segment.maxMrrMinor,
    { message: 'minMrrMinor must be less than maxMrrMinor', path: ['maxMrrMinor'] },
  );

const rulesSchema = z
  .object({
    paymentFailed: z
      .object({
        enabled: z.boolean().default(true),
        /** Compared with the invoice's amount remaining, in the invoice's own currency. */
        minAmountMinor: minorUnits.optional(),
        minMrrMinor: minorUnits.optional(),
      })
      .strict()
      .default({ enabled: true }),
    bandDrop: z
      .object({
        enabled: z.boolean().default(true),
        /** Alert when health drops into this band or a worse one. */
        to: z.enum(['yellow', 'red']).default('red'),
      })
      .strict()
      .default({ enabled: true, to: 'red' }),
    cardExpiring: z
      .object({
        enabled: z.boolean().default(true),
        withinDays: z.number().int().min(1).max(90).default(30),
        minMrrMinor: minorUnits.optional(),
      })
      .strict()
      .default({ enabled: true, withinDays: 30 }),
    finalRetryFailed: z
      .object({ enabled: z.boolean().default(true) })
      .strict()
      .default({ enabled: true }),
    expansionSignal: z
      .object({
        enabled: z.boolean().default(false),
        minOnTimeMonths: z.number().int().min(1).max(60).default(6),
        minMrrMinor: minorUnits.optional(),
      })
      .strict()
      .default({ enabled: false, minOnTimeMonths: 6 }),
  })
  .strict();

export const alertSettingsSchema = z
  .object({
    /** Channel for alerts that no owner or segment route claims; without it those alerts are dropped. */
    defaultChannel: channelId.optional(),
    /** CRM owner id (HubSpot `hubspot_owner_id`) → channel id. */
    channelsByOwner: z.record(z.string().min(1), channelId).default({}),
    channelsBySegment: z.array(segmentRouteSchema).max(50).default([]),
    /** When set, only members of this Slack user group may click action buttons. */
    allowedUserGroup: userGroupId.optional(),
    /** Locale for amounts and dates in messages. */
    locale: locale.default('en-US'),
    digest: z
      .object({
        enabled: z.boolean().default(false),
        /** Hour of the day, in UTC, when the digest is sent. */
        hourUtc: z.number().int().min(0).max(23).default(9),
      })
      .strict()
      .default({ enabled: false, hourUtc: 9 }),
    rules: rulesSchema.default(() => rulesSchema.parse({})),
  })
  .strict();

export type AlertSettings = z.infer<typeof alertSettingsSchema>;
export type AlertSettingsInput = z.input<typeof alertSettingsSchema>;
export type SegmentRoute = z.infer<typeof segmentRouteSchema>;

export const defaultAlertSettings: AlertSettings = alertSettingsSchema.parse({});

/** Error for settings that fail validation; `issues` lists every problem as "path: message". */
export class AlertSettingsError extends Error {
  readonly code = 'invalid_alert_settings';
  readonly retryable = false;

  constructor(readonly issues: string[]) {
    super(`Invalid alert settings: ${issues.join('; ')}`);
    this.name = 'AlertSettingsError';
  }
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String).join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}

/** Validates settings input and fills defaults, or throws AlertSettingsError listing every issue. */
export function parseAlertSettings(input: unknown): AlertSettings {
  const result = alertSettingsSchema.safeParse(input);
  if (!result.success) throw new AlertSettingsError(result.error.issues.map(describeIssue));
  return result.data;
}
