// Gitter messages into Matrix as the portals now take them, as network messages: the bridge process runs as an
// operator runs it, against the Gitter emulator and a no-op homeserver that records each send and its transaction
// id. Mentions Gitter resolved become pills (and only those), a status message an emote without its author's name,
// a thread reply joins its root's thread, and an edit is sent under `g2m-<id>-v<v>`, Gitter's version of the message:
// the transaction ids a replay after a crash relies on are the ones the bridge has always used.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Portal } from "../../src/store/store";
import { configureLogging } from "../../src/util/log";
import type { StubSend } from "../harness/hs-stub";
import { openSeeder } from "../harness/seed";
import { eventually } from "../harness/stack";
import { firstPortal, startStubStack, type StubStack } from "../harness/stub-stack";

configureLogging({ level: "warn" });

const ALICE = "@alice:localhost";
const BOB_GHOST = "@gitter_bob:localhost";
const TOKEN = "e".repeat(40);

describe("network messages into Matrix", { timeout: 120_000 }, () => {
  let stack: StubStack;

  before(async () => {
    stack = await startStubStack({
      name: "portal-network-messages",
      fixture: {
        users: [{ username: "alice" }, { username: "bob" }],
        rooms: [{ uri: "messages/room", members: ["alice", "bob"] }],
        tokens: [{ user: "alice", clientId: "portal-network-messages-client", token: TOKEN }],
      },
      logins: [{ mxid: ALICE, username: "alice", token: TOKEN }],
      waitConnected: true,
    });
  });
  after(async () => {
    await stack?.stop();
  });

  /** The transaction id of every message send, in order. */
  const txnIds = () =>
    stack.hs.requests.flatMap((r) => {
      const m = /^PUT \/_matrix\/client\/v3\/rooms\/[^/]+\/send\/m\.room\.message\/(.+)$/.exec(r);
      return m ? [decodeURIComponent(m[1])] : [];
    });
  const sent = (body: string) => eventually(() => stack.hs.sends.find((s) => s.content.body === body), `"${body}" in Matrix`);
  const replaces = (): StubSend[] => stack.hs.sends.filter((s) => (s.content["m.relates_to"] as { rel_type?: string } | undefined)?.rel_type === "m.replace");

  const portal = (): Promise<Portal> => firstPortal(stack.dir, ALICE);

  it("bridges mentions, emotes, thread replies and edits under the transaction ids of before", async () => {
    await eventually(() => (stack.hs.counts.get("createRoom") ?? 0) === 1, "the portal created");
    const room = (await portal()).gitterRoomId;
    const { state } = stack.emulator;
    const bob = state.findUserByName("bob")!.id;

    const root = state.postMessage(bob, room, { text: "hi @alice and @nobody" });
    const rootSend = await sent("hi @alice and @nobody");
    assert.equal(rootSend.userId, BOB_GHOST);
    assert.deepEqual(rootSend.content["m.mentions"], { user_ids: [ALICE] }, "only the mention Gitter resolved is a pill");
    assert.match(String(rootSend.content.formatted_body), /href="https:\/\/matrix\.to\/#\/@alice:localhost"/);
    assert.doesNotMatch(String(rootSend.content.formatted_body), /matrix\.to\/#\/@gitter_nobody/);

    const status = state.postMessage(bob, room, { text: "@bob waves", status: true });
    const emote = await sent("waves");
    assert.equal(emote.content.msgtype, "m.emote");

    const reply = state.postMessage(bob, room, { text: "in the thread", parentId: root.id });
    const replySend = await sent("in the thread");
    assert.equal((replySend.content["m.relates_to"] as { rel_type?: string }).rel_type, "m.thread");

    state.editMessage(bob, room, root.id, "hi @alice, edited");
    await eventually(() => replaces().length === 1, "the edit in Matrix");
    assert.equal(root.v, 3, "the reply raised the root's version once, the edit once more");
    assert.equal((replaces()[0].content["m.new_content"] as { body?: string }).body, "hi @alice, edited");
    assert.equal(await stack.bridge.stop(), 0);

    const { store } = await openSeeder(stack.dir);
    const [rootLink, replyLink] = [await store.messages.byGitterMessage(rootSend.roomId, root.id), await store.messages.byGitterMessage(rootSend.roomId, reply.id)];
    const cursor = (await store.portals.listPortals(ALICE))[0]?.lastGitterMessageId;
    await store.close();
    assert.equal((replySend.content["m.relates_to"] as { event_id?: string }).event_id, rootLink?.matrixEventId, "the reply is in its root's thread");
    assert.equal(replyLink?.gitterThreadId, root.id);
    assert.equal(cursor, reply.id, "the portal's cursor is the last message's");
    const messages = [`g2m-${root.id}`, `g2m-${status.id}`, `g2m-${reply.id}`, `g2m-${root.id}-v3`];
    assert.deepEqual(txnIds().filter((t) => t.startsWith("g2m-")), messages);
  });
});
