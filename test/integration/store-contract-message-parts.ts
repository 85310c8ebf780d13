// Contract section for finding a network message from any Matrix event the bridge wrote for it: its linked event,
// its file events (message_files) and the text added to it (message_added_texts), each in its own portal.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { MessageLink } from "../../src/store/store";
import { objectId, uniq, type ContractContext } from "./store-contract-util";

function fileOnly(u: string, room = `!parts-${u}:example.org`): MessageLink {
  return {
    matrixRoomId: room,
    matrixEventId: `$first-${room}`,
    gitterRoomId: `channel${u}`,
    gitterMessageId: objectId(1_650_000_000, 7),
    direction: "gitter-to-matrix",
    createdAt: 1_700_000_000_789,
    gitterThreadId: objectId(1_650_000_000, 1),
  };
}

/** Records a message shown by its files alone (linked by the first) with text added later, as a portal does. */
async function recordFileOnly(ctx: ContractContext, l: MessageLink): Promise<{ second: string; text: string }> {
  const messages = ctx.store().messages;
  const second = `$second-${l.matrixRoomId}`;
  await messages.recordFiles(l.matrixRoomId, l.gitterMessageId, [l.matrixEventId, second]);
  await messages.recordMessage(l);
  const text = `$text-${l.matrixRoomId}`;
  await messages.recordAddedText(l.matrixRoomId, l.gitterMessageId, text);
  return { second, text };
}

export function messagePartsContract(ctx: ContractContext): void {
  describe("the message of a Matrix event", () => {
    it("finds the message from its linked event, any of its file events and its added text", async () => {
      const l = fileOnly(uniq());
      const { second, text } = await recordFileOnly(ctx, l);
      for (const eventId of [l.matrixEventId, second, text]) {
        assert.deepEqual(await ctx.store().messages.messageOfMatrixEvent(eventId), l, eventId);
      }
      assert.equal(await ctx.store().messages.messageOfMatrixEvent(`$unknown-${l.matrixRoomId}`), null);
    });

    it("leaves byMatrixEvent to the linked event alone", async () => {
      const l = fileOnly(uniq());
      const { second, text } = await recordFileOnly(ctx, l);
      assert.deepEqual(await ctx.store().messages.byMatrixEvent(l.matrixEventId), l);
      assert.equal(await ctx.store().messages.byMatrixEvent(second), null);
      assert.equal(await ctx.store().messages.byMatrixEvent(text), null);
    });

    it("finds each portal's own link of a message bridged into two portals", async () => {
      const u = uniq();
      const alice = fileOnly(u, `!alice-${u}:example.org`);
      const bob = fileOnly(u, `!bob-${u}:example.org`);
      const alices = await recordFileOnly(ctx, alice);
      const bobs = await recordFileOnly(ctx, bob);
      assert.deepEqual(await ctx.store().messages.messageOfMatrixEvent(alices.second), alice);
      assert.deepEqual(await ctx.store().messages.messageOfMatrixEvent(bobs.text), bob);
    });

    it("finds nothing for files of a message not linked yet, nor once the message is forgotten", async () => {
      const u = uniq();
      const l = fileOnly(u);
      await ctx.store().messages.recordFiles(l.matrixRoomId, l.gitterMessageId, [l.matrixEventId, `$second-${u}`]);
      assert.equal(await ctx.store().messages.messageOfMatrixEvent(`$second-${u}`), null);
      await ctx.store().messages.recordMessage(l);
      await ctx.store().messages.recordAddedText(l.matrixRoomId, l.gitterMessageId, `$text-${u}`);
      assert.deepEqual(await ctx.store().messages.messageOfMatrixEvent(`$second-${u}`), l);
      await ctx.store().messages.forgetMessage(l.matrixRoomId, l.gitterMessageId);
      for (const eventId of [l.matrixEventId, `$second-${u}`, `$text-${u}`]) {
        assert.equal(await ctx.store().messages.messageOfMatrixEvent(eventId), null, eventId);
      }
    });
  });
}
