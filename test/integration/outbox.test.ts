// Posting Matrix messages to Gitter exactly once (src/puppet/outbox.ts), against the emulator over real HTTP and a
// real SQLite store: crashes are played by leaving a send intent open, Gitter's failures by the emulator's faults.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, beforeEach, describe, it } from "node:test";
import { GitterMaybeDeliveredError } from "../../src/gitter/errors";
import { toMessage } from "../../src/gitter/network-convert";
import { GitterRestClient } from "../../src/gitter/rest";
import { MatrixClient } from "../../src/matrix/client";
import { isNetworkError } from "../../src/network/errors";
import { CLOCK_SKEW_MS, claimOwnMessage, recoverIntents, sendOnce } from "../../src/puppet/outbox";
import { UserSession } from "../../src/puppet/session";
import type { SessionContext } from "../../src/puppet/session-context";
import { openStore } from "../../src/store/knex-store";
import type { Portal, SendIntent, Store } from "../../src/store/store";
import { configureLogging } from "../../src/util/log";
import { gitterClients, testSessionContext } from "../harness/session-context";
import { ALICE, startTestEmulator, type Api } from "./emulator-helpers";

const MXID = "@alice:example.org";

describe("outbox", () => {
  let api: Api;
  let dir: string;
  let store: Store;
  let ctx: SessionContext;
  let notices: { roomId: string; text: string }[];
  let portal: Portal;
  let rooms = 0;

  before(async () => {
    configureLogging({ sink: { write: () => undefined } });
    api = await startTestEmulator({ control: true });
    dir = await mkdtemp(path.join(os.tmpdir(), "outbox-"));
    store = await openStore(`sqlite:${path.join(dir, "bridge.db")}`);
  });
  after(async () => {
    configureLogging({ sink: undefined });
    await store.close();
    await api.emu.stop();
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await api.call("DELETE", "/_emulator/faults");
    notices = [];
    ctx = context(new AbortController().signal);
    portal = await newPortal();
  });

  function context(lifetime: AbortSignal, fayeUrl?: string): SessionContext {
    const rest = new GitterRestClient({ apiUrl: api.emu.url, token: ALICE, retry: { baseMs: 1, maxMs: 5 } });
    const clients = gitterClients(api.emu.url, { id: api.userId("alice"), username: "alice" }, ALICE, rest, fayeUrl);
    return testSessionContext({ mxid: MXID, store, ...clients, lifetime, notice: async (roomId, _about, text) => void notices.push({ roomId, text }) });
  }


  async function newPortal(): Promise<Portal> {
    rooms += 1;
    const room = (await api.json("POST", "/_emulator/rooms", undefined, { uri: `outbox/room${rooms}`, members: ["alice", "bob"] })) as { id: string };
    const p = { mxid: MXID, gitterRoomId: room.id, matrixRoomId: `!portal${rooms}:example.org`, oneToOne: false, lastGitterMessageId: null };
    await store.portals.putPortal(p);
    return p;
  }

  const onGitter = () => api.emu.state.chat.allMessages().filter((m) => m.roomId === portal.gitterRoomId).map((m) => m.text);
  const postAs = (user: string, text: string) =>
    api.json("POST", "/_emulator/messages", undefined, { user, room: portal.gitterRoomId, text }) as Promise<{ id: string }>;
  /** A message as the portal gets it from the stream. */
  const intent = (eventId: string, text: string, createdAt = Date.now()): SendIntent => ({
    matrixEventId: eventId,
    mxid: MXID,
    matrixRoomId: portal.matrixRoomId,
    gitterRoomId: portal.gitterRoomId,
    text,
    status: false,
    parentId: null,
    createdAt,
  });
  /** A message as the network client reports it (the portal's stream hands these to claimOwnMessage). */
  const fetched = async (id: string) => toMessage(portal.gitterRoomId, await ctx.rest!.getMessage(portal.gitterRoomId, id));
  const arm = (fault: Record<string, unknown>) => api.json("POST", "/_emulator/faults", undefined, fault);

  it("posts once, records the link and clears the intent; a repeat changes nothing", async () => {
    await sendOnce(ctx, portal, "$e1", { text: "hello" });
    await sendOnce(ctx, portal, "$e1", { text: "hello" });
    assert.deepEqual(onGitter(), ["hello"]);
    const link = await store.messages.byMatrixEvent("$e1");
    assert.equal(link?.direction, "matrix-to-gitter");
    assert.equal(api.emu.state.chat.get(link!.gitterMessageId)?.text, "hello");
    assert.equal(await store.pendingSends.getIntent("$e1"), null);
  });

  it("does not post again what an earlier process posted but did not record (crash between post and record)", async () => {
    await store.pendingSends.putIntent(intent("$e2", "posted before the crash"));
    const posted = await postAs("alice", "posted before the crash");
    await sendOnce(ctx, portal, "$e2", { text: "posted before the crash" });
    assert.deepEqual(onGitter(), ["posted before the crash"]);
    assert.equal((await store.messages.byMatrixEvent("$e2"))?.gitterMessageId, posted.id);
    assert.equal(await store.pendingSends.getIntent("$e2"), null);
  });

  it("posts what an earlier process recorded the intent of but never posted (crash between intent and post)", async () => {
    await store.pendingSends.putIntent(intent("$e3", "never posted"));
    await sendOnce(ctx, portal, "$e3", { text: "never posted" });
    assert.deepEqual(onGitter(), ["never posted"]);
  });

  it("takes a post Gitter made but answered 502 to, and one whose connection dropped", async () => {
    await arm({ mode: "after", status: 502, method: "POST", path: "/chatMessages$" });
    await sendOnce(ctx, portal, "$e4", { text: "made, answered 502" });
    await arm({ mode: "drop", method: "POST", path: "/chatMessages$" });
    await sendOnce(ctx, portal, "$e5", { text: "made, no answer" });
    assert.deepEqual(onGitter(), ["made, answered 502", "made, no answer"]);
    assert.ok(await store.messages.byMatrixEvent("$e4"));
    assert.ok(await store.messages.byMatrixEvent("$e5"));
  });

  it("reports a 502 that did nothing as an outage, and the retry posts exactly once", async () => {
    await arm({ mode: "before", status: 502, method: "POST", path: "/chatMessages$" });
    await assert.rejects(sendOnce(ctx, portal, "$e6", { text: "not made" }), (e) => isNetworkError(e, "maybe-delivered") && e.cause instanceof GitterMaybeDeliveredError);
    assert.ok(await store.pendingSends.getIntent("$e6"), "the intent stays open");
    await sendOnce(ctx, portal, "$e6", { text: "not made" });
    assert.deepEqual(onGitter(), ["not made"]);
  });

  it("keeps two identical messages two: a message already linked is never taken for another", async () => {
    await sendOnce(ctx, portal, "$same1", { text: "+1" });
    await store.pendingSends.putIntent(intent("$same2", "+1"));
    await sendOnce(ctx, portal, "$same2", { text: "+1" });
    assert.deepEqual(onGitter(), ["+1", "+1"]);
    const [a, b] = [await store.messages.byMatrixEvent("$same1"), await store.messages.byMatrixEvent("$same2")];
    assert.notEqual(a?.gitterMessageId, b?.gitterMessageId);
  });

  it("takes only the user's own message, sent no earlier than the intent less the clock skew", async () => {
    await postAs("bob", "same words");
    await postAs("alice", "same words");
    // An intent made well after that message: the message cannot be its result.
    await store.pendingSends.putIntent(intent("$late", "same words", Date.now() + 2 * CLOCK_SKEW_MS + 2000));
    await sendOnce(ctx, portal, "$late", { text: "same words" });
    assert.deepEqual(onGitter(), ["same words", "same words", "same words"]);
  });

  it("tells the user in the portal when Gitter refuses, and drops the intent", async () => {
    // A refusal, not a leave: Gitter takes a message into a public room from a non-member.
    await api.call("POST", "/_emulator/faults", undefined, { mode: "before", status: 403, count: 1, method: "POST", path: "/chatMessages$" });
    await sendOnce(ctx, portal, "$refused", { text: "not a member any more" });
    assert.equal(notices.length, 1);
    assert.equal(notices[0].roomId, portal.matrixRoomId);
    assert.match(notices[0].text, /not sent to Gitter/);
    assert.equal(await store.pendingSends.getIntent("$refused"), null);
    assert.equal(await store.messages.byMatrixEvent("$refused"), null);
  });

  it("claims the user's own message arriving from Gitter for the open intent it matches", async () => {
    await store.pendingSends.putIntent(intent("$claim", "echo me"));
    const other = await postAs("bob", "echo me");
    assert.equal(await claimOwnMessage(ctx, portal, await fetched(other.id)), false);
    const differs = await postAs("alice", "something else");
    assert.equal(await claimOwnMessage(ctx, portal, await fetched(differs.id)), false);
    const mine = await postAs("alice", "echo me");
    assert.equal(await claimOwnMessage(ctx, portal, await fetched(mine.id)), true);
    assert.equal((await store.messages.byMatrixEvent("$claim"))?.gitterMessageId, mine.id);
    assert.equal(await store.pendingSends.getIntent("$claim"), null);
  });

  it("takes the user's own message as bridged when a send recorded it before the claim's turn came", async () => {
    // The directions run side by side: the echo can be looked up before the send records it, and claimed after.
    const id = await sendOnce(ctx, portal, "$recorded", { text: "recorded meanwhile" });
    assert.equal(await claimOwnMessage(ctx, portal, await fetched(id!)), true);
    assert.deepEqual(onGitter(), ["recorded meanwhile"]);
  });

  it("finishes intents left open at session start, each exactly once, and drops those of closed portals", async () => {
    await store.pendingSends.putIntent(intent("$posted", "posted, not recorded"));
    await postAs("alice", "posted, not recorded");
    await store.pendingSends.putIntent(intent("$unposted", "not posted"));
    await store.pendingSends.putIntent({ ...intent("$closed", "closed portal"), matrixRoomId: "!gone:example.org", gitterRoomId: "000000000000000000000000" });
    await recoverIntents(ctx, (gitterRoomId) => (gitterRoomId === portal.gitterRoomId ? portal : undefined));
    await ctx.queue.idle();
    assert.deepEqual(onGitter(), ["posted, not recorded", "not posted"]);
    for (const id of ["$posted", "$unposted", "$closed"]) assert.equal(await store.pendingSends.getIntent(id), null, id);
    assert.equal(await store.messages.byMatrixEvent("$closed"), null);
  });

  it("holds the user's new messages at session start until those left in flight are queued, so each keeps its place", async () => {
    // A previous process recorded the intent of "eight" and died; "nine" arrives while the new session starts,
    // and the store is slow to list the open intents.
    await store.pendingSends.putIntent(intent("$eight", "eight"));
    let release!: () => void;
    const listed = new Promise<void>((resolve) => (release = resolve));
    // Its own lifetime, a homeserver that fails at once (the portals it opens for alice's other rooms fail fast)
    // and no realtime connection: only the two Matrix messages are in play.
    const lifetime = new AbortController();
    const matrix = MatrixClient.connect({ homeserverUrl: "http://127.0.0.1:1", asToken: "unused", userId: "@bot:example.org", maxAttempts: 1 });
    const sessionCtx = { ...context(lifetime.signal, "http://127.0.0.1:1/bayeux"), matrix, store: withSlowIntents(store, listed) };
    const session = new UserSession(sessionCtx, { onTokenInvalid: () => undefined });
    const started = session.start().catch(() => undefined);
    try {
      const nine = session.fromMatrix({ event_id: "$nine", room_id: portal.matrixRoomId, sender: MXID, type: "m.room.message", content: { msgtype: "m.text", body: "nine" } });
      // Time enough for "nine" to reach Gitter if it did not wait for the intents.
      await new Promise((resolve) => setTimeout(resolve, 300));
      release();
      await nine;
      await sessionCtx.queue.idle();
      assert.deepEqual(onGitter(), ["eight", "nine"]);
      await started;
    } finally {
      release();
      await session.stop();
      lifetime.abort();
    }
  });

  it("waits out a database outage while loading the portals at session start, and then sends the user's message", async () => {
    const lifetime = new AbortController();
    const matrix = MatrixClient.connect({ homeserverUrl: "http://127.0.0.1:1", asToken: "unused", userId: "@bot:example.org", maxAttempts: 1 });
    const sessionCtx = { ...context(lifetime.signal, "http://127.0.0.1:1/bayeux"), matrix, store: withListPortals(store, busyTimes(2)) };
    const session = new UserSession(sessionCtx, { onTokenInvalid: () => undefined });
    const started = session.start().catch(() => undefined);
    try {
      await session.fromMatrix({ event_id: "$after-busy", room_id: portal.matrixRoomId, sender: MXID, type: "m.room.message", content: { msgtype: "m.text", body: "after the busy database" } });
      await sessionCtx.queue.idle();
      assert.deepEqual(onGitter(), ["after the busy database"]);
      await started;
    } finally {
      await session.stop();
      lifetime.abort();
    }
  });

  it("starts nothing for a session stopped while it was starting: no Gitter connection, no portal opened", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const lifetime = new AbortController();
    const sessionCtx = { ...context(lifetime.signal), store: withListPortals(store, async (list) => (await gate, list())) };
    const session = new UserSession(sessionCtx, { onTokenInvalid: () => undefined });
    const started = session.start().catch(() => undefined);
    // Logged out (or replaced by a new login) while the start waited for the store.
    lifetime.abort("the session ended");
    await session.stop();
    release();
    await started;
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(session.connection, "stopped", "the realtime connection was started after the stop");
    assert.equal(session.portalCount(), 0);
  });

  it("waits out Gitter being down while recovering, and gives up only when the session stops", async () => {
    const lifetime = new AbortController();
    ctx = context(lifetime.signal);
    await store.pendingSends.putIntent(intent("$outage", "after the outage"));
    await arm({ mode: "before", status: 503, count: 6 });
    await recoverIntents(ctx, () => portal);
    await ctx.queue.idle();
    assert.deepEqual(onGitter(), ["after the outage"]);

    const stopped = new AbortController();
    ctx = context(stopped.signal);
    await store.pendingSends.putIntent(intent("$stopped", "never"));
    await arm({ mode: "before", status: 503, count: 1000 });
    await recoverIntents(ctx, () => portal);
    stopped.abort("the session ended");
    await ctx.queue.idle();
    assert.ok(await store.pendingSends.getIntent("$stopped"), "left for the next start");
  });
});

