// The session's listener on a network stream that cannot catch up by itself: Mattermost's websocket, cut with its
// queued events forgotten, reports a Loss without `messagesCaughtUp`; the session reads the room's history from the
// portal's newest message, so the portal gets every message once and in order, and the cut shows as "backing-off".
// A stream's first connection resumes nothing: what was posted after a portal's stored cursor while no bridge
// listened (a bridge killed and started again) is caught up the same way.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { MattermostConnector } from "../../src/mattermost/network";
import type { NetworkMessage } from "../../src/network/types";
import type { PortalRoom } from "../../src/puppet/portal";
import type { RoomListFollower } from "../../src/puppet/room-list";
import type { SessionContext } from "../../src/puppet/session-context";
import { sessionListener } from "../../src/puppet/session-realtime";
import { ALICE, startMm, type MmApi } from "./mm-emulator-helpers";
import { waitFor } from "./network-contract";

let mm: MmApi;

describe("the session's realtime listener", () => {
  before(async () => {
    mm = await startMm();
    await mm.control("PUT", "/rate-limit", { enabled: false });
  });
  after(() => mm.emu.stop());

  it("catches a portal up after a loss the stream did not catch up, each message once, in order", { timeout: 30_000 }, async () => {
    const connector = new MattermostConnector({ serverUrl: mm.emu.url, websocket: { backoff: { baseMs: 400, maxMs: 800 }, pingIntervalMs: 2_000 } });
    const client = await connector.connect(ALICE);
    const room = await client.resolveRoom("acme/dev");
    const delivered: NetworkMessage[] = [];
    const row = { gitterRoomId: room.id, matrixRoomId: "!dev:example.org", oneToOne: false, lastGitterMessageId: await client.startCursor(room.id) };
    // Only what the listener touches of a portal: its row and fromNetwork (which takes each message in order).
    const portal = { row, matrixRoomId: row.matrixRoomId, fromNetwork: async (m: NetworkMessage) => void delivered.push(m) } as unknown as PortalRoom;
    const lifetime = new AbortController();
    // Only what the listener reads of a session's context on messages: the network client and the lifetime.
    const ctx = { mxid: "@alice:example.org", network: client, lifetime: lifetime.signal } as unknown as SessionContext;
    const states: string[] = [];
    const roomList = { onEvent: () => undefined } as unknown as RoomListFollower;
    const stream = client.realtime();
    stream.watch(room.id, row.lastGitterMessageId);
    stream.start(sessionListener(ctx, { portal: (id) => (id === room.id ? portal : undefined), roomList, onState: (s) => states.push(s) }));
    const post = async (text: string) => (await mm.control<{ id: string }>("POST", "/posts", { as: "bob", channel: room.id, message: text })).id;
    try {
      await waitFor("connected", () => stream.state === "connected");
      const ids = [await post("before the cut")];
      await waitFor("the first message", () => delivered.length === 1);
      await mm.control("POST", "/cut-websockets", { user: "alice", forget: true });
      for (let i = 1; i <= 8; i++) ids.push(await post(`during the cut ${i}`));
      await waitFor("reconnected", () => states.includes("backing-off") && stream.state === "connected", 15_000);
      ids.push(await post("after the cut"));
      await waitFor("every message", () => delivered.length >= ids.length, 15_000);
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.deepEqual(delivered.map((m) => m.id), ids, "each once, in order");
    } finally {
      stream.stop();
      lifetime.abort();
    }
  });

  it("catches a portal up from its stored cursor when the stream first connects, posts made meanwhile included", { timeout: 30_000 }, async () => {
    const connector = new MattermostConnector({ serverUrl: mm.emu.url });
    const client = await connector.connect(ALICE);
    const room = await client.resolveRoom("acme/dev");
    const row = { gitterRoomId: room.id, matrixRoomId: "!dev:example.org", oneToOne: false, lastGitterMessageId: await client.startCursor(room.id) };
    const post = async (text: string) => (await mm.control<{ id: string }>("POST", "/posts", { as: "bob", channel: room.id, message: text })).id;
    // Posted after the portal's cursor, while nothing listened.
    const ids = [await post("while the bridge was down 1"), await post("while the bridge was down 2")];
    const delivered: NetworkMessage[] = [];
    const portal = { row, matrixRoomId: row.matrixRoomId, fromNetwork: async (m: NetworkMessage) => void delivered.push(m) } as unknown as PortalRoom;
    const lifetime = new AbortController();
    const ctx = { mxid: "@alice:example.org", network: client, lifetime: lifetime.signal } as unknown as SessionContext;
    const roomList = { onEvent: () => undefined } as unknown as RoomListFollower;
    const stream = client.realtime();
    stream.watch(room.id, row.lastGitterMessageId);
    stream.start(sessionListener(ctx, { portal: (id) => (id === room.id ? portal : undefined), roomList, onState: () => undefined }));
    try {
      await waitFor("connected", () => stream.state === "connected");
      ids.push(await post("once the bridge is back"));
      await waitFor("every message", () => delivered.length >= ids.length, 15_000);
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.deepEqual(delivered.map((m) => m.id), ids, "each once, in order");
    } finally {
      stream.stop();
      lifetime.abort();
    }
  });
});
