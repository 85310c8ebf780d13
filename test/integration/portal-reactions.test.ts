// Reactions both ways over Mattermost, through the session's realtime listener and a portal: the Mattermost client
// against its emulator (which reacts as anyone through its control API), a real SQLite store and the stub
// homeserver, which records what the ghosts send. A reaction on Mattermost becomes the reacting user's m.reaction
// (the owner's own, from another client, from their ghost), under a transaction id that names it, and its removal a
// redaction; the owner's Matrix reaction becomes theirs on Mattermost, and its echo is not bridged back.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { NetworkClient } from "../../src/network/connector";
import type { NetworkEvent, RealtimeListener } from "../../src/network/realtime";
import type { PortalRoom } from "../../src/puppet/portal";
import type { SessionContext } from "../../src/puppet/session-context";
import type { Store } from "../../src/store/store";
import type { HomeserverStub, StubSend } from "../harness/hs-stub";
import type { MmApi } from "./mm-emulator-helpers";
import { MXID, startMmPortal, type MmPortalSetup } from "./mm-portal-setup";
import { waitFor } from "./network-contract";

const BOB_GHOST = "@mattermost_bob:example.org";
const ALICE_GHOST = "@mattermost_alice:example.org";
const THUMBS_UP = "\u{1F44D}";

