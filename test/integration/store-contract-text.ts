// Contract section for odd text from outside (Matrix users, Gitter profiles, anyone calling the login URL): every
// engine must keep or refuse it the same way. PostgreSQL cannot hold U+0000 in text and refuses a value wider
// than its column, where SQLite keeps both, so these are the cases that differ unless the store evens them out.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { uniq, type ContractContext } from "./store-contract-util";

export function textContract(ctx: ContractContext): void {
  describe("text any engine can keep", () => {
    it("keeps a send intent whose text holds U+0000, without that character", async () => {
      const u = uniq();
      const long = "long ✓ 🎉 ".repeat(2_000);
      const intent = {
        matrixEventId: `$nul-${u}`,
        mxid: `@nul-${u}:example.org`,
        matrixRoomId: `!nul-${u}:example.org`,
        gitterRoomId: `groom${u}`,
        text: `before\u0000after ${long}`,
        status: false,
        parentId: null,
        createdAt: 1_700_000_000_789,
      };
      await ctx.store().pendingSends.putIntent(intent);
      assert.deepEqual(await ctx.store().pendingSends.getIntent(intent.matrixEventId), { ...intent, text: `beforeafter ${long}` });
    });

    it("keeps a ghost whose profile holds U+0000, without that character", async () => {
      const id = `g${uniq()}`;
      await ctx.store().ghosts.putGhost({ gitterUserId: id, username: "nul", displayName: "Nul\u0000 Person", avatarUrl: "https://a/\u0000b.png", avatarMxc: null });
      assert.deepEqual(await ctx.store().ghosts.getGhost(id), {
        gitterUserId: id, username: "nul", displayName: "Nul Person", avatarUrl: "https://a/b.png", avatarMxc: null,
      });
    });

    it("refuses a room with a reason holding U+0000", async () => {
      const room = `!nul-${uniq()}:example.org`;
      await ctx.store().refusals.refuseRoom(room, "odd\u0000reason");
      assert.equal(await ctx.store().refusals.isRefused(room), true);
    });

    it("reports a login state holding U+0000 as unknown, leaving the real one usable", async () => {
      const u = uniq();
      const state = `nul-${u}`;
      await ctx.store().oauthStates.createState(state, `@nul-${u}:example.org`, Date.now() + 60_000);
      assert.deepEqual(await ctx.store().oauthStates.consumeState(`${state}\u0000`, Date.now()), { ok: false, reason: "unknown" });
      assert.deepEqual(await ctx.store().oauthStates.consumeState(`\u0000`, Date.now()), { ok: false, reason: "unknown" });
      assert.equal((await ctx.store().oauthStates.consumeState(state, Date.now())).ok, true);
    });

    it("cuts a shared file's name to 255 whole characters and drops a mimetype that cannot be one", async () => {
      const u = uniq();
      const base = {
        serverName: "example.org", matrixRoomId: `!media-${u}:example.org`, matrixEventId: `$e${u}`, messageEventId: `$e${u}`,
        mxid: `@m${u}:example.org`, sharedAt: 1_700_000_000_789,
      };
      // 254 letters then emoji: the cut must fall between two characters, not inside the emoji's surrogate pair.
      const name = `${"n".repeat(254)}🎉🎉🎉.png`;
      await ctx.store().media.recordMedia({ ...base, mediaId: `long${u}`, filename: name, mimetype: `image/${"x".repeat(300)}` });
      assert.deepEqual(await ctx.store().media.getMedia(base.serverName, `long${u}`), {
        ...base, mediaId: `long${u}`, filename: `${"n".repeat(254)}🎉`, mimetype: null,
      });
      await ctx.store().media.recordMedia({ ...base, mediaId: `ctl${u}`, filename: "a\u0000b.txt", mimetype: "text/plain\u0000" });
      assert.deepEqual(await ctx.store().media.getMedia(base.serverName, `ctl${u}`), {
        ...base, mediaId: `ctl${u}`, filename: "ab.txt", mimetype: null,
      });
    });
  });
}
