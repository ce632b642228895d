/**
 * Action ids and button values of the alert message. The message builder writes them and the action
 * handlers read them, so both sides share this file.
 */
import { z } from 'zod';

export const alertActionIds = [
  'retry_payment',
  'send_card_update_link',
  'claim',
  'pause_dunning_7d',
] as const;
export type AlertActionId = (typeof alertActionIds)[number];

/** The URL button that opens the company in HubSpot; Slack still sends a click, which only needs an ack. */
export const openInHubSpotActionId = 'open_in_hubspot';

/** Days of dunning pause behind the `pause_dunning_7d` button. */
export const buttonPauseDays = 7;

/** Button `value`: JSON with the `slack_alerts.id` and, for invoice actions, the Stripe invoice id. */
export const alertButtonValueSchema = z
  .object({
    alertId: z.string().regex(/^[1-9][0-9]{0,17}$/, 'must be a slack_alerts id'),
    invoiceId: z
      .string()
      .regex(/^in_[A-Za-z0-9]{1,250}$/, 'must be a Stripe invoice id')
      .optional(),
  })
  .strict();

export type AlertButtonValue = z.infer<typeof alertButtonValueSchema>;

export function encodeAlertButtonValue(value: AlertButtonValue): string {
  return JSON.stringify(alertButtonValueSchema.parse(value));
}

/** Returns the parsed value, or null for a missing, non-JSON or unexpected value. */
export function parseAlertButtonValue(raw: string | undefined): AlertButtonValue | null {
  if (raw === undefined) return null;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return null;
  }
  const parsed = alertButtonValueSchema.safeParse(json);
  return parsed.success ? parsed.data : null;
}

export function isAlertActionId(actionId: string): actionId is AlertActionId {
  return (alertActionIds as readonly string[]).includes(actionId);
}
