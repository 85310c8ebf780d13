// Migration 015 on a database that already holds shared files (SQLite; the PostgreSQL contract run covers the
// schema): each keeps being served, now owned by the portal's owner so their logout withdraws it; one whose portal
// is gone has nobody left to withdraw it and is not carried over.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { MIGRATIONS } from "../../migrations";
import { openKnex, parseDatabaseUrl } from "../../src/store/connection";
import { openStore } from "../../src/store/knex-store";
import { configureLogging } from "../../src/util/log";

configureLogging({ level: "warn" });

describe("shared files across the upgrade to per-event shares", () => {
  let dir: string;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "store-media-upgrade-"));
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("keeps a file shared from a portal, owned by its owner, and drops one whose portal is gone", async () => {
    const file = path.join(dir, "upgrade.db");
    const before015 = MIGRATIONS.findIndex((m) => m.name === "015_media_shares");
    await (await openStore(file, MIGRATIONS.slice(0, before015))).close();
    const db = openKnex(parseDatabaseUrl(file));
    try {
      await db("portals").insert({ mxid: "@alice:hs", gitter_room_id: "g1", matrix_room_id: "!portal:hs", one_to_one: false });
      const row = { server_name: "hs", filename: "a.png", mimetype: "image/png", shared_at: 7 };
      await db("shared_media").insert([
        { ...row, media_id: "kept", matrix_room_id: "!portal:hs" },
        { ...row, media_id: "orphan", matrix_room_id: "!closed:hs" },
      ]);
    } finally {
      await db.destroy();
    }
    const store = await openStore(file);
    try {
      assert.deepEqual(await store.media.getMedia("hs", "kept"), {
        serverName: "hs", mediaId: "kept", filename: "a.png", mimetype: "image/png", matrixRoomId: "!portal:hs",
        matrixEventId: "", messageEventId: "", mxid: "@alice:hs", sharedAt: 7,
      });
      assert.equal(await store.media.getMedia("hs", "orphan"), null);
      assert.equal(await store.media.unshareEvent("!portal:hs", ""), 0);
      assert.equal(await store.media.unshareUser("@alice:hs"), 1);
      assert.equal(await store.media.getMedia("hs", "kept"), null);
    } finally {
      await store.close();
    }
  });
});
