// The Store contract on PostgreSQL 15. Needs root and the Debian postgresql-15 package (installed by .ci/run):
// test/harness/postgres.ts starts a throwaway cluster as the postgres OS user on a free loopback port.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { MIGRATIONS, type Migration } from "../../migrations";
import { openKnex, parseDatabaseUrl } from "../../src/store/connection";
import { openStore } from "../../src/store/knex-store";
import { startPostgres, type PostgresHandle } from "../harness/postgres";
import { registerStoreContract } from "../integration/store-contract";
import { registerRollbackCases } from "../integration/store-rollback";

let pg: PostgresHandle;
before(async () => {
  pg = await startPostgres();
});
after(async () => {
  await pg?.stop();
});

registerStoreContract("postgresql", () => openStore(pg.url), () => pg.url);
registerRollbackCases("postgresql", async (name) => {
  const admin = openKnex(parseDatabaseUrl(pg.url));
  await admin.raw(`CREATE DATABASE ${name}`).finally(() => admin.destroy());
  return pg.url.replace(/\/postgres$/, `/${name}`);
});

describe("migrations at startup (postgresql)", () => {
  it("rejects naming the failing step and rolls the whole batch back", async () => {
    const admin = openKnex(parseDatabaseUrl(pg.url));
    await admin.raw("CREATE DATABASE broken_batch");
    await admin.destroy();
    const url = pg.url.replace(/\/postgres$/, "/broken_batch");
    const broken: Migration = {
      name: "999_broken",
      up: async (knex) => {
        await knex.schema.createTable("half_done", (t) => t.increments("id"));
        await knex.raw("THIS IS NOT SQL");
      },
      down: async () => undefined,
    };
    await assert.rejects(openStore(url, [...MIGRATIONS, broken]), /Database migration 999_broken failed/);
    const db = openKnex(parseDatabaseUrl(url));
    try {
      for (const table of ["half_done", "users", "refused_rooms"]) assert.equal(await db.schema.hasTable(table), false);
      assert.deepEqual(await db("knex_migrations").select("name"), []);
    } finally {
      await db.destroy();
    }
    const store = await openStore(url);
    await store.close();
  });

  it("opens a postgresql:// URL too", async () => {
    const store = await openStore(pg.url.replace(/^postgres:/, "postgresql:"));
    try {
      assert.deepEqual((await store.migrationStatus()).pending, []);
    } finally {
      await store.close();
    }
  });

  it("fails clearly, without the password, when the server refuses the login", async () => {
    const wrong = pg.url.replace(/:([0-9a-f]+)@/, ":wrong-password@");
    await assert.rejects(openStore(wrong), (err: Error) => {
      assert.ok(!err.message.includes(new URL(pg.url).password), "the password leaked into the error");
      assert.match(err.message, /password authentication failed/);
      return true;
    });
  });
});
