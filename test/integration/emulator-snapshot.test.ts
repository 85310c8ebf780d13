// stateFile: an emulator stopped and started again on the same file finds its world as it left it (users,
// rooms, members, messages with their ids, edits and deletions, unread items, tokens), and the ids it makes
// afterwards still rise above every earlier one. The demo's --keep rests on this.
import assert from "node:assert/strict";
import { mkdtemp, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { ALICE, BOB, startTestEmulator, type Api } from "./emulator-helpers";

interface Msg {
  id: string;
  text: string;
  editedAt?: string;
}

describe("emulator state kept in a file", () => {
  let dir: string;
  let file: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "emulator-snapshot-"));
    file = path.join(dir, "world.json");
  });
  after(() => rm(dir, { recursive: true, force: true }));

  /** The room's messages, with the emulator's own address (in avatar URLs; a new port each start) taken out. */
  const messages = async (api: Api, room: string, token: string): Promise<Msg[]> =>
    JSON.parse(JSON.stringify(await api.json<Msg[]>("GET", `/v1/rooms/${room}/chatMessages?limit=100`, token)).split(api.emu.url).join("EMU")) as Msg[];

  it("restores everything after a stop and goes on with rising ids", async () => {
    const first = await startTestEmulator({ stateFile: file });
    const general = first.roomId("test/general");
    const kept = await first.json<Msg>("POST", `/v1/rooms/${general}/chatMessages`, ALICE, { text: "kept" });
    const edited = await first.json<Msg>("POST", `/v1/rooms/${general}/chatMessages`, ALICE, { text: "before the edit" });
    await first.json("PUT", `/v1/rooms/${general}/chatMessages/${edited.id}`, ALICE, { text: "after the edit" });
    const gone = await first.json<Msg>("POST", `/v1/rooms/${general}/chatMessages`, ALICE, { text: "deleted" });
    await first.call("DELETE", `/v1/rooms/${general}/chatMessages/${gone.id}`, ALICE);
    const bobId = first.userId("bob");
    const unreadBefore = await first.json<{ chat: string[] }>("GET", `/v1/user/${bobId}/rooms/${general}/unreadItems`, BOB);
    const before = await messages(first, general, ALICE);
    await first.emu.stop();
    assert.equal((await stat(file)).mode & 0o777, 0o600);

    const second = await startTestEmulator({ stateFile: file });
    try {
      assert.equal(second.roomId("test/general"), general);
      const after = await messages(second, general, ALICE);
      assert.deepEqual(after, before);
      assert.ok(after.some((m) => m.id === edited.id && m.text === "after the edit" && m.editedAt));
      assert.ok(!after.some((m) => m.id === gone.id));
      assert.ok(after.some((m) => m.id === kept.id));
      assert.deepEqual(await second.json("GET", `/v1/user/${bobId}/rooms/${general}/unreadItems`, BOB), unreadBefore);
      const next = await second.json<Msg>("POST", `/v1/rooms/${general}/chatMessages`, BOB, { text: "after the restart" });
      assert.ok(next.id > gone.id, `${next.id} rises above ${gone.id}`);
      // Carol's rooms: the private room she alone is in, and the one-to-one with alice.
      const carolRooms = second.emu.state.rooms.roomsOf(second.userId("carol")).map((r) => r.uri ?? "one-to-one");
      assert.deepEqual(carolRooms.sort(), ["one-to-one", "test/general", "test/private"]);
    } finally {
      await second.emu.stop();
    }
  });

  it("keeps a revoked token revoked", async () => {
    const first = await startTestEmulator({ stateFile: file });
    assert.equal(first.emu.state.revokeToken(BOB), true);
    await first.emu.stop();
    const second = await startTestEmulator({ stateFile: file });
    try {
      assert.equal((await second.call("GET", "/v1/user", BOB)).status, 401);
      assert.equal((await second.call("GET", "/v1/user", ALICE)).status, 200);
    } finally {
      await second.emu.stop();
    }
  });

  it("starts from the fixture when the file does not exist yet", async () => {
    const fresh = await startTestEmulator({ stateFile: path.join(dir, "new.json") });
    try {
      const general = fresh.roomId("test/general");
      assert.deepEqual((await messages(fresh, general, ALICE)).map((m) => m.text), ["an old message"]);
    } finally {
      await fresh.emu.stop();
    }
  });
});
