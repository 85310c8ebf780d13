// The hourly inbox pruning against a real SQLite store: old handled transactions go, the rest stays.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { INBOX_RETENTION_MS, startInboxPruning } from "../../src/matrix/inbox-pruning";
import { openKnex, parseDatabaseUrl } from "../../src/store/connection";
import { openStore } from "../../src/store/knex-store";
import type { Store } from "../../src/store/store";
import { drainInbox } from "./store-contract-util";

const ev = (id: string) => ({ event_id: id, room_id: "!r:x", sender: "@a:x", type: "m.room.message", content: {} });

describe("inbox pruning", () => {
  let dir: string;
  let store: Store;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "inbox-pruning-"));
    store = await openStore(`sqlite:${path.join(dir, "b.db")}`);
  });
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("forgets handled transactions older than the retention, at start and on demand", async () => {
    const day = 24 * 3600 * 1000;
    let now = 100 * day;
    await store.inbox.acceptTransaction("week-old", [ev("$1")], now - INBOX_RETENTION_MS - day);
    await store.inbox.acceptTransaction("yesterday", [ev("$2")], now - day);
    await drainInbox(store);
    await store.inbox.acceptTransaction("old-but-pending", [ev("$3")], now - INBOX_RETENTION_MS - day);
    const pruning = startInboxPruning(store.inbox, () => now);
    try {
      await pruning.pruneNow();
      assert.equal(await store.inbox.acceptTransaction("week-old", [ev("$1")], now), true, "forgotten");
      assert.equal(await store.inbox.acceptTransaction("yesterday", [ev("$2")], now), false, "still known");
      assert.equal(await store.inbox.countPending(), 2, "the pending one and the re-sent old one");
      now += INBOX_RETENTION_MS + day;
      await drainInbox(store);
      await pruning.pruneNow();
      assert.equal(await store.inbox.acceptTransaction("yesterday", [ev("$2")], now), true, "forgotten in turn");
    } finally {
      pruning.stop();
    }
  });

  it("forgets the content of events an earlier version handled and kept", async () => {
    const token = `tok-${Date.now().toString(36)}-kept`;
    const carrying = { ...ev("$kept"), content: { msgtype: "m.text", body: `login token ${token}` } };
    await store.inbox.acceptTransaction("kept", [carrying, ev("$pending")], Date.now());
    const db = openKnex(parseDatabaseUrl(path.join(dir, "b.db")));
    const kept = () => db("inbox_events").where({ event_id: "$kept" }).first("event_json", "processed");
    try {
      // As such a version marked it: processed, its JSON left as it came.
      await db("inbox_events").where({ event_id: "$kept" }).update({ processed: true });
      assert.ok(String((await kept()).event_json).includes(token));
      const pruning = startInboxPruning(store.inbox);
      await pruning.pruneNow();
      pruning.stop();
      assert.equal(String((await kept()).event_json).includes(token), false, "the token is still stored");
      const pending = (await store.inbox.pendingEvents(10)).find((p) => p.event.event_id === "$pending");
      assert.deepEqual(pending?.event, ev("$pending"), "a pending event keeps its content");
    } finally {
      await db.destroy();
    }
  });
});
