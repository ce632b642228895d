/** Reads and writes a tenant's alert settings in `alert_settings`. */
import type { Db } from '../db/database';
import { defaultAlertSettings, parseAlertSettings, type AlertSettings } from './settings';

const millisecondsPerHour = 60 * 60 * 1000;

/** Returns the first time at `hourUtc`:00 UTC strictly after `now`. */
export function nextDigestAt(hourUtc: number, now: Date): Date {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), hourUtc);
  return new Date(today > now.getTime() ? today : today + 24 * millisecondsPerHour);
}

/**
 * Returns the tenant's settings with defaults filled in, or the defaults when none are stored.
 * Stored settings were validated on write, so a row that no longer parses throws AlertSettingsError.
 */
export async function readAlertSettings(db: Db, tenantId: string): Promise<AlertSettings> {
  const row = await db
    .selectFrom('alert_settings')
    .select('settings')
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst();
  return row ? parseAlertSettings(row.settings) : defaultAlertSettings;
}

/**
 * Validates `input`, stores it with defaults filled in and schedules the next digest when the
 * digest is enabled. Throws AlertSettingsError listing every issue; nothing is stored then.
 */
export async function writeAlertSettings(
  db: Db,
  tenantId: string,
  input: unknown,
  now: Date,
): Promise<AlertSettings> {
  const settings = parseAlertSettings(input);
  const nextDigest = settings.digest.enabled ? nextDigestAt(settings.digest.hourUtc, now) : null;
  const values = { settings: JSON.stringify(settings), next_digest_at: nextDigest, updated_at: now };
  await db
    .insertInto('alert_settings')
    .values({ tenant_id: tenantId, ...values })
    .onConflict((conflict) => conflict.column('tenant_id').doUpdateSet(values))
    .execute();
  return settings;
}