describe("reactions over Mattermost", { timeout: 60_000 }, () => {
  let setup: MmPortalSetup | undefined;
  let mm: MmApi;
  let hs: HomeserverStub;
  let store: Store;
  let network: NetworkClient;
  let ctx: SessionContext;
  let portal: PortalRoom;
  let listener: RealtimeListener;
  const notices: string[] = [];
  let roomId: string;
  /** What the stream reported, in order. */
  const events: NetworkEvent[] = [];

  before(async () => {
    setup = await startMmPortal({ name: "portal-reactions", notice: async (_room, _about, text) => void notices.push(text), onEvent: (e) => events.push(e) });
    ({ mm, hs, store, network, ctx, portal, listener, roomId } = setup);
  });
  after(async () => {
    await setup?.stop();
  });

  /** A post of bob's, bridged into Matrix: its id and its Matrix event. */
  async function bridgedPost(text: string): Promise<{ id: string; eventId: string }> {
    const { id } = await mm.control<{ id: string }>("POST", "/posts", { as: "bob", channel: roomId, message: text });
    await waitFor(`"${text}" bridged`, () => hs.sends.some((s) => s.content.body === text));
    for (let tries = 0; tries < 100; tries++) {
      const link = await store.messages.byGitterMessage(portal.matrixRoomId, id);
      if (link) return { id, eventId: link.matrixEventId };
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`"${text}" was never linked`);
  }
  const reactions = (): StubSend[] => hs.sends.filter((s) => s.type === "m.reaction");
  /** Transaction ids of the reaction sends and redactions, in order. */
  const txnIds = (kind: "send/m.reaction" | "redact") =>
    hs.requests.flatMap((r) => {
      const m = new RegExp(`^PUT /_matrix/client/v3/rooms/[^/]+/${kind}/(?:[^/]+/)?([^/]+)$`).exec(r);
      return m ? [decodeURIComponent(m[1])] : [];
    });
  const settle = () => ctx.queue.idle().then(() => new Promise((r) => setTimeout(r, 300))).then(() => ctx.queue.idle());

  it("bridges a reaction added on Mattermost from the reactor's ghost, once, and redacts it when removed", async () => {
    const post = await bridgedPost("react to me");
    const bob = mm.userId("bob");
    await mm.control("POST", "/reactions", { as: "bob", post_id: post.id, emoji_name: "thumbsup" });
    await waitFor("the reaction in Matrix", () => reactions().length === 1);
    const [sent] = reactions();
    assert.equal(sent.userId, BOB_GHOST);
    assert.deepEqual(sent.content["m.relates_to"], { rel_type: "m.annotation", event_id: post.eventId, key: THUMBS_UP });
    const first = `g2m-react-${post.id}-${bob}-thumbsup`;
    assert.deepEqual(txnIds("send/m.reaction"), [first]);

    // The same event again (a stream replaying it): shown already, nothing sent.
    listener.event({ type: "reaction", roomId, messageId: post.id, userId: bob, reaction: "thumbsup", added: true });
    await settle();
    assert.equal(reactions().length, 1);

    const shown = await store.reactions.getReaction({ matrixRoomId: portal.matrixRoomId, messageId: post.id, userId: bob, reaction: "thumbsup" });
    await mm.control("DELETE", "/reactions", { as: "bob", post_id: post.id, emoji_name: "thumbsup" });
    await waitFor("the redaction", () => txnIds("redact").length === 1);
    assert.ok(hs.requests.some((r) => r.includes(`/redact/${encodeURIComponent(shown!.matrixEventId)}/`)), "the reaction's event redacted");
    assert.deepEqual(txnIds("redact"), [`g2m-unreact-${post.id}-${bob}-thumbsup`]);

    await mm.control("POST", "/reactions", { as: "bob", post_id: post.id, emoji_name: "thumbsup" });
    await waitFor("the reaction added again", () => reactions().length === 2);
    assert.deepEqual(txnIds("send/m.reaction"), [first, `${first}-1`], "added again: a new event");
  });

  it("bridges the owner's reaction from another Mattermost client from their own ghost", async () => {
    const post = await bridgedPost("alice reacts elsewhere");
    const before = reactions().length;
    await mm.control("POST", "/reactions", { as: "alice", post_id: post.id, emoji_name: "tada" });
    await waitFor("the reaction in Matrix", () => reactions().length === before + 1);
    const sent = reactions().at(-1)!;
    assert.equal(sent.userId, ALICE_GHOST);
    assert.deepEqual(sent.content["m.relates_to"], { rel_type: "m.annotation", event_id: post.eventId, key: "\u{1F389}" });
  });

  it("sends the owner's Matrix reaction to Mattermost, not back to Matrix, and takes it back on redaction", async () => {
    const post = await bridgedPost("alice reacts in Matrix");
    const before = reactions().length;
    const redactionsBefore = txnIds("redact").length;
    const reaction = { event_id: "$alice-heart", room_id: portal.matrixRoomId, sender: MXID, type: "m.reaction" };
    await portal.fromMatrix({ ...reaction, content: { "m.relates_to": { rel_type: "m.annotation", event_id: post.eventId, key: "\u2764\uFE0F" } } });
    const mine = () => mm.emu.state.reactionsOf(post.id).filter((r) => r.user_id === network.self.id).map((r) => r.emoji_name);
    assert.deepEqual(mine(), ["heart"]);
    const echo = (added: boolean) => events.some((e) => e.type === "reaction" && e.messageId === post.id && e.userId === network.self.id && e.added === added);
    await waitFor("the echo", () => echo(true));
    await settle();
    assert.equal(reactions().length, before, "the echo is not bridged back");

    await portal.fromMatrix({ event_id: "$redact-heart", room_id: portal.matrixRoomId, sender: MXID, type: "m.room.redaction", content: { redacts: "$alice-heart" } });
    assert.deepEqual(mine(), []);
    await waitFor("the echo of the removal", () => echo(false));
    await settle();
    assert.equal(txnIds("redact").length, redactionsBefore, "the echo of the removal redacts nothing");
    assert.deepEqual(notices, []);
  });

  it("tells the owner once about a reaction Mattermost has no emoji for, and sends nothing", async () => {
    const post = await bridgedPost("a text reaction");
    await portal.fromMatrix({ event_id: "$lol", room_id: portal.matrixRoomId, sender: MXID, type: "m.reaction", content: { "m.relates_to": { rel_type: "m.annotation", event_id: post.eventId, key: "lol" } } });
    assert.deepEqual(mm.emu.state.reactionsOf(post.id), []);
    assert.deepEqual(notices, ["Your reaction lol was not sent to Mattermost: Mattermost has no emoji for it."]);
  });
});
