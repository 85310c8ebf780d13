// The network interface's contract (./network-contract.ts) against Gitter: src/gitter/network.ts over the Gitter
// emulator (emulator/server.ts) and its control API.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import { GitterConnector } from "../../src/gitter/network";
import { isNetworkError } from "../../src/network/errors";
import { listen, runNetworkContract, waitFor, walk } from "./network-contract";
import { ALICE, TEST_FIXTURE } from "./emulator-helpers";

let emu: RunningEmulator;

const connector = () =>
  new GitterConnector({
    apiUrl: emu.url,
    fayeUrl: `${emu.url}/bayeux`,
    rest: { retry: { maxAttempts: 2, baseMs: 10, maxMs: 50 } },
    // Slow enough that messages posted just after a cut are posted while it lasts.
    realtime: { livenessTimeoutMs: 5_000, backoff: { baseMs: 400, maxMs: 800 } },
  });

async function control<T>(method: string, route: string, body?: unknown): Promise<T> {
  const res = await fetch(`${emu.url}/_emulator${route}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`control ${method} ${route} -> ${res.status}: ${await res.text()}`);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

runNetworkContract("Gitter", {
  async start() {
    emu = await startEmulator({ port: 0, fixture: TEST_FIXTURE, control: true, rateLimit: 100_000 });
  },
  stop: () => emu.stop(),
  connector,
  aliceToken: ALICE,
  issueToken: async () => (await control<{ access_token: string }>("POST", "/tokens", { user: "alice" })).access_token,
  revokeToken: async (token) => void (await control("POST", "/tokens/revoke", { token })),
  expectedRooms: [
    { kind: "group", name: "test/general", link: "test/general", topic: "General talk" },
    { kind: "direct", name: "Carol Chen" },
  ],
  expectedKinds: ["group", "direct"],
  searchTerm: "other",
  unknownRoomId: "0123456789abcdef01234567",
  sharedRoom: "test/general",
  otherRoom: "test/other",
  bob: {
    post: async (room, text) => (await control<{ id: string }>("POST", "/messages", { user: "bob", room, text })).id,
    edit: async (id, text) => void (await control("PUT", `/messages/${id}`, { text })),
    delete: async (id) => void (await control("DELETE", `/messages/${id}`)),
    react: () => Promise.reject(new Error("Gitter has no reactions")),
  },
  reaction: "thumbsup",
  loseNextSendAnswer: async () => void (await control("POST", "/faults", { mode: "drop", status: 502, count: 1, method: "POST", path: "/chatMessages$" })),
  cutRealtime: async () => void (await control("POST", "/cut-connections")),
});

describe("Gitter adapter: what only Gitter does", () => {
  before(async () => {
    emu = await startEmulator({ port: 0, fixture: TEST_FIXTURE, control: true, rateLimit: 100_000 });
  });
  after(() => emu.stop());

  it("rejects an edit past Gitter's window, saying so to the person", async () => {
    const client = await connector().connect(ALICE);
    const room = await client.resolveRoom("test/general");
    const sent = await client.send(room.id, { text: "soon too old" }, "late-edit");
    await control("PUT", "/edit-window", { seconds: 0 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await assert.rejects(client.edit(room.id, sent.id, "too late"), (e: unknown) =>
      isNetworkError(e, "rejected") && /^Gitter only lets you edit a message for 10 minutes after sending it/.test(e.personMessage));
  });

  it("marks the user's unread items up to a message, or that message alone when it was read in its thread", async () => {
    const client = await connector().connect(ALICE);
    const room = await client.resolveRoom("test/general");
    const ids: string[] = [];
    for (const text of ["read one", "read two", "read three"]) ids.push((await control<{ id: string }>("POST", "/messages", { user: "bob", room: room.id, text })).id);
    const unread = async () => {
      const res = await fetch(`${emu.url}/v1/user/me/rooms/${room.id}/unreadItems`, { headers: { authorization: `Bearer ${ALICE}` } });
      return ((await res.json()) as { chat: string[] }).chat.filter((id) => ids.includes(id));
    };
    assert.deepEqual(await unread(), ids);
    await client.markRead(room.id, ids[2], { inThread: true });
    assert.deepEqual(await unread(), ids.slice(0, 2), "only the message read in its thread");
    await client.markRead(room.id, ids[0]);
    assert.deepEqual(await unread(), [ids[1]], "up to the message read");
  });

  it("lists a one-to-one hidden by leaving it as hidden, and reports its hiding and a new message in it", async () => {
    const client = await connector().connect(ALICE);
    const direct = (await client.listRooms()).find((r) => r.kind === "direct" && r.others?.[0]?.username === "carol");
    assert.ok(direct, "alice's one-to-one with carol");
    assert.equal(direct.hidden, false);
    const w = listen(client);
    try {
      await waitFor("connected", () => w.stream.state === "connected");
      const reported = (change: string) => w.events.some((e) => e.type === "rooms" && e.change === change && e.roomId === direct.id);
      await client.leave(direct.id);
      await waitFor("the hiding", () => reported("hidden"));
      const hidden = (await client.listRooms()).find((r) => r.id === direct.id);
      assert.deepEqual([hidden?.hidden, hidden?.unread], [true, false], "still listed, hidden, nothing unread");
      const id = (await control<{ id: string }>("POST", "/messages", { user: "carol", room: direct.id, text: "are you there?" })).id;
      await waitFor("the unread report", () => reported("unread"));
      assert.ok(!reported("added"), "a new message does not add a hidden one-to-one again");
      const back = (await client.listRooms()).find((r) => r.id === direct.id);
      assert.deepEqual([back?.hidden, back?.unread], [true, true], "hidden, with a message unread");
      const cursor = await client.cursorBeforeUnread(direct.id);
      assert.ok(cursor);
      assert.deepEqual((await walk(client, direct.id, cursor, 10)).map((m) => m.id), [id], "from the unread message on");
    } finally {
      w.stream.stop();
    }
  });

  it("names who joined a watched room (Gitter sends the user with a join), a leave only by id", async () => {
    const client = await connector().connect(ALICE);
    const room = await client.resolveRoom("test/general");
    const name = `joiner${Date.now()}`;
    await control("POST", "/users", { username: name, displayName: "A Joiner" });
    const w = listen(client);
    try {
      w.stream.watch(room.id, await client.startCursor(room.id));
      await waitFor("connected", () => w.stream.state === "connected");
      const member = (change: string) => w.events.find((e) => e.type === "membership" && e.roomId === room.id && e.change === change);
      await control("POST", "/rooms/test%2Fgeneral/members", { user: name });
      await waitFor("the join", () => member("joined") !== undefined);
      const joined = member("joined");
      assert.ok(joined?.type === "membership" && joined.user);
      assert.deepEqual([joined.user.id, joined.user.username, joined.user.displayName], [joined.userId, name, "A Joiner"]);
      await control("DELETE", `/rooms/test%2Fgeneral/members/${name}`);
      await waitFor("the leave", () => member("left") !== undefined);
      const left = member("left");
      assert.ok(left?.type === "membership" && left.userId === joined.userId && left.user === undefined);
    } finally {
      w.stream.stop();
    }
  });

  it("reports a room whose stream Gitter refused as refused, not as left: a refusal says nothing of membership", async () => {
    const client = await connector().connect(ALICE);
    const secret = await control<{ id: string }>("POST", "/rooms", { uri: `test/secret${Date.now()}`, security: "PRIVATE", members: ["bob"] });
    const w = listen(client);
    try {
      w.stream.watch(secret.id, null);
      await waitFor("the refusal", () => w.events.some((e) => e.type === "refused" && e.roomId === secret.id));
      assert.ok(!w.events.some((e) => e.type === "rooms" && e.roomId === secret.id), "no room-list change reported");
      assert.equal(w.stream.roomsCatchingUp, 0, "a refused room is not left waiting for a catch-up");
    } finally {
      w.stream.stop();
    }
  });

  it("connects every client's stream through the connector's connect gate, which paces many sessions", async () => {
    let entered = 0;
    const connectGate = { run: <T>(task: () => Promise<T>) => (entered++, task()) };
    const client = await new GitterConnector({ apiUrl: emu.url, fayeUrl: `${emu.url}/bayeux`, realtime: { connectGate } }).connect(ALICE);
    const w = listen(client);
    try {
      await waitFor("connected", () => w.stream.state === "connected");
      assert.equal(entered, 1, "the connection went through the gate");
    } finally {
      w.stream.stop();
    }
  });
});

describe("Gitter network: rate-limit waits", () => {
  let limited: RunningEmulator;
  before(async () => {
    limited = await startEmulator({ port: 0, fixture: TEST_FIXTURE, control: true });
    const res = await fetch(`${limited.url}/_emulator/rate-limit`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ limit: 2, windowSeconds: 1 }),
    });
    assert.equal(res.status, 200);
  });
  after(() => limited.stop());

  it("tells onRateLimitWait of each request a client held back (the bridge's metrics)", async () => {
    const waits: Array<{ reason: string; waitMs: number }> = [];
    const connector = new GitterConnector({ apiUrl: limited.url, fayeUrl: `${limited.url}/bayeux`, onRateLimitWait: (w) => waits.push(w) });
    const client = await connector.connect(ALICE);
    for (let i = 0; i < 3; i++) await client.whoAmI();
    assert.ok(waits.length >= 1, "a wait was told");
    assert.ok(waits.every((w) => (w.reason === "exhausted" || w.reason === "throttled") && w.waitMs >= 0));
    assert.deepEqual(Object.keys(waits[0]).sort(), ["reason", "waitMs"], "only the network-neutral fields");
  });
});
