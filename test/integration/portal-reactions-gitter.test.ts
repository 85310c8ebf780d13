// On Gitter, which has no reactions nor typing, nothing changes: the bridge process, against the Gitter emulator
// and the stub homeserver, takes the owner's Matrix reaction to a bridged message, and its redaction, and their
// typing in a portal, without a request to Gitter and without a notice, as before either was bridged anywhere.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Portal } from "../../src/store/store";
import { configureLogging } from "../../src/util/log";
import { openSeeder } from "../harness/seed";
import { eventually } from "../harness/stack";
import { firstPortal, startStubStack, type StubStack } from "../harness/stub-stack";

configureLogging({ level: "warn" });

const ALICE = "@alice:localhost";
const TOKEN = "d".repeat(40);

describe("reactions on Gitter", { timeout: 120_000 }, () => {
  let stack: StubStack;
  /** Requests the bridge made to Gitter's REST API (its realtime connection left out). */
  const gitterRequests: string[] = [];

  before(async () => {
    stack = await startStubStack({
      name: "portal-reactions-gitter",
      fixture: {
        users: [{ username: "alice" }, { username: "bob" }],
        rooms: [{ uri: "reactions/room", members: ["alice", "bob"] }],
        tokens: [{ user: "alice", clientId: "portal-reactions-gitter-client", token: TOKEN }],
      },
      logins: [{ mxid: ALICE, username: "alice", token: TOKEN }],
      waitConnected: true,
    });
    stack.emulator.server.on("request", (req: { method?: string; url?: string }) => {
      if (!(req.url ?? "").includes("bayeux")) gitterRequests.push(`${req.method} ${req.url}`);
    });
  });
  after(async () => {
    await stack?.stop();
  });

  const portal = (): Promise<Portal> => firstPortal(stack.dir, ALICE);

  it("calls nothing on Gitter and says nothing for the owner's reaction and its redaction", async () => {
    await eventually(() => (stack.hs.counts.get("createRoom") ?? 0) === 1, "the portal created");
    const row = await portal();
    const { state } = stack.emulator;
    state.postMessage(state.findUserByName("bob")!.id, row.gitterRoomId, { text: "react to me" });
    const bridged = await eventually(() => stack.hs.sends.find((s) => s.content.body === "react to me"), "the message in Matrix");
    const { store } = await openSeeder(stack.dir);
    const link = await eventually(async () => (await store.messages.byGitterMessage(row.matrixRoomId, state.chat.allMessages().find((m) => m.text === "react to me")!.id)) ?? undefined, "its link");
    await store.close();
    assert.equal(bridged.roomId, row.matrixRoomId);

    const sendsBefore = stack.hs.sends.length;
    gitterRequests.length = 0;
    const event = (id: string, type: string, content: Record<string, unknown>, extra = {}) => ({ event_id: id, room_id: row.matrixRoomId, sender: ALICE, type, content, ...extra });
    await stack.push([
      event("$heart", "m.reaction", { "m.relates_to": { rel_type: "m.annotation", event_id: link.matrixEventId, key: "\u2764\uFE0F" } }),
      event("$unheart", "m.room.redaction", {}, { redacts: "$heart" }),
      event("$after", "m.room.message", { msgtype: "m.text", body: "after the reaction" }),
    ]);
    await eventually(() => state.chat.allMessages().some((m) => m.text === "after the reaction"), "the message after it on Gitter");
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(gitterRequests.filter((r) => !/^POST \/(?:api\/)?v1\/rooms\/[^/]+\/chatMessages/.test(r)), [], "only the message went to Gitter");
    assert.deepEqual(stack.hs.sends.slice(sendsBefore).filter((s) => s.content.msgtype === "m.notice").map((s) => s.content.body), [], "no notice");
  });

  it("calls nothing on Gitter for the owner's typing in a portal", async () => {
    const row = await portal();
    gitterRequests.length = 0;
    await stack.push([], [{ type: "m.typing", room_id: row.matrixRoomId, content: { user_ids: [ALICE] } }]);
    await stack.push([], [{ type: "m.typing", room_id: row.matrixRoomId, content: { user_ids: [] } }]);
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(gitterRequests, []);
    assert.deepEqual(stack.hs.typings, []);
  });
});
