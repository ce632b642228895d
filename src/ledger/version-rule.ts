import { sql, type RawBuilder } from 'kysely';

/**
 * SQL for the rule that decides whether an incoming change overwrites a stored row, written for
 * the `WHERE` of `INSERT ... ON CONFLICT DO UPDATE`, where `excluded` is the incoming row. Keeping
 * the rule in SQL makes it atomic with the write, so concurrent workers cannot both win.
 */

/**
 * True when the incoming (source_version, source_event_id) is greater than the stored one:
 * seconds first, then the event id. `COLLATE "C"` compares ids byte by byte whatever the
 * database's collation is, so every worker and database orders two ids the same way.
 */
export function incomingIsNewer(table: string): RawBuilder<boolean> {
  const storedVersion = sql.ref(`${table}.source_version`);
  const storedEventId = sql.ref(`${table}.source_event_id`);
  return sql<boolean>`((${storedVersion}, ${storedEventId} COLLATE "C")
    < (excluded.source_version, excluded.source_event_id COLLATE "C"))`;
}

/** True when the column's value is one of the terminal values. */
export function inSet(column: RawBuilder<unknown>, values: readonly string[]): RawBuilder<boolean> {
  return sql<boolean>`(${column} IN (${sql.join(values.map((value) => sql.lit(value)))}))`;
}

/**
 * Builds the overwrite rule for objects with terminal states. A row in a terminal state never
 * leaves it, even for an event that is newer by time. Stripe does not reopen a canceled
 * subscription or a paid or void invoice, so such an event is out of step. An incoming terminal
 * state is applied even when older than the stored non-terminal one, so the final row is the same
 * in any delivery order: the newest terminal event if there is one, else the newest event.
 * Between two terminal states the newer event wins.
 */
export function overwriteRule(
  table: string,
  storedTerminal: RawBuilder<boolean>,
  incomingTerminal: RawBuilder<boolean>,
): RawBuilder<boolean> {
  const newer = incomingIsNewer(table);
  return sql<boolean>`((${storedTerminal} = ${incomingTerminal} AND ${newer})
    OR (${incomingTerminal} AND NOT ${storedTerminal}))`;
}
