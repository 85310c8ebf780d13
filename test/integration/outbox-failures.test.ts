// A send intent whose send or search fails with an error that is neither an outage nor a refusal (an answer the
// bridge cannot read, a bug): src/puppet/outbox.ts gives it up at once, telling the user, rather than leaving it open
// for a later start to post after the room's newer messages. Against the emulator over real HTTP and a real SQLite
// store; the unexpected failures are played by a network client that fails a chosen call.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, beforeEach, describe, it } from "node:test";
import { GitterRestClient } from "../../src/gitter/rest";
import type { NetworkClient } from "../../src/network/connector";
import { NetworkError } from "../../src/network/errors";
import { recoverIntents, sendOnce } from "../../src/puppet/outbox";
import type { SessionContext } from "../../src/puppet/session-context";
import { openStore } from "../../src/store/knex-store";
import type { Portal, Store } from "../../src/store/store";
import { configureLogging } from "../../src/util/log";
import { gitterClients, openIntent, testSessionContext } from "../harness/session-context";
import { ALICE, startTestEmulator, type Api } from "./emulator-helpers";

const MXID = "@alice:example.org";

/** What Gitter's client reports for a 2xx answer it cannot read. */
const unreadable = () => new NetworkError("bad-response", "Gitter", "the answer was not JSON");

describe("outbox: failures that are neither outages nor refusals", () => {
  let api: Api;
  let dir: string;
  let store: Store;
  let notices: { roomId: string; text: string }[];
  let portal: Portal;
  let rooms = 0;

  before(async () => {
    configureLogging({ sink: { write: () => undefined } });
    api = await startTestEmulator({ control: true });
    dir = await mkdtemp(path.join(os.tmpdir(), "outbox-failures-"));
    store = await openStore(`sqlite:${path.join(dir, "bridge.db")}`);
  });
  after(async () => {
    configureLogging({ sink: undefined });
    await store.close();
    await api.emu.stop();
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    notices = [];
    rooms += 1;
    const room = (await api.json("POST", "/_emulator/rooms", undefined, { uri: `failures/room${rooms}`, members: ["alice", "bob"] })) as { id: string };
    portal = { mxid: MXID, gitterRoomId: room.id, matrixRoomId: `!failures${rooms}:example.org`, oneToOne: false, lastGitterMessageId: null };
    await store.portals.putPortal(portal);
  });

  /** A session's context whose network client runs `fail` before each of its calls named in it. */
  function context(fail: Partial<Record<"send" | "findOwnMessage", (real: () => Promise<unknown>) => Promise<unknown>>> = {}): SessionContext {
    const rest = new GitterRestClient({ apiUrl: api.emu.url, token: ALICE, retry: { baseMs: 1, maxMs: 5 } });
    const { network } = gitterClients(api.emu.url, { id: api.userId("alice"), username: "alice" }, ALICE, rest);
    const failing = new Proxy(network, {
      get(target, key) {
        const value: unknown = Reflect.get(target, key);
        if (typeof value !== "function") return value;
        const wrap = typeof key === "string" ? fail[key as keyof typeof fail] : undefined;
        const bound = (...args: unknown[]) => (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        return wrap ? (...args: unknown[]) => wrap(() => bound(...args)) : bound;
      },
    }) as NetworkClient;
    return testSessionContext({ mxid: MXID, store, network: failing, notice: async (roomId, _about, text) => void notices.push({ roomId, text }) });
  }

  const onGitter = () => api.emu.state.chat.allMessages().filter((m) => m.roomId === portal.gitterRoomId).map((m) => m.text);
  const intent = (eventId: string, text: string) => openIntent(portal, eventId, text);

  it("gives up a message left in flight whose search Gitter answers unreadably, telling the user: no later start posts it after newer ones", async () => {
    await store.pendingSends.putIntent(intent("$old", "written first"));
    const broken = context({ findOwnMessage: () => Promise.reject(unreadable()) });
    await recoverIntents(broken, () => portal);
    await broken.queue.idle();
    await sendOnce(context(), portal, "$new", { text: "written next" });
    // The next start, Gitter readable again.
    const next = context();
    await recoverIntents(next, () => portal);
    await next.queue.idle();
    assert.deepEqual(onGitter(), ["written next"]);
    assert.equal(await store.pendingSends.getIntent("$old"), null);
    assert.equal(notices.length, 1);
    assert.equal(notices[0].roomId, portal.matrixRoomId);
    assert.match(notices[0].text, /may not have reached Gitter.*could not understand/);
  });

  it("gives up a fresh message whose post Gitter answers unreadably and that is not in the room, telling the user", async () => {
    const ctx = context({ send: () => Promise.reject(unreadable()) });
    assert.equal(await sendOnce(ctx, portal, "$fresh", { text: "never posted" }), null);
    assert.equal(await store.pendingSends.getIntent("$fresh"), null);
    assert.equal(await store.messages.byMatrixEvent("$fresh"), null);
    assert.equal(notices.length, 1);
    await sendOnce(context(), portal, "$later", { text: "posted later" });
    const next = context();
    await recoverIntents(next, () => portal);
    await next.queue.idle();
    assert.deepEqual(onGitter(), ["posted later"]);
  });

  it("links a message Gitter made although its answer could not be read, and tells nobody it failed", async () => {
    const ctx = context({ send: async (real) => (await real(), Promise.reject(unreadable())) });
    const id = await sendOnce(ctx, portal, "$made", { text: "made, answer unreadable" });
    assert.deepEqual(onGitter(), ["made, answer unreadable"]);
    assert.equal((await store.messages.byMatrixEvent("$made"))?.gitterMessageId, id);
    assert.equal(await store.pendingSends.getIntent("$made"), null);
    assert.deepEqual(notices, []);
  });
});
