// Typing both ways over Mattermost: the Mattermost client against its emulator (which types as anyone through its
// control API), a real SQLite store and the stub homeserver. Someone typing on Mattermost is their ghost typing in
// the portal (not the owner's own ghost); the owner typing in the portal, pushed by the homeserver as an ephemeral
// m.typing to the appservice API (never recorded in the inbox), is the owner typing on Mattermost, where bob sees it.
import assert from "node:assert/strict";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { createAppserviceApp } from "../../src/matrix/appservice";
import type { NetworkClient } from "../../src/network/connector";
import type { NetworkEvent, RealtimeListener, RealtimeStream } from "../../src/network/realtime";
import type { SessionContext } from "../../src/puppet/session-context";
import { OwnerTyping } from "../../src/puppet/typing";
import type { Store } from "../../src/store/store";
import type { HomeserverStub } from "../harness/hs-stub";
import { BOB, type MmApi } from "./mm-emulator-helpers";
import { MXID, PORTAL, startMmPortal, type MmPortalSetup } from "./mm-portal-setup";
import { waitFor } from "./network-contract";

const HS_TOKEN = "hs-token-typing-0123456789";

describe("typing over Mattermost", { timeout: 60_000 }, () => {
  let setup: MmPortalSetup | undefined;
  let mm: MmApi;
  let hs: HomeserverStub;
  let store: Store;
  let network: NetworkClient;
  let ctx: SessionContext;
  let roomId: string;
  let appservice: Server;
  let asUrl: string;
  let listener: RealtimeListener;
  let bob: RealtimeStream | undefined;
  /** What bob's own stream reports. */
  const bobSees: NetworkEvent[] = [];

  before(async () => {
    setup = await startMmPortal({ name: "portal-typing" });
    ({ mm, hs, store, network, ctx, roomId, listener } = setup);
    const bobStream = (bob = (await setup.connector.connect(BOB)).realtime());
    bobStream.watch(roomId, null);
    bobStream.start({ event: (e) => void bobSees.push(e), state: () => undefined, mayHaveLost: () => undefined });
    await waitFor("bob connected", () => bobStream.state === "connected");
    // The bridge's wiring (src/servers.ts): the appservice API hands m.typing to the owners' typing.
    const typing = new OwnerTyping({ store, sessionOf: (mxid) => (mxid === MXID ? { ctx } : undefined) });
    const app = createAppserviceApp({ hsToken: HS_TOKEN, inbox: store.inbox, isOurUser: (id) => ctx.ids.isOurs(id), onTyping: (events) => typing.onEvents(events) });
    appservice = await new Promise((resolve) => {
      const s = app.listen(0, "127.0.0.1", () => resolve(s));
    });
    asUrl = `http://127.0.0.1:${(appservice.address() as AddressInfo).port}`;
  });
  after(async () => {
    bob?.stop();
    await new Promise((resolve) => appservice?.close(resolve));
    await setup?.stop();
  });

  it("shows someone typing on Mattermost as their ghost typing in the portal, and not the owner's ghost", async () => {
    await mm.control("POST", "/posts", { as: "bob", channel: roomId, message: "bob is here" });
    await waitFor("bob's message bridged", () => hs.sends.some((s) => s.content.body === "bob is here"));
    await mm.control("POST", "/typing", { as: "bob", channel: roomId });
    await waitFor("bob's ghost typing", () => hs.typings.length > 0);
    assert.deepEqual(hs.typings, [{ roomId: PORTAL, userId: "@mattermost_bob:example.org", typing: true, timeout: 6_000 }]);
    // Mattermost does not send the typist their own typing; a network that did must not show the owner's ghost
    // (which exists: the owner posted from another client).
    await mm.control("POST", "/posts", { as: "alice", channel: roomId, message: "alice elsewhere" });
    await waitFor("alice's message bridged", () => hs.sends.some((s) => s.content.body === "alice elsewhere" && s.userId === "@mattermost_alice:example.org"));
    listener.event({ type: "typing", roomId, userId: network.self.id, typing: true });
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(hs.typings.length, 1);
  });

  it("tells Mattermost the owner is typing in the portal, and records nothing in the inbox", async () => {
    const typingIn = (room: string, users: string[]) => ({ type: "m.typing", room_id: room, content: { user_ids: users } });
    await hs.pushTransaction(asUrl, HS_TOKEN, [], [typingIn("!elsewhere:example.org", [MXID]), typingIn(PORTAL, [MXID, "@mattermost_bob:example.org"])]);
    const alice = network.self.id;
    await waitFor("alice typing, as bob sees it", () => bobSees.some((e) => e.type === "typing" && e.userId === alice && e.roomId === roomId));
    await hs.pushTransaction(asUrl, HS_TOKEN, [], [typingIn(PORTAL, [])]);
    assert.equal(await store.inbox.countPending(), 0);
  });
});
