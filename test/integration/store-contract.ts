// The behaviour every Store engine must share. Engine test files call registerStoreContract with a factory
// that opens (or reopens) one and the same database, so the suite can also close and reopen it, and open a
// second handle to play a second bridge process. Tests use unique ids, so they never depend on one another.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { MIGRATIONS } from "../../migrations";
import { openKnex, parseDatabaseUrl } from "../../src/store/connection";
import type { Store } from "../../src/store/store";
import { drainInbox, objectId, uniq, type ContractContext } from "./store-contract-util";
import { identityContract } from "./store-contract-identity";
import { inboxContract } from "./store-contract-inbox";
import { messagePartsContract } from "./store-contract-message-parts";
import { reactionsContract } from "./store-contract-reactions";
import { roomsContract } from "./store-contract-rooms";
import { sendsContract } from "./store-contract-sends";
import { textContract } from "./store-contract-text";

/** `databaseUrl` names the database `open` opens (read when the tests run, not when they are registered). */
export function registerStoreContract(engine: string, open: () => Promise<Store>, databaseUrl: () => string): void {
  describe(`Store contract (${engine})`, () => {
    let current: Store;
    const rawRows = async (table: string) => {
      const db = openKnex(parseDatabaseUrl(databaseUrl()));
      return (await db(table).select("*").finally(() => db.destroy())) as Record<string, unknown>[];
    };
    const ctx: ContractContext = { store: () => current, open, rawRows };
    before(async () => {
      current = await open();
    });
    after(async () => {
      await current.close();
    });

    it("reports every known migration as applied", async () => {
      const status = await current.migrationStatus();
      assert.deepEqual(status, { current: true, applied: MIGRATIONS.map((m) => m.name), pending: [] });
    });

    identityContract(ctx);
    roomsContract(ctx);
    messagePartsContract(ctx);
    inboxContract(ctx);
    sendsContract(ctx);
    textContract(ctx);
    reactionsContract(ctx);

    it("keeps data, used states and processed flags across a close and reopen", async () => {
      const u = uniq();
      const mxid = `@restart-${u}:example.org`;
      const before = current;
      await before.users.setLogin(mxid, { gitterUserId: `g${u}`, gitterUsername: `r${u}`, tokenCiphertext: "v1:x" });
      await before.users.setControlRoom(mxid, `!ctl-${u}:example.org`);
      await before.oauthStates.createState(`used-${u}`, mxid, Date.now() + 60_000);
      await before.oauthStates.createState(`fresh-${u}`, mxid, Date.now() + 60_000);
      assert.equal((await before.oauthStates.consumeState(`used-${u}`, Date.now())).ok, true);
      const portal = {
        mxid,
        gitterRoomId: `room${u}`,
        matrixRoomId: `!p-${u}:example.org`,
        oneToOne: true,
        lastGitterMessageId: null,
        bridgeInfoHash: "f".repeat(64),
      };
      await before.portals.putPortal(portal);
      await before.portals.advanceCursor(mxid, portal.gitterRoomId, objectId(1_600_000_000));
      await before.ghosts.putGhost({ gitterUserId: `gh${u}`, username: "g", displayName: "G", avatarUrl: null, avatarMxc: "mxc://x/y" });
      await before.refusals.refuseRoom(`!refused-${u}:example.org`, "not allowed");
      await drainInbox(before);
      assert.equal(await before.inbox.acceptTransaction(`txn-${u}`, [{ event_id: `$a-${u}` }, { event_id: `$b-${u}` }], 1), true);
      const [first] = await before.inbox.pendingEvents(1);
      await before.inbox.markProcessed(first!.seq);
      await before.messages.recordMessage({
        matrixRoomId: portal.matrixRoomId,
        matrixEventId: `$m-${u}`,
        gitterRoomId: portal.gitterRoomId,
        gitterMessageId: objectId(1_600_000_000),
        direction: "gitter-to-matrix",
        createdAt: 1_700_000_000_123,
      });
      await before.close();

      current = await open();
      const after = current;
      assert.equal((await after.users.getUser(mxid))?.tokenCiphertext, "v1:x");
      assert.equal((await after.users.getUserByControlRoom(`!ctl-${u}:example.org`))?.mxid, mxid);
      assert.deepEqual(await after.oauthStates.consumeState(`used-${u}`, Date.now()), { ok: false, reason: "used" });
      assert.deepEqual(await after.oauthStates.consumeState(`fresh-${u}`, Date.now()), { ok: true, mxid });
      assert.deepEqual(await after.portals.getPortal(mxid, portal.gitterRoomId), {
        ...portal,
        lastGitterMessageId: objectId(1_600_000_000),
      });
      assert.equal((await after.ghosts.getGhost(`gh${u}`))?.avatarMxc, "mxc://x/y");
      assert.equal(await after.refusals.isRefused(`!refused-${u}:example.org`), true);
      const pending = await after.inbox.pendingEvents(10);
      assert.deepEqual(
        pending.map((e) => e.event.event_id),
        [`$b-${u}`],
      );
      assert.equal(await after.inbox.countPending(), 1);
      assert.equal(await after.inbox.acceptTransaction(`txn-${u}`, [{ event_id: `$a-${u}` }], 2), false, "a replay after the restart");
      assert.equal((await after.messages.byMatrixEvent(`$m-${u}`))?.createdAt, 1_700_000_000_123);
      assert.deepEqual((await after.migrationStatus()).pending, []);
    });
  });
}
