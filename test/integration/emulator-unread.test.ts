// Unread items and read markers over REST, and the live events they cause.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ALICE, BOB, startTestEmulator, type Api } from "./emulator-helpers";

describe("emulator unread items", () => {
  let api: Api;
  let room: string;
  let unreadPath: string;
  before(async () => {
    api = await startTestEmulator();
    room = api.roomId("test/general");
    unreadPath = `/v1/user/me/rooms/${room}/unreadItems`;
  });
  after(() => api.emu.stop());

  const send = (text: string, token: string) =>
    api.json<{ id: string }>("POST", `/v1/rooms/${room}/chatMessages`, token, { text }).then((m) => m.id);

  it("starts with no unread items (fixture history counts as read)", async () => {
    assert.deepEqual(await api.json("GET", unreadPath, ALICE), { chat: [], mention: [] });
    assert.deepEqual(await api.json("GET", "/v1/user/me/unreadItems", ALICE), []);
  });

  it("records messages from others as unread, mentions separately, never one's own", async () => {
    const plain = await send("hello all", BOB);
    const mention = await send("hey @alice", BOB);
    await send("my own", ALICE);
    const items = await api.json<{ chat: string[]; mention: string[] }>("GET", unreadPath, ALICE);
    assert.deepEqual(items, { chat: [plain, mention].sort(), mention: [mention] });
    const summary = await api.json("GET", "/v1/user/me/unreadItems", ALICE);
    assert.deepEqual(summary, [{ id: room, uri: "test/general", unreadItems: 2, mentions: 1 }]);
    const rooms = await api.json<{ id: string; unreadItems: number; mentions: number }[]>("GET", "/v1/rooms", ALICE);
    const general = rooms.find((r) => r.id === room)!;
    assert.equal(general.unreadItems, 2);
    assert.equal(general.mentions, 1);
    const patch = api.live.filter((e) => e.kind === "userRooms" && e.operation === "patch" && e.userId === api.userId("alice") && "unreadItems" in e.model).at(-1);
    assert.deepEqual(patch && patch.kind === "userRooms" ? patch.model : undefined, { id: room, unreadItems: 2, mentions: 1 });
  });

  it("marks items read, raising readBy and pushing a patch", async () => {
    const items = await api.json<{ chat: string[] }>("GET", unreadPath, ALICE);
    const first = items.chat[0];
    assert.deepEqual(await api.json("POST", unreadPath, ALICE, { chat: [first] }), { success: true });
    const after = await api.json<{ chat: string[] }>("GET", unreadPath, ALICE);
    assert.equal(after.chat.includes(first), false);
    assert.equal(after.chat.length, items.chat.length - 1);
    const msg = await api.json<{ readBy: number; unread: boolean }>("GET", `/v1/rooms/${room}/chatMessages/${first}`, ALICE);
    assert.equal(msg.readBy, 1);
    assert.equal(msg.unread, false);
    assert.ok(api.live.some((e) => e.kind === "chat" && e.operation === "patch" && e.model.id === first && e.model.readBy === 1));
    assert.equal((await api.call("POST", unreadPath, ALICE, { chat: [] })).status, 400);
  });

  it("marks everything read with DELETE .../unreadItems/all", async () => {
    await send("one more", BOB);
    assert.deepEqual(await api.json("DELETE", `${unreadPath}/all`, ALICE), { success: true });
    assert.deepEqual(await api.json("GET", unreadPath, ALICE), { chat: [], mention: [] });
    assert.deepEqual(await api.json("GET", `/v1/user/me/unreadItems`, ALICE), []);
    assert.equal((await api.call("DELETE", `${unreadPath}/some`, ALICE)).status, 404);
  });

  it("drops a deleted message from unread items", async () => {
    const id = await send("soon gone", BOB);
    assert.ok((await api.json<{ chat: string[] }>("GET", unreadPath, ALICE)).chat.includes(id));
    assert.equal((await api.call("DELETE", `/v1/rooms/${room}/chatMessages/${id}`, BOB)).status, 204);
    assert.equal((await api.json<{ chat: string[] }>("GET", unreadPath, ALICE)).chat.includes(id), false);
  });

  it("refuses another user's unread items with 403", async () => {
    assert.equal((await api.call("GET", `/v1/user/${api.userId("bob")}/rooms/${room}/unreadItems`, ALICE)).status, 403);
    assert.equal((await api.call("GET", `/v1/user/${api.userId("bob")}/unreadItems`, ALICE)).status, 403);
  });
});
