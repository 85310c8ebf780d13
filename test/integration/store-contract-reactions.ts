// Contract section for bridged reactions (reaction_links): each user's reaction to a message is one row, found by
// what it is and by its Matrix event, kept (inactive) once removed, with its removals counted once each.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ReactionKey } from "../../src/store/store";
import { uniq, type ContractContext } from "./store-contract-util";

export function reactionsContract(ctx: ContractContext): void {
  describe("reactions", () => {
    const key = (): ReactionKey => {
      const u = uniq();
      return { matrixRoomId: `!r-${u}:example.org`, messageId: `post${u}`, userId: `user${u}`, reaction: "thumbsup" };
    };

    it("finds a recorded reaction by what it is and by its Matrix event", async () => {
      const k = key();
      const store = ctx.store().reactions;
      assert.equal(await store.getReaction(k), null);
      await store.recordReaction(k, `$e-${k.messageId}`, "gitter-to-matrix");
      const expected = { ...k, matrixEventId: `$e-${k.messageId}`, direction: "gitter-to-matrix", active: true, removals: 0 };
      assert.deepEqual(await store.getReaction(k), expected);
      assert.deepEqual(await store.reactionByMatrixEvent(`$e-${k.messageId}`), expected);
      assert.equal(await store.getReaction({ ...k, reaction: "heart" }), null, "another reaction of the same user is another row");
      assert.equal(await store.getReaction({ ...k, userId: "someone-else" }), null);
    });

    it("counts a removal once, keeps the row, and takes the reaction back with a new event", async () => {
      const k = key();
      const store = ctx.store().reactions;
      assert.equal(await store.removeReaction(k), false, "nothing to remove");
      await store.recordReaction(k, "$first", "matrix-to-gitter");
      assert.equal(await store.removeReaction(k), true);
      assert.equal(await store.removeReaction(k), false, "a replayed removal changes nothing");
      assert.deepEqual(await store.reactionByMatrixEvent("$first"), { ...k, matrixEventId: "$first", direction: "matrix-to-gitter", active: false, removals: 1 });
      await store.recordReaction(k, `$again-${k.messageId}`, "gitter-to-matrix");
      assert.deepEqual(await store.getReaction(k), { ...k, matrixEventId: `$again-${k.messageId}`, direction: "gitter-to-matrix", active: true, removals: 1 });
      assert.equal(await store.reactionByMatrixEvent("$first"), null, "the row now stands for the new event");
    });

    it("keeps reactions across a second handle on the same database", async () => {
      const k = key();
      await ctx.store().reactions.recordReaction(k, `$kept-${k.messageId}`, "gitter-to-matrix");
      const other = await ctx.open();
      try {
        assert.equal((await other.reactions.getReaction(k))?.matrixEventId, `$kept-${k.messageId}`);
      } finally {
        await other.close();
      }
    });
  });
}