/** The store, with listing open send intents held until `until` settles. */
function withSlowIntents(store: Store, until: Promise<void>): Store {
  const pendingSends = new Proxy(store.pendingSends, {
    get(target, key) {
      if (key === "listIntents") return async (mxid: string) => (await until, target.listIntents(mxid));
      const value: unknown = Reflect.get(target, key);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return new Proxy(store, { get: (target, key) => (key === "pendingSends" ? pendingSends : Reflect.get(target, key)) });
}

/** The store, with listing a user's portals going through `wrap` (given the real listing). */
function withListPortals(store: Store, wrap: (list: () => Promise<Portal[]>) => Promise<Portal[]>): Store {
  const portals = new Proxy(store.portals, {
    get(target, key) {
      if (key === "listPortals") return (mxid: string) => wrap(() => target.listPortals(mxid));
      const value: unknown = Reflect.get(target, key);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return new Proxy(store, { get: (target, key) => (key === "portals" ? portals : Reflect.get(target, key)) });
}

/** Listing a user's portals fails as a busy SQLite database does, `times` times. */
function busyTimes(times: number): (list: () => Promise<Portal[]>) => Promise<Portal[]> {
  let left = times;
  return async (list) => {
    if (left-- > 0) throw Object.assign(new Error("SQLITE_BUSY: database is locked"), { code: "SQLITE_BUSY" });
    return list();
  };
}
