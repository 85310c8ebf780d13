// Rooms over REST: listing, resolving by uri, one-to-ones, joining, leaving, hiding and member lists.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ALICE, BOB, startTestEmulator, type Api } from "./emulator-helpers";

interface Room { id: string; name: string; uri?: string; oneToOne: boolean; userCount: number; roomMember?: boolean;
  user?: { username: string }; url: string; githubType: string; security?: string; unreadItems: number }

describe("emulator rooms", () => {
  let api: Api;
  before(async () => {
    api = await startTestEmulator({ control: true });
  });
  after(() => api.emu.stop());

  it("lists the caller's rooms the same at /v1/rooms and /v1/user/me/rooms", async () => {
    const rooms = await api.json<Room[]>("GET", "/v1/rooms", ALICE);
    assert.deepEqual(rooms.map((r) => r.uri ?? r.name).sort(), ["Carol Chen", "test/general"]);
    const general = rooms.find((r) => r.uri === "test/general")!;
    assert.equal(general.userCount, 3);
    assert.equal(general.security, "PUBLIC");
    const dm = rooms.find((r) => r.oneToOne)!;
    assert.equal(dm.uri, undefined);
    assert.equal(dm.user?.username, "carol");
    assert.equal(dm.url, "/carol");
    assert.equal(dm.githubType, "ONETOONE");
    assert.deepEqual(await api.json("GET", "/v1/user/me/rooms", ALICE), rooms);
    assert.equal((await api.call("GET", `/v1/user/${api.userId("bob")}/rooms`, ALICE)).status, 403);
  });

  it("searches rooms and users", async () => {
    const found = await api.json<{ results: Room[] }>("GET", "/v1/rooms?q=other", ALICE);
    assert.deepEqual(found.results.map((r) => r.uri), ["test/other"]);
    const none = await api.json<{ results: Room[] }>("GET", "/v1/rooms?q=private", ALICE);
    assert.deepEqual(none.results, [], "private rooms are not found");
    const users = await api.json<{ results: { username: string }[] }>("GET", "/v1/user?q=car", ALICE);
    assert.deepEqual(users.results.map((u) => u.username), ["carol"]);
    const profile = await api.json("GET", "/v1/users/bob", ALICE);
    assert.equal(profile.displayName, "Bob Brown");
    assert.equal((await api.call("GET", "/v1/users/nobody", ALICE)).status, 404);
  });

  it("resolves a uri case-insensitively without joining", async () => {
    const room = await api.json<Room>("POST", "/v1/rooms", ALICE, { uri: "TEST/Other" });
    assert.equal(room.uri, "test/other");
    assert.equal(room.roomMember, false);
    assert.equal(api.emu.state.isMember(api.userId("alice"), room.id), false);
    assert.equal((await api.call("POST", "/v1/rooms", ALICE, { uri: "test/missing" })).status, 404);
    assert.equal((await api.call("POST", "/v1/rooms", ALICE, { uri: "test/private" })).status, 404);
    assert.equal((await api.call("POST", "/v1/rooms", ALICE, {})).status, 400);
    assert.equal((await api.call("POST", "/v1/rooms", ALICE, { uri: "alice" })).status, 404, "one's own username");
  });

  it("opens a one-to-one from a username; both become members and the other side is told", async () => {
    const before = api.live.length;
    const room = await api.json<Room>("POST", "/api/v1/rooms", ALICE, { uri: "bob" });
    assert.equal(room.oneToOne, true);
    assert.equal(room.name, "Bob Brown");
    assert.equal(room.user?.username, "bob");
    assert.equal(room.uri, undefined);
    const bobsRooms = await api.json<Room[]>("GET", "/v1/rooms", BOB);
    const seenByBob = bobsRooms.find((r) => r.id === room.id);
    assert.equal(seenByBob?.name, "Alice Anders");
    const created = api.live.slice(before).find((e) => e.kind === "userRooms" && e.operation === "create" && e.userId === api.userId("bob"));
    assert.ok(created && created.kind === "userRooms");
    assert.equal(created.model.id, room.id);
    assert.equal("unread" in created.model, false);
    const again = await api.json<Room>("POST", "/v1/rooms", ALICE, { uri: "Bob" });
    assert.equal(again.id, room.id, "the same room the second time");
    const leave = await api.call("DELETE", `/v1/rooms/${room.id}/users/${api.userId("alice")}`, ALICE);
    assert.equal(leave.status, 400, "one-to-one rooms cannot be left");
  });

  it("joins by id and leaves, pushing userRooms and roomUsers events", async () => {
    const other = api.roomId("test/other");
    const alice = api.userId("alice");
    const joined = await api.json<Room>("POST", "/v1/user/me/rooms", ALICE, { id: other });
    assert.equal(joined.roomMember, true);
    assert.ok(api.live.some((e) => e.kind === "roomUsers" && e.roomId === other && e.operation === "create" && e.model.id === alice));
    assert.ok(api.live.some((e) => e.kind === "userRooms" && e.userId === alice && e.operation === "create" && e.model.id === other));
    assert.equal((await api.call("POST", "/v1/user/me/rooms", ALICE, { id: "nope" })).status, 400);
    assert.equal((await api.call("POST", "/v1/user/me/rooms", ALICE, { id: "0".repeat(24) })).status, 500);
    assert.equal((await api.call("POST", "/v1/user/me/rooms", ALICE, { id: api.roomId("test/private") })).status, 403);
    const left = await api.json("DELETE", `/v1/rooms/${other}/users/${alice}`, ALICE);
    assert.deepEqual(left, { success: true });
    assert.equal(api.emu.state.isMember(alice, other), false);
    assert.ok(api.live.some((e) => e.kind === "userRooms" && e.userId === alice && e.operation === "remove" && e.model.id === other));
    assert.ok(api.live.some((e) => e.kind === "roomUsers" && e.roomId === other && e.operation === "remove" && e.model.id === alice));
    assert.equal((await api.call("DELETE", `/v1/rooms/${other}/users/${api.userId("bob")}`, ALICE)).status, 403, "no kicking");
  });

  it("gets a room by id: 400 malformed, 404 unknown, 403 private", async () => {
    const room = await api.json<Room & { permissions: unknown }>("GET", `/v1/rooms/${api.roomId("test/general")}`, ALICE);
    assert.deepEqual(room.permissions, { admin: false });
    assert.equal((await api.call("GET", "/v1/rooms/xyz", ALICE)).status, 400);
    const unknown = await api.call("GET", `/v1/rooms/${"1".repeat(24)}`, ALICE);
    assert.equal(unknown.status, 404);
    assert.deepEqual(await unknown.json(), { error: "Not Found" });
    assert.equal((await api.call("GET", `/v1/rooms/${api.roomId("test/private")}`, ALICE)).status, 403);
  });

  it("lists members with limit (default 30, max 100), skip and q", async () => {
    const general = api.roomId("test/general");
    const state = api.emu.state;
    for (let i = 0; i < 120; i++) state.rooms.join(state.createUser({ username: `member${String(i).padStart(3, "0")}` }).id, general);
    const names = (q: string) => api.json<{ username: string }[]>("GET", `/v1/rooms/${general}/users?${q}`, ALICE).then((us) => us.map((u) => u.username));
    assert.equal((await names("")).length, 30);
    assert.equal((await names("limit=500")).length, 100);
    assert.deepEqual(await names("limit=2&skip=3"), ["member000", "member001"]);
    assert.deepEqual(await names("q=bo"), ["bob"]);
  });
});
