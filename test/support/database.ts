import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { createDb, type Db } from '../../src/db/database';
import { migrateToLatest, migrationsFolder } from '../../src/db/migrate';

const adminUrl = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

function urlFor(database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function withAdmin<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Returns the template's name, which contains a hash of the migrations, so a changed migration gets a new template. */
export function templateName(): string {
  const folder = migrationsFolder();
  const hash = createHash('sha256');
  for (const file of readdirSync(folder).sort())
    hash.update(file).update(readFileSync(path.join(folder, file)));
  return `csm_test_tpl_${hash.digest('hex').slice(0, 12)}`;
}

/** Builds the migrated template once per migration set; concurrent jest runs share it. */
export async function prepareTemplate(): Promise<void> {
  const name = templateName();
  const exists = await withAdmin(async (client) => {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    // Per-file databases left behind by a crashed run are dropped after two hours.
    const stale = await client.query(
      "SELECT datname FROM pg_database WHERE datname LIKE 'csm_test_f_%' AND split_part(datname, '_', 4)::bigint < $1",
      [Math.floor(Date.now() / 1000) - 7200],
    );
    for (const row of stale.rows) await client.query(`DROP DATABASE IF EXISTS "${row.datname}" WITH (FORCE)`);
    return Boolean(found.rowCount);
  });
  if (exists) return;
  const building = `csm_test_build_${randomBytes(4).toString('hex')}`;
  await withAdmin((client) => client.query(`CREATE DATABASE "${building}"`));
  const db = createDb(urlFor(building), { max: 1 });
  try {
    await migrateToLatest(db);
  } finally {
    await db.destroy();
  }
  await withAdmin(async (client) => {
    try {
      await client.query(`ALTER DATABASE "${building}" RENAME TO "${name}"`);
    } catch (error) {
      // Another run finished the same template first.
      if ((error as { code?: string }).code !== '42P04') throw error;
      await client.query(`DROP DATABASE IF EXISTS "${building}"`);
    }
  });
}

export interface TestDatabase {
  db: Db;
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** Creates a fresh, migrated database for one test file, copied from the template. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `csm_test_f_${Math.floor(Date.now() / 1000)}_${randomBytes(4).toString('hex')}`;
  await withAdmin((client) => client.query(`CREATE DATABASE "${name}" TEMPLATE "${templateName()}"`));
  const url = urlFor(name);
  const db = createDb(url, { max: 5 });
  return {
    db,
    url,
    name,
    async drop() {
      await db.destroy();
      await withAdmin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}
