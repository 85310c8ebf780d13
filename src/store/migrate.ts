// Runs the explicit migration list through knex's migrator. Each step is logged as it runs; knex applies the
// pending steps in one transaction, so a failing step leaves the schema exactly as it was.
import type { Knex } from "knex";
import type { Migration } from "../../migrations";
import { getLogger } from "../util/log";

const log = getLogger("store.migrate");
const TABLE = "knex_migrations";

export interface MigrationStatus {
  current: boolean;
  applied: string[];
  pending: string[];
}

function migrationSource(migrations: readonly Migration[]): Knex.MigrationSource<Migration> {
  return {
    getMigrations: async () => [...migrations],
    getMigrationName: (m) => m.name,
    getMigration: async (m) => ({
      up: async (db: Knex) => {
        log.info("applying migration", { migration: m.name });
        try {
          await m.up(db);
        } catch (err) {
          throw new MigrationError(m.name, err);
        }
        log.info("migration step done", { migration: m.name });
      },
      down: (db: Knex) => m.down(db),
    }),
  };
}

export class MigrationError extends Error {
  constructor(
    readonly migration: string,
    cause: unknown,
  ) {
    super(`Database migration ${migration} failed: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
    this.name = "MigrationError";
  }
}

/** Applies every pending step. Rejects with a message naming the failing step or the unknown applied ones. */
export async function runMigrations(db: Knex, migrations: readonly Migration[]): Promise<string[]> {
  try {
    const [, applied] = (await db.migrate.latest({
      migrationSource: migrationSource(migrations),
      tableName: TABLE,
    })) as [number, string[]];
    if (applied.length > 0) log.info("database schema updated", { applied: applied.length });
    else log.info("database schema is current", { steps: migrations.length });
    return applied;
  } catch (err) {
    if (err instanceof MigrationError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    // knex reports applied steps this build does not know as a "corrupt directory": usually a newer version ran.
    if (message.includes("migration directory is corrupt")) {
      throw new Error(
        `The database has migrations this version does not know (was it opened by a newer version?): ${message}`,
        { cause: err },
      );
    }
    throw new Error(`Database migration failed: ${message}`, { cause: err });
  }
}

export async function migrationStatus(db: Knex, migrations: readonly Migration[]): Promise<MigrationStatus> {
  const known = migrations.map((m) => m.name);
  const applied = (await db.schema.hasTable(TABLE))
    ? (await db(TABLE).select("name").orderBy("id")).map((r: { name: string }) => r.name)
    : [];
  const pending = known.filter((name) => !applied.includes(name));
  const unknown = applied.filter((name) => !known.includes(name));
  return { current: pending.length === 0 && unknown.length === 0, applied, pending };
}
