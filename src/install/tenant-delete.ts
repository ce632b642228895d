import { sql } from 'kysely';
import type { Db } from '../db/database';

export interface TenantDeletion {
  tenantFound: boolean;
  /** Rows deleted per table, including the tenants row itself. */
  deleted: Record<string, number>;
}

/** Tables with a tenant_id column, read from the catalog so tables added by later migrations count too. */
async function tenantTables(db: Db): Promise<string[]> {
  const result = await sql<{ table_name: string }>`
    SELECT table_name FROM information_schema.columns
    WHERE table_schema = current_schema() AND column_name = 'tenant_id'
    ORDER BY table_name`.execute(db);
  return result.rows.map((row) => row.table_name);
}

/**
 * Deletes a tenant and all its data in one transaction. Every table references tenants with
 * ON DELETE CASCADE, so deleting the tenants row removes the rest; the counts are taken first.
 */
export async function deleteTenantData(db: Db, tenantId: string): Promise<TenantDeletion> {
  return db.transaction().execute(async (trx) => {
    const tenant = await trx
      .selectFrom('tenants')
      .select('id')
      .where('id', '=', tenantId)
      .forUpdate()
      .executeTakeFirst();
    if (!tenant) return { tenantFound: false, deleted: {} };
    const deleted: Record<string, number> = {};
    for (const table of await tenantTables(trx)) {
      const counted = await sql<{ count: string }>`
        SELECT count(*) AS count FROM ${sql.table(table)} WHERE tenant_id = ${tenantId}`.execute(trx);
      const count = Number(counted.rows[0]?.count ?? 0);
      if (count > 0) deleted[table] = count;
    }
    await trx.deleteFrom('tenants').where('id', '=', tenantId).execute();
    deleted.tenants = 1;
    return { tenantFound: true, deleted };
  });
}
