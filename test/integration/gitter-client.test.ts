// The REST client over real HTTP against the emulator: every call the bridge makes, with Gitter's own answers.
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import { GitterApiError, GitterNotFoundError } from "../../src/gitter/errors";
import { GitterRestClient } from "../../src/gitter/rest";

const FIXTURE = path.join(__dirname, "..", "..", "fixtures", "test.yaml");
const ALICE_TOKEN = "a".repeat(40);

let emu: RunningEmulator;
let alice: GitterRestClient;

/** Acts as another user through the emulator's control API. */
async function control(method: string, route: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${emu.url}/_emulator${route}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.ok(res.ok, `control ${method} ${route} -> ${res.status}`);
  return (await res.json()) as Record<string, unknown>;
}

async function roomId(uri: string): Promise<string> {
  return (await alice.resolveRoom(uri)).id;
}

before(async () => {
  emu = await startEmulator({ port: 0, fixture: FIXTURE, control: true });
  alice = new GitterRestClient({ apiUrl: emu.url, token: ALICE_TOKEN });
});
after(() => emu.stop());

describe("current user and users", () => {
  it("reads the current user in both forms, also under the /api prefix", async () => {
    const me = await alice.getCurrentUser();
    assert.equal(me.username, "alice");
    assert.equal(me.displayName, "Alice Anders");
    assert.equal((await alice.getCurrentUserFromList()).id, me.id);
    const viaWebHost = new GitterRestClient({ apiUrl: `${emu.url}/api`, token: ALICE_TOKEN });
    assert.equal((await viaWebHost.getCurrentUser()).id, me.id);
  });

  it("searches users and reads a profile by username; unknown is 404", async () => {
    const found = await alice.searchUsers("car");
    assert.deepEqual(found.map((u) => u.username), ["carol"]);
    const bob = await alice.getUserByUsername("bob");
    assert.equal(bob.username, "bob");
    assert.equal(bob.has_gitter_login, true);
    await assert.rejects(alice.getUserByUsername("nobody-here"), GitterNotFoundError);
  });
});

describe("rooms", () => {
  it("lists my rooms, including the one-to-one", async () => {
    const rooms = await alice.listRooms();
    assert.ok(rooms.some((r) => r.uri === "test/general" && !r.oneToOne));
    const dm = rooms.find((r) => r.oneToOne);
    assert.equal(dm?.user?.username, "carol");
    assert.equal(dm?.uri, undefined);
  });

  it("resolves a uri without joining, case-insensitively; a username opens the one-to-one", async () => {
    const other = await alice.resolveRoom("TEST/Other");
    assert.equal(other.uri, "test/other");
    assert.ok(!(await alice.listRooms()).some((r) => r.id === other.id), "resolving does not join");
    const dm = await alice.resolveRoom("bob");
    assert.equal(dm.oneToOne, true);
    assert.equal(dm.user?.username, "bob");
    await assert.rejects(alice.resolveRoom("test/does-not-exist"), GitterNotFoundError);
    await assert.rejects(alice.resolveRoom("test/private"), GitterNotFoundError);
  });

  it("joins by id, reads the room, then leaves it", async () => {
    const id = await roomId("test/other");
    const joined = await alice.joinRoom(id);
    assert.equal(joined.roomMember, true);
    assert.equal((await alice.getRoom(id)).uri, "test/other");
    assert.ok((await alice.listRooms()).some((r) => r.id === id));
    assert.deepEqual(await alice.leaveRoom(id), { success: true });
    assert.ok(!(await alice.listRooms()).some((r) => r.id === id));
  });

  it("hides a one-to-one room, which cannot be left", async () => {
    const dm = await alice.resolveRoom("carol");
    await assert.rejects(alice.leaveRoom(dm.id), (err: GitterApiError) => err.status === 400);
    assert.deepEqual(await alice.hideRoom(dm.id), { success: true });
    // Still listed, as in Gitter, but without a last access time: hidden.
    assert.equal((await alice.listRooms()).find((r) => r.id === dm.id)?.lastAccessTime, undefined);
  });

  it("answers 404 for an unknown room id and 400 for a malformed one", async () => {
    await assert.rejects(alice.getRoom("5f0000000000000000000000"), (err: unknown) => {
      assert.ok(err instanceof GitterNotFoundError);
      assert.equal(err.status, 404);
      assert.match(err.userMessage, /could not find/);
      return true;
    });
    await assert.rejects(alice.getRoom("not-an-id"), (err: GitterApiError) => err.status === 400);
  });

  it("pages and filters members, and searches rooms", async () => {
    const id = await roomId("test/general");
    const all = await alice.listRoomMembers(id);
    assert.deepEqual(all.map((u) => u.username).sort(), ["alice", "bob", "carol"]);
    assert.equal((await alice.listRoomMembers(id, { limit: 2 })).length, 2);
    assert.equal((await alice.listRoomMembers(id, { limit: 2, skip: 2 })).length, 1);
    assert.deepEqual((await alice.listRoomMembers(id, { q: "bo" })).map((u) => u.username), ["bob"]);
    const rooms = await alice.searchRooms("general");
    assert.ok(rooms.some((r) => r.uri === "test/general"));
  });
});

