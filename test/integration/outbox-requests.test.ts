// What posting a Matrix message costs in Gitter requests (src/puppet/outbox.ts), counted at the emulator: Gitter
// allows 100 requests a minute per user, so a fresh post must be one request, and only a send whose outcome is
// unknown (left open by a crash, or answered by a dropped connection) may search the room's history first.
import assert from "node:assert/strict";
import type http from "node:http";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, beforeEach, describe, it } from "node:test";
import { GitterRestClient } from "../../src/gitter/rest";
import { sendOnce } from "../../src/puppet/outbox";
import type { SessionContext } from "../../src/puppet/session-context";
import { openStore } from "../../src/store/knex-store";
import type { Portal, Store } from "../../src/store/store";
import { configureLogging } from "../../src/util/log";
import { gitterClients, testSessionContext } from "../harness/session-context";
import { ALICE, startTestEmulator, type Api } from "./emulator-helpers";

const MXID = "@alice:example.org";

describe("Gitter requests per post", () => {
  let api: Api;
  let dir: string;
  let store: Store;
  let ctx: SessionContext;
  let portal: Portal;
  let rooms = 0;
  /** REST requests the bridge made (the test's own control calls left out), as "METHOD /path". */
  let requests: string[] = [];
  const count = (req: http.IncomingMessage) => {
    if (!req.url?.startsWith("/_emulator")) requests.push(`${req.method} ${req.url?.split("?")[0]}`);
  };

  before(async () => {
    configureLogging({ sink: { write: () => undefined } });
    api = await startTestEmulator({ control: true });
    api.emu.server.on("request", count);
    dir = await mkdtemp(path.join(os.tmpdir(), "outbox-requests-"));
    store = await openStore(`sqlite:${path.join(dir, "bridge.db")}`);
  });
  after(async () => {
    configureLogging({ sink: undefined });
    api.emu.server.off("request", count);
    await store.close();
    await api.emu.stop();
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await api.call("DELETE", "/_emulator/faults");
    ctx = context();
    rooms += 1;
    const room = (await api.json("POST", "/_emulator/rooms", undefined, { uri: `requests/room${rooms}`, members: ["alice", "bob"] })) as { id: string };
    portal = { mxid: MXID, gitterRoomId: room.id, matrixRoomId: `!requests${rooms}:example.org`, oneToOne: false, lastGitterMessageId: null };
    await store.portals.putPortal(portal);
    requests = [];
  });

  function context(): SessionContext {
    const rest = new GitterRestClient({ apiUrl: api.emu.url, token: ALICE, retry: { baseMs: 1, maxMs: 5 } });
    return testSessionContext({ mxid: MXID, store, ...gitterClients(api.emu.url, { id: api.userId("alice"), username: "alice" }, ALICE, rest) });
  }


  const onGitter = () => api.emu.state.chat.allMessages().filter((m) => m.roomId === portal.gitterRoomId).map((m) => m.text);
  const post = "POST /v1/rooms/ROOM/chatMessages";
  const named = () => requests.map((r) => r.replace(portal.gitterRoomId, "ROOM"));
  const search = "GET /v1/rooms/ROOM/chatMessages";

  it("posts a fresh message with one request and no history search", async () => {
    await sendOnce(ctx, portal, "$fresh1", { text: "one" });
    assert.deepEqual(named(), [post]);
    await sendOnce(ctx, portal, "$fresh2", { text: "two" });
    assert.deepEqual(named(), [post, post]);
    assert.deepEqual(onGitter(), ["one", "two"]);
  });

  it("searches before posting a send left open by a crash, and does not post it twice", async () => {
    // The earlier process recorded the intent and posted; it died before recording the link.
    await store.pendingSends.putIntent({ matrixEventId: "$crashed", mxid: MXID, matrixRoomId: portal.matrixRoomId, gitterRoomId: portal.gitterRoomId, text: "before the crash", status: false, parentId: null, createdAt: Date.now() });
    await api.json("POST", "/_emulator/messages", undefined, { user: "alice", room: portal.gitterRoomId, text: "before the crash" });
    requests = [];
    await sendOnce(ctx, portal, "$crashed", { text: "before the crash" });
    assert.deepEqual(named(), [search]);
    assert.deepEqual(onGitter(), ["before the crash"]);
    assert.ok(await store.messages.byMatrixEvent("$crashed"));
  });

  it("searches after a post whose connection dropped, and does not post it twice", async () => {
    await api.json("POST", "/_emulator/faults", undefined, { mode: "drop", method: "POST", path: "/chatMessages$" });
    await sendOnce(ctx, portal, "$dropped", { text: "no answer" });
    assert.deepEqual(named(), [post, search]);
    assert.deepEqual(onGitter(), ["no answer"]);
  });
});
