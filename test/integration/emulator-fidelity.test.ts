// Where the real Gitter is less kind than its API reads (docs/gitter-fidelity.md): thread replies rewrite their
// root, big rooms get no join pushes, and the spam check drops messages while answering 200.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { LiveEvent } from "../../emulator/live";
import { BIG_ROOM_USERS } from "../../emulator/room-book";
import { ALICE, BOB, startTestEmulator, type Api } from "./emulator-helpers";

interface Msg { id: string; text: string; html: string; v?: number; threadMessageCount?: number; fromUser: { id: string } }

type ChatEvent = Extract<LiveEvent, { kind: "chat" }>;

describe("emulator fidelity: messages and members", () => {
  let api: Api;
  let room: string;
  let path: string;
  before(async () => {
    api = await startTestEmulator({ control: true });
    room = api.roomId("test/general");
    path = `/v1/rooms/${room}/chatMessages`;
  });
  after(() => api.emu.stop());

  const chatEvents = (id: string): ChatEvent[] => api.live.filter((e): e is ChatEvent => e.kind === "chat" && e.model.id === id);

  /** A user created now (in Gitter's 14-day probation), in test/general, with a token. */
  function newcomer(username: string): string {
    const user = api.emu.state.createUser({ username });
    api.emu.state.rooms.join(user.id, room);
    return api.emu.state.issueToken(user.id, "test-client");
  }

  it("pushes a full update of the thread root, v raised, for each reply added or deleted", async () => {
    const root = await api.json<Msg>("POST", path, ALICE, { text: "root of a thread" });
    const reply = await api.json<Msg>("POST", path, BOB, { text: "first reply", parentId: root.id });
    const [created, counted] = chatEvents(root.id);
    assert.equal(created?.operation, "create");
    assert.equal(counted?.operation, "update");
    assert.equal(counted?.model.v, 2);
    assert.equal(counted?.model.threadMessageCount, 1);
    assert.equal(counted?.model.text, "root of a thread", "the whole message, text unchanged");
    assert.equal(counted?.model.html, root.html);
    assert.equal("editedAt" in (counted?.model ?? {}), false, "not an edit");
    assert.equal(chatEvents(root.id).some((e) => e.operation === "patch"), false);
    await api.call("DELETE", `${path}/${reply.id}`, BOB);
    const uncounted = chatEvents(root.id).at(-1);
    assert.equal(uncounted?.operation, "update");
    assert.equal(uncounted?.model.v, 3);
    assert.equal(uncounted?.model.threadMessageCount, undefined);
    assert.equal((await api.json<Msg>("GET", `${path}/${root.id}`, ALICE)).v, 3);
  });

  it("answers 200 but stores and pushes nothing once a young account repeats itself, and from then on", async () => {
    const token = newcomer("newbie");
    const text = "buy cheap watches at example.com";
    for (let i = 0; i < 10; i++) assert.equal(typeof (await api.json<Msg>("POST", path, token, { text })).v, "number");
    const before = api.live.length;
    const dropped = await api.call("POST", path, token, { text });
    assert.equal(dropped.status, 200);
    const body = (await dropped.json()) as Msg;
    assert.equal(body.text, text);
    assert.match(body.id, /^[0-9a-f]{24}$/);
    assert.equal(body.v, undefined, "never saved: no version");
    assert.equal(body.fromUser.id, api.userId("newbie"));
    assert.equal((await api.call("GET", `${path}/${body.id}`, ALICE)).status, 404);
    const later = (await (await api.call("POST", path, token, { text: "an honest question" })).json()) as Msg;
    assert.equal((await api.call("GET", `${path}/${later.id}`, ALICE)).status, 404, "hellbanned: every message dropped");
    assert.equal(api.live.length, before, "nothing pushed");
    assert.equal(api.emu.state.findUserByName("newbie")?.hellbanned, true);
  });

  it("spares accounts past the 14-day probation, and allows more repeats of short texts", async () => {
    for (let i = 0; i < 12; i++) await api.json<Msg>("POST", path, ALICE, { text: "the same long sentence, again and again" });
    const stored = api.emu.state.chat.roomMessages(room).filter((m) => m.text === "the same long sentence, again and again");
    assert.equal(stored.length, 12);
    const token = newcomer("shorty");
    for (let i = 0; i < 20; i++) await api.json<Msg>("POST", path, token, { text: "thanks!" });
    assert.equal(api.emu.state.chat.roomMessages(room).filter((m) => m.text === "thanks!").length, 20);
  });

  it("counts a dropped reply on its root all the same", async () => {
    const root = await api.json<Msg>("POST", path, ALICE, { text: "a root for a banned reply" });
    const user = api.emu.state.findUserByName("newbie")!;
    const reply = (await (await api.call("POST", path, api.emu.state.issueToken(user.id, "test-client"), { text: "x", parentId: root.id })).json()) as Msg;
    assert.equal((await api.call("GET", `${path}/${reply.id}`, ALICE)).status, 404);
    assert.equal((await api.json<Msg>("GET", `${path}/${root.id}`, ALICE)).threadMessageCount, 1);
  });

  it("pushes no member join in a room of more than 100 users, but still pushes leaves", async () => {
    const state = api.emu.state;
    const big = state.createRoom({ uri: "test/big" });
    for (let i = 0; i <= BIG_ROOM_USERS; i++) state.rooms.join(state.createUser({ username: `crowd${i}`, ageDays: 100 }).id, big.id);
    type MemberEvent = Extract<LiveEvent, { kind: "roomUsers" }>;
    const joinsOf = (userId: string) =>
      api.live.filter((e): e is MemberEvent => e.kind === "roomUsers" && e.roomId === big.id && e.model.id === userId);
    const last = state.findUserByName(`crowd${BIG_ROOM_USERS}`)!;
    assert.equal(joinsOf(last.id).length, 1, "joining 100 users is still announced");
    const alice = api.userId("alice");
    await api.json("POST", "/v1/user/me/rooms", ALICE, { id: big.id });
    assert.equal(state.isMember(alice, big.id), true);
    assert.deepEqual(joinsOf(alice), [], "no join push into 101 users");
    assert.ok(api.live.some((e) => e.kind === "userRooms" && e.userId === alice && e.operation === "create" && e.model.id === big.id));
    await api.json("DELETE", `/v1/rooms/${big.id}/users/${alice}`, ALICE);
    assert.deepEqual(joinsOf(alice).map((e) => e.operation), ["remove"]);
  });
});
