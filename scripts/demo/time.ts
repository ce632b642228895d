/** UTC calendar arithmetic on Unix seconds, the unit Stripe uses for every timestamp. */

export const hourSeconds = 3600;
export const daySeconds = 86400;

export function toSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

/**
 * Adds calendar months, clamping to the last day of a shorter month (Jan 31 + 1 month = Feb 28),
 * as Stripe does for billing cycle anchors on the 29th to 31st.
 */
export function addMonths(seconds: number, months: number): number {
  const date = new Date(seconds * 1000);
  const day = date.getUTCDate();
  const target = new Date(date.getTime());
  target.setUTCDate(1);
  target.setUTCMonth(target.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(day, lastDay));
  return toSeconds(target);
}

/** Moves a time back to the 28th when it falls later in the month, so monthly steps never clamp. */
export function clampToDay28(seconds: number): number {
  const day = new Date(seconds * 1000).getUTCDate();
  return day > 28 ? seconds - (day - 28) * daySeconds : seconds;
}

/** Returns the calendar month (1-12) and year of a time, as a card's expiry is written. */
export function monthOf(seconds: number): { month: number; year: number } {
  const date = new Date(seconds * 1000);
  return { month: date.getUTCMonth() + 1, year: date.getUTCFullYear() };
}

/** Start times of each billing period from `anchor` that begin before `until`. */
export function cycleStarts(anchor: number, intervalMonths: number, until: number): number[] {
  const starts: number[] = [];
  for (let index = 0; ; index += 1) {
    const start = addMonths(anchor, index * intervalMonths);
    if (start >= until) return starts;
    starts.push(start);
  }
}
