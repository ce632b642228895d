/** zod schemas for the card endpoints, and the 400 response that lists every issue. */
import type { Response } from 'express';
import { z } from 'zod';

/** HubSpot record ids are numeric; hubspot.fetch bodies may carry them as numbers or strings. */
const hubspotId = z
  .union([z.string().regex(/^\d{1,20}$/, 'must be a numeric HubSpot id'), z.number().int().positive()])
  .transform(String);

/**
 * Query parameters of a card request. HubSpot appends `portalId` and `userId` (and others, such as
 * `userEmail`, which we ignore) to every hubspot.fetch URL, so the signature covers them.
 * NOTE: these names are not checked against a HubSpot reference page. Without `portalId` every request gets a 400.
 */
export const cardQuerySchema = z.object({
  portalId: z.string().regex(/^\d{1,20}$/, 'must be the numeric HubSpot portal id'),
  userId: z
    .string()
    .regex(/^\d{1,20}$/, 'must be the numeric HubSpot user id')
    .optional(),
  companyId: z
    .string()
    .regex(/^\d{1,20}$/, 'must be a numeric HubSpot company id')
    .optional(),
  associatedObjectId: z
    .string()
    .regex(/^\d{1,20}$/, 'must be a numeric HubSpot record id')
    .optional(),
});

export const linkBodySchema = z
  .object({
    companyId: hubspotId,
    stripeCustomerId: z.string().regex(/^cus_\w+$/, 'must be a Stripe customer id such as cus_123'),
  })
  .strict();

export const cardActionNames = [
  'retry_payment',
  'send_card_update_link',
  'pause_dunning',
  'resume_dunning',
] as const;

export const maxPauseDays = 90;

export const actionBodySchema = z
  .object({
    companyId: hubspotId,
    action: z.enum(cardActionNames),
    stripeInvoiceId: z
      .string()
      .regex(/^in_\w+$/, 'must be a Stripe invoice id such as in_123')
      .optional(),
    pauseDays: z.number().int().min(1).max(maxPauseDays).optional(),
  })
  .strict()
  .superRefine((body, ctx) => {
    if (body.pauseDays !== undefined && body.action !== 'pause_dunning') {
      ctx.addIssue({
        code: 'custom',
        path: ['pauseDays'],
        message: 'only allowed with action pause_dunning',
      });
    }
    if (body.stripeInvoiceId !== undefined && body.action !== 'retry_payment') {
      ctx.addIssue({
        code: 'custom',
        path: ['stripeInvoiceId'],
        message: 'only allowed with action retry_payment',
      });
    }
  });

export interface RequestIssue {
  path: string;
  message: string;
}

/** Rewords zod's type messages for the two mistakes a caller makes most: a missing or a repeated field. */
function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_union') {
    // A union (a HubSpot id as string or number) reports "Invalid input"; its branches give the reason.
    const branches = issue.errors.flat();
    if (branches.length > 0 && branches.every((branch) => branch.message.endsWith('received undefined')))
      return 'is required';
    const specific = branches.find((branch) => branch.code !== 'invalid_type');
    return specific?.message ?? issue.message;
  }
  if (issue.code !== 'invalid_type') return issue.message;
  if (issue.message.endsWith('received undefined')) return 'is required';
  if (issue.message.endsWith('received array')) return 'must be given once, not repeated';
  return issue.message;
}

export function sendInvalidRequest(res: Response, issues: readonly z.core.$ZodIssue[]): void {
  const list: RequestIssue[] = issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issueMessage(issue),
  }));
  const summary = list.map((issue) => `${issue.path || 'body'}: ${issue.message}`).join('; ');
  res
    .status(400)
    .json({ error: { code: 'invalid_request', message: `Invalid request: ${summary}`, issues: list } });
}
