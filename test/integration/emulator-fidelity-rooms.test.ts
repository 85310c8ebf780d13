// Where the real Gitter is less kind than a reading of its API, about rooms, membership and errors (see
// docs/gitter-fidelity.md): hiding keeps a room listed, public rooms are open to non-members, leaving twice is a
// 404 and joining an unknown id a 500, error bodies carry only the reason phrase, the room list holds more than
// memberships.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { LiveEvent } from "../../emulator/live";
import { ALICE, BOB, startTestEmulator, type Api } from "./emulator-helpers";

interface Room {
  id: string;
  roomMember?: boolean;
  lastAccessTime?: string | null;
  unreadItems: number;
  mentions: number;
  permissions?: unknown;
}

type UserRoomsEvent = Extract<LiveEvent, { kind: "userRooms" }>;

let api: Api;
before(async () => {
  api = await startTestEmulator({ control: true });
});
after(() => api.emu.stop());

const roomsOf = (token: string) => api.json<Room[]>("GET", "/v1/rooms", token);
const pushesTo = (user: string, from: number) =>
  api.live.slice(from).filter((e): e is UserRoomsEvent => e.kind === "userRooms" && e.userId === api.userId(user));

describe("hiding a room keeps it listed", () => {
  it("lists a hidden room without lastAccessTime and pushes a patch with null, not a remove", async () => {
    const dm = (await api.json<Room>("POST", "/v1/rooms", ALICE, { uri: "carol" })).id;
    const shown = (await roomsOf(ALICE)).find((r) => r.id === dm)!;
    assert.equal(typeof shown.lastAccessTime, "string", "a visited room has a last access time");
    const from = api.live.length;
    assert.deepEqual(await api.json("DELETE", `/v1/user/me/rooms/${dm}`, ALICE), { success: true });
    const listed = (await roomsOf(ALICE)).find((r) => r.id === dm);
    assert.ok(listed, "still listed");
    assert.equal("lastAccessTime" in listed, false, "no lastAccessTime at all in the REST list");
    assert.deepEqual(pushesTo("alice", from).map((e) => [e.operation, e.model]), [
      ["patch", { id: dm, favourite: null, lastAccessTime: null, activity: 0, mentions: 0, unreadItems: 0 }],
    ]);
  });

  it("raises a hidden one-to-one's unread counts on a new message, with a patch and no create", async () => {
    const dm = api.emu.state.rooms.openOneToOne(api.userId("alice"), api.userId("carol")).id;
    await api.json("DELETE", `/v1/user/me/rooms/${dm}`, ALICE);
    const from = api.live.length;
    api.emu.state.postMessage(api.userId("carol"), dm, { text: "still there?" });
    const pushes = pushesTo("alice", from);
    assert.deepEqual(pushes.map((e) => [e.operation, e.model]), [["patch", { id: dm, unreadItems: 1, mentions: 0 }]]);
    const listed = (await roomsOf(ALICE)).find((r) => r.id === dm)!;
    assert.equal(listed.unreadItems, 1);
    assert.equal("lastAccessTime" in listed, false, "still hidden");
    assert.equal(typeof (await roomsOf(api.emu.state.issueToken(api.userId("carol"), "test-client"))).find((r) => r.id === dm)?.lastAccessTime, "string",
      "the sender's last access time is saved");
  });

  it("gives a new one-to-one no last access time for either party, only a create each", async () => {
    const from = api.live.length;
    const dm = (await api.json<Room>("POST", "/v1/rooms", BOB, { uri: "carol" })).id;
    for (const user of ["bob", "carol"]) {
      assert.deepEqual(pushesTo(user, from).map((e) => [e.operation, e.model.id, "lastAccessTime" in e.model]), [["create", dm, false]], user);
    }
    assert.equal("lastAccessTime" in (await roomsOf(BOB)).find((r) => r.id === dm)!, false);
  });

  it("saves the last access time when the user subscribes to the room's channel", async () => {
    const dm = api.emu.state.rooms.openOneToOne(api.userId("alice"), api.userId("carol")).id;
    await api.json("DELETE", `/v1/user/me/rooms/${dm}`, ALICE);
    const clientId = await handshake(ALICE);
    const from = api.live.length;
    assert.equal((await bayeux({ channel: "/meta/subscribe", clientId, subscription: `/api/v1/rooms/${dm}/chatMessages`, ext: { snapshot: false } })).successful, true);
    const patch = pushesTo("alice", from).find((e) => e.operation === "patch" && typeof e.model.lastAccessTime === "string");
    assert.ok(patch, "a lastAccessTime patch");
    assert.equal(typeof (await roomsOf(ALICE)).find((r) => r.id === dm)?.lastAccessTime, "string");
  });
});