describe("messages", () => {
  it("sends text, status and thread replies; threads stay out of the main list unless asked", async () => {
    const id = await roomId("test/general");
    const root = await alice.sendMessage(id, { text: "hello from the client ✓" });
    assert.equal(root.text, "hello from the client ✓");
    assert.equal(root.fromUser.username, "alice");
    const status = await alice.sendMessage(id, { text: "waves", status: true });
    assert.equal(status.status, true);
    const reply = await alice.sendMessage(id, { text: "a reply", parentId: root.id });
    assert.equal(reply.parentId, root.id);
    const main = await alice.listMessages(id, { afterId: root.id });
    assert.deepEqual(main.map((m) => m.id), [status.id]);
    const all = await alice.listMessages(id, { afterId: root.id, includeThreads: true });
    assert.deepEqual(all.map((m) => m.id), [status.id, reply.id]);
    assert.deepEqual((await alice.listThread(id, root.id)).map((m) => m.id), [reply.id]);
    assert.equal((await alice.getMessage(id, reply.id)).text, "a reply");
  });

  it("pages history with beforeId, afterId, aroundId and limit, oldest first", async () => {
    const id = await roomId("test/general");
    const sent = [];
    for (let i = 0; i < 5; i++) sent.push(await alice.sendMessage(id, { text: `page ${i}` }));
    const ids = sent.map((m) => m.id);
    assert.deepEqual((await alice.listMessages(id, { afterId: ids[0], limit: 2 })).map((m) => m.id), ids.slice(1, 3));
    assert.deepEqual((await alice.listMessages(id, { beforeId: ids[4], limit: 2 })).map((m) => m.id), ids.slice(2, 4));
    const around = await alice.listMessages(id, { aroundId: ids[2], limit: 4 });
    assert.ok(around.find((m) => m.id === ids[2])?.initial);
    assert.deepEqual((await alice.listMessages(id, { limit: 1 })).map((m) => m.id), [ids[4]]);
  });

  it("edits, then deletes (204, empty body); the deleted message is gone", async () => {
    const id = await roomId("test/general");
    const msg = await alice.sendMessage(id, { text: "typo hre" });
    const edited = await alice.editMessage(id, msg.id, "typo here");
    assert.equal(edited.text, "typo here");
    assert.ok(edited.editedAt);
    assert.ok((edited.v ?? 0) > (msg.v ?? 1));
    assert.equal(await alice.deleteMessage(id, msg.id), undefined);
    await assert.rejects(alice.getMessage(id, msg.id), GitterNotFoundError);
    await assert.rejects(alice.deleteMessage(id, msg.id), GitterNotFoundError);
  });

  it("refuses an empty message and someone else's edit", async () => {
    const id = await roomId("test/general");
    await assert.rejects(alice.sendMessage(id, { text: "" }), (err: GitterApiError) => err.status === 400);
    const bobs = await control("POST", "/messages", { user: "bob", room: "test/general", text: "bob's words" });
    await assert.rejects(alice.editMessage(id, String(bobs.id), "not mine"), (err: GitterApiError) => err.status === 403);
  });
});

describe("unread items", () => {
  it("reads, marks one read, then marks all read", async () => {
    const id = await roomId("test/general");
    const first = await control("POST", "/messages", { user: "bob", room: "test/general", text: "unread one" });
    const second = await control("POST", "/messages", { user: "carol", room: "test/general", text: "unread two @alice" });
    const unread = await alice.getUnreadItems(id);
    assert.ok(unread.chat.includes(String(first.id)) && unread.chat.includes(String(second.id)));
    await alice.markRead(id, [String(first.id)]);
    const after = await alice.getUnreadItems(id);
    assert.ok(!after.chat.includes(String(first.id)));
    assert.ok(after.chat.includes(String(second.id)));
    await alice.markAllRead(id);
    assert.deepEqual((await alice.getUnreadItems(id)).chat, []);
  });
});
