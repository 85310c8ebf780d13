// Contract section for send intents: written before a message is posted to Gitter, completed together with its
// message link, and found again by a later process when it was not.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { MessageLink, SendIntent } from "../../src/store/store";
import { objectId, uniq, type ContractContext } from "./store-contract-util";

function intent(u: string, overrides: Partial<SendIntent> = {}): SendIntent {
  return {
    matrixEventId: `$send-${u}`,
    mxid: `@sender-${u}:example.org`,
    matrixRoomId: `!portal-${u}:example.org`,
    gitterRoomId: `groom${u}`,
    text: "hello *there* ✓ 🎉",
    status: false,
    parentId: null,
    // Beyond 32 bits, so an engine that truncates times is caught.
    createdAt: 1_700_000_000_789,
    ...overrides,
  };
}

function linkFor(i: SendIntent, gitterMessageId = objectId(1_700_000_000, 7)): MessageLink {
  return {
    matrixRoomId: i.matrixRoomId,
    matrixEventId: i.matrixEventId,
    gitterRoomId: i.gitterRoomId,
    gitterMessageId,
    direction: "matrix-to-gitter",
    createdAt: i.createdAt + 10,
  };
}

export function sendsContract(ctx: ContractContext): void {
  describe("send intents", () => {
    it("records an intent and finds it by event, by user and by room", async () => {
      const u = uniq();
      const a = intent(u, { status: true, parentId: objectId(1_699_999_999, 1) });
      assert.equal(await ctx.store().pendingSends.getIntent(a.matrixEventId), null);
      await ctx.store().pendingSends.putIntent(a);
      assert.deepEqual(await ctx.store().pendingSends.getIntent(a.matrixEventId), a);
      assert.deepEqual(await ctx.store().pendingSends.listIntents(a.mxid), [a]);
      assert.deepEqual(await ctx.store().pendingSends.listIntentsInRoom(a.matrixRoomId), [a]);
      assert.deepEqual(await ctx.store().pendingSends.listIntents(`@nobody-${u}:example.org`), []);
    });

    it("keeps an intent's uploaded files, in order", async () => {
      const a = intent(uniq(), { fileIds: ["f".repeat(26), "a".repeat(26)] });
      await ctx.store().pendingSends.putIntent(a);
      assert.deepEqual(await ctx.store().pendingSends.getIntent(a.matrixEventId), a);
      assert.deepEqual(await ctx.store().pendingSends.listIntentsInRoom(a.matrixRoomId), [a]);
    });

    it("keeps the first intent of an event, with its earlier time", async () => {
      const a = intent(uniq());
      await ctx.store().pendingSends.putIntent(a);
      await ctx.store().pendingSends.putIntent({ ...a, createdAt: a.createdAt + 1000, text: "changed" });
      assert.deepEqual(await ctx.store().pendingSends.getIntent(a.matrixEventId), a);
    });

    it("lists a user's intents oldest first, across rooms", async () => {
      const u = uniq();
      const mxid = `@many-${u}:example.org`;
      const late = intent(`${u}a`, { mxid, createdAt: 3000 });
      const early = intent(`${u}b`, { mxid, createdAt: 1000 });
      const other = intent(`${u}c`, { mxid, matrixRoomId: late.matrixRoomId, createdAt: 2000 });
      for (const i of [late, early, other]) await ctx.store().pendingSends.putIntent(i);
      assert.deepEqual(
        (await ctx.store().pendingSends.listIntents(mxid)).map((i) => i.matrixEventId),
        [early, other, late].map((i) => i.matrixEventId),
      );
      assert.deepEqual(
        (await ctx.store().pendingSends.listIntentsInRoom(late.matrixRoomId)).map((i) => i.matrixEventId),
        [other, late].map((i) => i.matrixEventId),
      );
    });

    it("completes an intent by recording its link and removing it together", async () => {
      const a = intent(uniq());
      await ctx.store().pendingSends.putIntent(a);
      await ctx.store().pendingSends.completeIntent(linkFor(a));
      assert.equal(await ctx.store().pendingSends.getIntent(a.matrixEventId), null);
      assert.deepEqual(await ctx.store().messages.byMatrixEvent(a.matrixEventId), linkFor(a));
      // Completing again (a retried step after a crash) changes nothing, and the first link stays.
      await ctx.store().pendingSends.completeIntent(linkFor(a, objectId(1_700_000_001, 8)));
      assert.deepEqual(await ctx.store().messages.byMatrixEvent(a.matrixEventId), linkFor(a));
    });

    it("removes the intent even when the link was already recorded", async () => {
      const a = intent(uniq());
      await ctx.store().pendingSends.putIntent(a);
      await ctx.store().messages.recordMessage(linkFor(a));
      await ctx.store().pendingSends.completeIntent(linkFor(a));
      assert.equal(await ctx.store().pendingSends.getIntent(a.matrixEventId), null);
    });

    it("drops an intent, harmlessly when there is none", async () => {
      const a = intent(uniq());
      await ctx.store().pendingSends.putIntent(a);
      await ctx.store().pendingSends.dropIntent(a.matrixEventId);
      await ctx.store().pendingSends.dropIntent(a.matrixEventId);
      assert.equal(await ctx.store().pendingSends.getIntent(a.matrixEventId), null);
      assert.equal(await ctx.store().messages.byMatrixEvent(a.matrixEventId), null);
    });

    it("shows an intent written by one process to another", async () => {
      const a = intent(uniq());
      await ctx.store().pendingSends.putIntent(a);
      const second = await ctx.open();
      try {
        assert.deepEqual(await second.pendingSends.getIntent(a.matrixEventId), a);
        await second.pendingSends.completeIntent(linkFor(a));
      } finally {
        await second.close();
      }
      assert.equal(await ctx.store().pendingSends.getIntent(a.matrixEventId), null);
    });
  });
}