describe("public rooms let non-members read and write", () => {
  it("lets a non-member subscribe to a public room and post in it, not in a private one", async () => {
    const other = api.roomId("test/other");
    assert.equal(api.emu.state.isMember(api.userId("alice"), other), false);
    const clientId = await handshake(ALICE);
    assert.equal((await bayeux({ channel: "/meta/subscribe", clientId, subscription: `/api/v1/rooms/${other}/chatMessages`, ext: { snapshot: false } })).successful, true);
    assert.equal((await api.call("POST", `/v1/rooms/${other}/chatMessages`, ALICE, { text: "not a member" })).status, 200);
    const priv = api.roomId("test/private");
    assert.equal((await bayeux({ channel: "/meta/subscribe", clientId, subscription: `/api/v1/rooms/${priv}/chatMessages` })).error, "403::Authorisation denied.");
    assert.equal((await api.call("POST", `/v1/rooms/${priv}/chatMessages`, ALICE, { text: "x" })).status, 403);
  });
});

describe("leaving twice is a 404; joining an unknown id is a 500", () => {
  it("answers 404 to a non-member's leave and to `me`, and 500 with a uniqueId to an unknown room id", async () => {
    const room = api.emu.state.createRoom({ uri: "test/leave-twice" });
    const alice = api.userId("alice");
    api.emu.state.rooms.join(alice, room.id);
    assert.equal((await api.call("DELETE", `/v1/rooms/${room.id}/users/me`, ALICE)).status, 404, "`me` is not an id");
    assert.equal((await api.call("DELETE", `/v1/rooms/${room.id}/users/${alice}`, ALICE)).status, 200);
    const again = await api.call("DELETE", `/v1/rooms/${room.id}/users/${alice}`, ALICE);
    assert.equal(again.status, 404);
    assert.deepEqual(await again.json(), { error: "Not Found" });
    const unknown = await api.call("POST", "/v1/user/me/rooms", ALICE, { id: "0".repeat(24) });
    assert.equal(unknown.status, 500);
    const body = (await unknown.json()) as { error: string; uniqueId: unknown };
    assert.equal(body.error, "Internal Server Error");
    assert.equal(typeof body.uniqueId, "string");
  });
});

describe("errors carry only the reason phrase; the room list holds more than memberships", () => {
  it("answers a refused message and a 429 with the reason phrase only", async () => {
    const general = api.roomId("test/general");
    const empty = await api.call("POST", `/v1/rooms/${general}/chatMessages`, ALICE, { text: "" });
    assert.deepEqual([empty.status, await empty.json()], [400, { error: "Bad Request" }]);
    api.emu.limiter.configure(1, 60_000);
    try {
      await (await api.call("GET", "/v1/user", BOB)).arrayBuffer();
      const limited = await api.call("GET", "/v1/user", BOB);
      assert.equal(limited.status, 429);
      assert.deepEqual(await limited.json(), { error: "Too Many Requests" });
      assert.equal(limited.headers.get("retry-after"), null);
      assert.ok(Number(limited.headers.get("x-ratelimit-reset")) > Date.now(), "reset in epoch ms");
    } finally {
      api.emu.limiter.configure(1000, 60_000);
    }
  });

  it("lists a room where the user was only mentioned (roomMember false), with permissions and lastAccessTime", async () => {
    const other = api.roomId("test/other");
    const carol = api.userId("carol");
    assert.equal(api.emu.state.isMember(carol, other), false);
    const from = api.live.length;
    api.emu.state.postMessage(api.userId("bob"), other, { text: "hey @carol, look" });
    const carolToken = api.emu.state.issueToken(carol, "test-client");
    const rooms = await roomsOf(carolToken);
    const mentioned = rooms.find((r) => r.id === other);
    assert.equal(mentioned?.roomMember, false);
    assert.equal(mentioned?.mentions, 1);
    assert.ok(pushesTo("carol", from).some((e) => e.operation === "create" && e.model.id === other && e.model.roomMember === false));
    for (const r of rooms) assert.deepEqual(r.permissions, { admin: false });
    assert.ok(rooms.some((r) => r.roomMember === true && typeof r.lastAccessTime === "string"));
  });
});

async function bayeux(message: object): Promise<{ successful?: boolean; error?: string; clientId?: string }> {
  const res = await fetch(`${api.emu.url}/bayeux`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify([message]) });
  return ((await res.json()) as { successful?: boolean; error?: string; clientId?: string }[])[0];
}

async function handshake(token: string): Promise<string> {
  const reply = await bayeux({ channel: "/meta/handshake", version: "1.0", supportedConnectionTypes: ["long-polling"], ext: { token } });
  assert.equal(reply.successful, true, reply.error);
  return reply.clientId!;
}
