// Rolling a migration back keeps what the older code reads true: run by store-rollback.test.ts (SQLite) and
// test/e2e/store-postgres.test.ts (PostgreSQL). Each case gets a database of its own from `fresh`.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MIGRATIONS, type Migration } from "../../migrations";
import { openKnex, parseDatabaseUrl } from "../../src/store/connection";
import { openStore } from "../../src/store/knex-store";

/** The migrations up to and including `name`, and that step itself. */
function upTo(name: string): { steps: readonly Migration[]; step: Migration } {
  const at = MIGRATIONS.findIndex((m) => m.name === name);
  return { steps: MIGRATIONS.slice(0, at + 1), step: MIGRATIONS[at]! };
}

/** Migrates a fresh database through `name`, fills it, rolls `name` back, and hands the result to `check`. */
async function rollBack(url: string, name: string, fill: (db: ReturnType<typeof openKnex>) => Promise<void>, check: (db: ReturnType<typeof openKnex>) => Promise<void>): Promise<void> {
  const { steps, step } = upTo(name);
  await (await openStore(url, steps)).close();
  const db = openKnex(parseDatabaseUrl(url));
  try {
    await fill(db);
    await step.down(db);
    await check(db);
  } finally {
    await db.destroy();
  }
}

export function registerRollbackCases(engine: string, fresh: (name: string) => Promise<string>): void {
  describe(`migration rollbacks (${engine})`, () => {
    it("018 down keeps logins and their tokens, forgetting only how to renew them", async () => {
      const user = { mxid: "@alice:hs", gitter_user_id: "u1", gitter_username: "alice", token_ciphertext: "v1:sealed" };
      await rollBack(
        await fresh("rollback_018"),
        "018_login_refresh",
        (db) => db("users").insert({ ...user, refresh_token_ciphertext: "v1:refresh", token_expires_at: 5 }).then(() => undefined),
        async (db) => {
          assert.deepEqual(await db("users").select(Object.keys(user)), [user]);
          assert.equal(await db.schema.hasColumn("users", "refresh_token_ciphertext"), false);
          assert.equal(await db.schema.hasColumn("pending_logins", "token_expires_at"), false);
        },
      );
    });

    it("017 down drops closed portals, so the older code does not resume a room its user left", async () => {
      const portal = { mxid: "@alice:hs", one_to_one: false };
      await rollBack(
        await fresh("rollback_017"),
        "017_portal_closed",
        (db) => db("portals").insert([
          { ...portal, gitter_room_id: "open", matrix_room_id: "!open:hs", closed_at: null },
          { ...portal, gitter_room_id: "left", matrix_room_id: "!left:hs", closed_at: 5 },
        ]).then(() => undefined),
        async (db) => assert.deepEqual(await db("portals").pluck("gitter_room_id"), ["open"]),
      );
    });

    it("015 down keeps every shared file served: one row per file, its first share's", async () => {
      const share = { server_name: "hs", message_event_id: "$m", mxid: "@alice:hs", mimetype: "image/png" };
      await rollBack(
        await fresh("rollback_015"),
        "015_media_shares",
        (db) => db("media_shares").insert([
          { ...share, media_id: "twice", matrix_event_id: "$b", matrix_room_id: "!later:hs", filename: "b.png", shared_at: 9 },
          { ...share, media_id: "twice", matrix_event_id: "$a", matrix_room_id: "!first:hs", filename: "a.png", shared_at: 3 },
          { ...share, media_id: "once", matrix_event_id: "$c", matrix_room_id: "!room:hs", filename: "c.png", shared_at: 4, mimetype: null },
        ]).then(() => undefined),
        async (db) => {
          const rows = await db("shared_media").select("server_name", "media_id", "filename", "mimetype", "matrix_room_id", "shared_at").orderBy("media_id");
          assert.deepEqual(rows.map((r: Record<string, unknown>) => ({ ...r, shared_at: Number(r.shared_at) })), [
            { server_name: "hs", media_id: "once", filename: "c.png", mimetype: null, matrix_room_id: "!room:hs", shared_at: 4 },
            { server_name: "hs", media_id: "twice", filename: "a.png", mimetype: "image/png", matrix_room_id: "!first:hs", shared_at: 3 },
          ]);
        },
      );
    });
  });
}
