// GitterRealtime against the emulator over real sockets: bursts with connections cut mid-way, revoked
// tokens, edits and deletes, room-list changes and refused rooms.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import { GitterRealtime, type ConnectionState, type GitterRealtimeOptions } from "../../src/gitter/realtime";
import type { GitterMessage } from "../../src/gitter/types";
import { configureLogging } from "../../src/util/log";

configureLogging({ level: "error" });

/** Every wait ends on an event; the timeout only turns a regression into a failure rather than a hang. */
const T = { timeout: 30_000 };
const ALICE = "a1".repeat(20);
const BOB = "b2".repeat(20);
let emu: RunningEmulator;
const clients: GitterRealtime[] = [];

async function control(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${emu.url}/_emulator${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.ok(res.ok, `${method} ${path} -> ${res.status}`);
  return res.status === 204 ? {} : ((await res.json()) as Record<string, unknown>);
}

const post = (room: string, text: string, user = "bob") => control("POST", "/messages", { user, room, text });
const roomId = (uri: string) => emu.state.rooms.findByUri(uri)!.id;
const userId = (name: string) => emu.state.findUserByName(name)!.id;

/** fetchMissed over the emulator's REST API; `failEvery` makes every n-th call fail like a 5xx would. */
function restFetchMissed(token: string, limit: number, failEvery = 0) {
  let calls = 0;
  return async (room: string, afterId: string): Promise<GitterMessage[]> => {
    calls += 1;
    if (failEvery && calls % failEvery === 0) throw new Error("simulated REST failure");
    const res = await fetch(`${emu.url}/v1/rooms/${room}/chatMessages?afterId=${afterId}&limit=${limit}`, {
      headers: { authorization: `Bearer ${token}`, accept: "application/json" },
    });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return (await res.json()) as GitterMessage[];
  };
}

function client(token: string, username: string, extra: Partial<GitterRealtimeOptions> = {}) {
  const rt = new GitterRealtime({
    fayeUrl: `${emu.url}/bayeux`,
    token,
    userId: userId(username),
    fetchMissed: restFetchMissed(token, 25),
    livenessTimeoutMs: 5_000,
    backoff: { baseMs: 20, maxMs: 200 },
    ...extra,
  });
  const states: ConnectionState[] = [];
  rt.on("state", (s) => states.push(s));
  clients.push(rt);
  return { rt, states };
}

/** Resolves when `test` holds, re-checked after every event the client emits. */
function until(rt: GitterRealtime, test: () => boolean): Promise<void> {
  const events = ["state", "message", "messageUpdate", "messageRemove", "userRoom", "roomMember", "watchDenied"] as const;
  return new Promise((resolve) => {
    const check = () => {
      if (!test()) return;
      for (const e of events) rt.off(e, check);
      resolve();
    };
    for (const e of events) rt.on(e, check);
    check();
  });
}

before(async () => {
  emu = await startEmulator({
    control: true,
    rateLimit: 100_000,
    fixture: {
      users: [{ username: "alice" }, { username: "bob" }],
      rooms: [
        { uri: "org/burst", members: ["alice", "bob"] },
        { uri: "org/edits", members: ["alice", "bob"] },
        { uri: "org/bob-only", security: "PRIVATE", members: ["bob"] },
        { uri: "org/later", members: ["bob"] },
        { uri: "org/snapshot", members: ["alice", "bob"] },
      ],
      history: [{ room: "org/burst", author: "bob", text: "old history", ageSeconds: 3600 }],
      tokens: [
        { user: "alice", clientId: "app", token: ALICE },
        { user: "bob", clientId: "app", token: BOB },
      ],
    },
  });
});

after(async () => {
  for (const rt of clients) rt.stop();
  await emu.stop();
});

describe("GitterRealtime delivery", () => {
  it("delivers a 200-message burst exactly once and in order while connections are cut", T, async () => {
    const room = roomId("org/burst");
    const { rt, states } = client(ALICE, "alice", { fetchMissed: restFetchMissed(ALICE, 7, 5) });
    const seen: GitterMessage[] = [];
    let failedCatchUps = 0;
    rt.on("message", (r, m) => r === room && seen.push(m));
    rt.on("catchUpFailed", () => failedCatchUps++);
    const oldest = emu.state.listMessages(room, {})[0];
    rt.watchRoom(room, String(oldest.id));
    rt.start();
    await until(rt, () => rt.state === "connected");

    const posted: string[] = [];
    for (let i = 0; i < 200; i++) {
      posted.push(String((await post("org/burst", `burst ${i}`)).id));
      // Cut mid-burst; ten more messages go out while the client reconnects and catches up, then wait for
      // it to be back so that the next cut hits a live session.
      if (i % 40 === 20) await control("POST", "/cut-connections");
      if (i % 40 === 30) await until(rt, () => rt.state === "connected");
    }
    await until(rt, () => seen.length >= 200);

    assert.deepEqual(
      seen.map((m) => m.id),
      posted,
    );
    assert.equal(new Set(seen.map((m) => m.id)).size, 200);
    assert.deepEqual(seen.map((m) => m.text).slice(0, 3), ["burst 0", "burst 1", "burst 2"]);
    // The cuts really forced reconnects (and catch-ups), rather than the burst sliding through one session.
    assert.ok(states.filter((s) => s === "backing-off").length >= 5, `states: ${states.join(",")}`);
    // Every fifth REST page failed, so retried catch-ups were part of the run too.
    assert.ok(failedCatchUps > 0);
    rt.stop();
  });

  it("catches up a few missed messages from the subscription snapshot, and more over REST", T, async () => {
    const room = roomId("org/snapshot");
    let fetches = 0;
    const rest = restFetchMissed(ALICE, 25);
    const { rt } = client(ALICE, "alice", { fetchMissed: (r, after) => (fetches++, rest(r, after)) });
    const seen: string[] = [];
    rt.on("message", (r, m) => r === room && seen.push(m.text));
    rt.watchRoom(room, null);
    rt.start();
    await until(rt, () => rt.state === "connected");
    // Cut and post in the same tick: every message is missed by the session and must come from a catch-up.
    const missWhileCut = (from: number, n: number) => {
      emu.state.cutConnections();
      for (let i = from; i < from + n; i++) emu.state.postMessage(userId("bob"), room, { text: `missed ${i}` });
    };
    missWhileCut(0, 3);
    await until(rt, () => seen.length === 3);
    assert.equal(fetches, 0, "three missed messages fit in the snapshot");
    missWhileCut(3, 12);
    await until(rt, () => seen.length === 15);
    assert.ok(fetches > 0, "twelve do not: the rest comes over REST");
    assert.deepEqual(seen, Array.from({ length: 15 }, (_, i) => `missed ${i}`));
    rt.stop();
  });

  it("reports edits and deletes as update and remove events", T, async () => {
    const room = roomId("org/edits");
    const { rt } = client(ALICE, "alice");
    const events: string[] = [];
    rt.on("message", (_r, m) => events.push(`message ${m.text}`));
    rt.on("messageUpdate", (_r, m) => events.push(`update ${m.text} v${m.v}`));
    rt.on("messageRemove", (_r, id) => events.push(`remove ${id}`));
    rt.watchRoom(room, null);
    rt.start();
    await until(rt, () => rt.state === "connected");
    const sent = await post("org/edits", "first");
    await control("PUT", `/messages/${String(sent.id)}`, { text: "first, edited" });
    await control("DELETE", `/messages/${String(sent.id)}`);
    await until(rt, () => events.length >= 3);
    assert.deepEqual(events, ["message first", "update first, edited v2", `remove ${String(sent.id)}`]);
    rt.stop();
  });
});

describe("GitterRealtime rooms", () => {
  it("keeps delivering when a room is unwatched and watched again at once", T, async () => {
    const room = roomId("org/edits");
    const { rt } = client(ALICE, "alice");
    const texts: string[] = [];
    const ids: string[] = [];
    rt.on("message", (_r, m) => (texts.push(m.text), ids.push(m.id)));
    rt.watchRoom(room, null);
    rt.start();
    await until(rt, () => rt.state === "connected");
    await post("org/edits", "before rewatch");
    await until(rt, () => texts.length === 1);
    const last = ids[0]!;
    rt.unwatchRoom(room);
    await post("org/edits", "while unwatched");
    rt.watchRoom(room, last);
    await post("org/edits", "after rewatch");
    await until(rt, () => texts.length === 3);
    assert.deepEqual(texts, ["before rewatch", "while unwatched", "after rewatch"]);
    rt.stop();
  });

  it("reports room-list changes and refuses rooms the user is not in", T, async () => {
    const { rt } = client(ALICE, "alice");
    const rooms: string[] = [];
    const denied: string[] = [];
    rt.on("userRoom", (op, r) => rooms.push(`${op} ${r.id}`));
    rt.on("watchDenied", (r) => denied.push(r));
    rt.start();
    await until(rt, () => rt.state === "connected");
    rt.watchRoom(roomId("org/bob-only"), null);
    await until(rt, () => denied.length === 1);
    assert.deepEqual(denied, [roomId("org/bob-only")]);
    // A refused room is no longer watched: it is not left waiting for a catch-up that cannot come.
    assert.equal(rt.roomsCatchingUp, 0);

    await control("POST", "/rooms/org%2Flater/members", { user: "alice" });
    await until(rt, () => rooms.includes(`create ${roomId("org/later")}`));
    await control("DELETE", "/rooms/org%2Flater/members/alice");
    await until(rt, () => rooms.includes(`remove ${roomId("org/later")}`));
    rt.stop();
  });
});

describe("GitterRealtime members", () => {
  it("reports members joining and leaving a watched room", T, async () => {
    const room = roomId("org/edits");
    await control("POST", "/users", { username: "carol" });
    const { rt } = client(ALICE, "alice");
    const members: string[] = [];
    rt.on("roomMember", (r, op, user) => r === room && members.push(`${op} ${user.id}`));
    rt.watchRoom(room, null);
    rt.start();
    await until(rt, () => rt.state === "connected");
    await control("POST", "/rooms/org%2Fedits/members", { user: "carol" });
    await control("DELETE", "/rooms/org%2Fedits/members/carol");
    await until(rt, () => members.length === 2);
    assert.deepEqual(members, [`create ${userId("carol")}`, `remove ${userId("carol")}`]);
    rt.stop();
  });
});

describe("GitterRealtime tokens", () => {
  it("stops with token-invalid when the token is revoked", T, async () => {
    const issued = await control("POST", "/tokens", { user: "bob", clientId: "revoke-me" });
    const token = String(issued.access_token);
    const { rt, states } = client(token, "bob");
    rt.watchRoom(roomId("org/bob-only"), null);
    rt.start();
    await until(rt, () => rt.state === "connected");
    await control("POST", "/tokens/revoke", { token });
    await until(rt, () => rt.state === "token-invalid");
    // Either the token_revoked push or the refused re-handshake ends it; both must end it for good.
    assert.equal(states.filter((s) => s === "token-invalid").length, 1, `states: ${states.join(",")}`);
  });

  it("stops with token-invalid at once when the handshake is refused", T, async () => {
    const { rt, states } = client("0".repeat(40), "bob");
    rt.start();
    await until(rt, () => rt.state === "token-invalid");
    assert.deepEqual(states, ["connecting", "token-invalid"]);
  });
});
