import { newCardDeclineCodes } from './declines';
import type { DemoRandom } from './random';
import type { DemoStory } from './types';
import { daySeconds, hourSeconds } from './time';

/**
 * Automatic payment attempts after the first, in days after the first attempt. This is a fixed
 * schedule of the kind Stripe's retry settings allow (3, then 5, then 7 days apart), not Smart Retries.
 */
export const retryOffsetDays = [0, 3, 8, 15] as const;

/** Renewal invoices are finalized and first charged about an hour after they are created. */
export const finalizeDelaySeconds = hourSeconds;

export type FailureResolution =
  'retry_succeeds' | 'customer_fixes' | 'retry_pending' | 'exhausted' | 'unpaid';

/** Failure of one invoice of a customer, and its outcome. */
export interface FailurePlan {
  cycleIndex: number;
  /** Decline code of each failed automatic attempt in order, empty for an unpaid `send_invoice` invoice. */
  declines: string[];
  resolution: FailureResolution;
}

// Weighted by repetition: insufficient funds dominates real subscription declines.
const softDeclinePool = [
  'insufficient_funds',
  'insufficient_funds',
  'insufficient_funds',
  'do_not_honor',
  'do_not_honor',
  'generic_decline',
  'card_velocity_exceeded',
  'processing_error',
];

function drawSoftDeclines(random: DemoRandom, count: number): string[] {
  const declines = [random.pick(softDeclinePool)];
  while (declines.length < count) {
    const previous = declines[declines.length - 1] as string;
    declines.push(random.chance(0.7) ? previous : random.pick(softDeclinePool));
  }
  return declines;
}

/** Seconds from a billing cycle's start to the first payment attempt on its invoice. */
export const firstAttemptDelaySeconds = 1 + finalizeDelaySeconds + 2;

/** Returns the time of automatic attempt `attempt` (0-based) on the invoice of the cycle at `cycleStart`. */
export function attemptTime(cycleStart: number, attempt: number): number {
  const offsetDays = retryOffsetDays[attempt];
  if (offsetDays === undefined) throw new Error(`No retry scheduled for attempt ${attempt + 1}`);
  return cycleStart + firstAttemptDelaySeconds + offsetDays * daySeconds;
}

/** Renewal cycles (never the first invoice) whose whole retry schedule ends before `now`. */
function settledRenewals(cycles: readonly number[], now: number): number[] {
  const lastRetryDays = retryOffsetDays[retryOffsetDays.length - 1] as number;
  const settleSeconds = (lastRetryDays + 1) * daySeconds;
  return cycles
    .map((start, index) => ({ start, index }))
    .filter(({ start, index }) => index >= 1 && start + settleSeconds < now)
    .map(({ index }) => index);
}

function pickSettledRenewal(
  random: DemoRandom,
  cycles: readonly number[],
  now: number,
  story: DemoStory,
): number {
  const candidates = settledRenewals(cycles, now);
  if (candidates.length === 0) {
    throw new Error(`No renewal is old enough for a ${story} story; use a history of at least 3 months`);
  }
  return random.pick(candidates);
}

function planRecovery(random: DemoRandom, cycles: readonly number[], now: number): FailurePlan {
  const cycleIndex = pickSettledRenewal(random, cycles, now, 'recovered');
  if (random.chance(0.6)) {
    return { cycleIndex, declines: drawSoftDeclines(random, random.int(1, 2)), resolution: 'retry_succeeds' };
  }
  return { cycleIndex, declines: [random.pick(newCardDeclineCodes)], resolution: 'customer_fixes' };
}

function planPastDue(random: DemoRandom, cycles: readonly number[], now: number): FailurePlan {
  const cycleIndex = cycles.length - 1;
  const cycleStart = cycles[cycleIndex] as number;
  // An attempt writes events over a few seconds, so it counts only when it started a minute before now.
  const attemptsSoFar = retryOffsetDays.filter(
    (_, attempt) => attemptTime(cycleStart, attempt) < now - 60,
  ).length;
  if (attemptsSoFar === 0 || attemptsSoFar === retryOffsetDays.length) {
    throw new Error('A past_due story needs its latest invoice between 1 and 15 days old');
  }
  return { cycleIndex, declines: drawSoftDeclines(random, attemptsSoFar), resolution: 'retry_pending' };
}

/** Decides which invoice fails for a story and how it ends, or returns null for a story without one. */
export function planFailure(
  random: DemoRandom,
  story: DemoStory,
  cycles: readonly number[],
  now: number,
): FailurePlan | null {
  switch (story) {
    case 'recovered':
      return planRecovery(random, cycles, now);
    case 'past_due':
      return planPastDue(random, cycles, now);
    case 'canceled': {
      const cycleIndex = pickSettledRenewal(random, cycles, now, story);
      return { cycleIndex, declines: drawSoftDeclines(random, random.int(3, 4)), resolution: 'exhausted' };
    }
    case 'overdue':
      return { cycleIndex: cycles.length - 1, declines: [], resolution: 'unpaid' };
    default:
      return null;
  }
}
