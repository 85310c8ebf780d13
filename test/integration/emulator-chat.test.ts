// Chat messages over REST: sending, rendering, ids, list paging, edits, deletes and threads.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { idTimestampMs } from "../../emulator/ids";
import { ALICE, BOB, startTestEmulator, type Api } from "./emulator-helpers";

interface Msg { id: string; text: string; html: string; sent: string; v: number; editedAt?: string; parentId?: string;
  threadMessageCount?: number; status?: boolean; initial?: boolean; unread?: boolean; mentions: { screenName: string; userId?: string }[] }

describe("emulator chat messages", () => {
  let api: Api;
  let room: string;
  let path: string;
  before(async () => {
    api = await startTestEmulator();
    room = api.roomId("test/general");
    path = `/v1/rooms/${room}/chatMessages`;
  });
  after(() => api.emu.stop());

  const send = (text: string, token = ALICE, extra: Record<string, unknown> = {}) => api.json<Msg>("POST", path, token, { text, ...extra });

  it("sends a message and renders html, mentions and the status flag (no /me command)", async () => {
    const msg = await send("hi @bob, see **this** <b>raw</b>");
    assert.equal(msg.html, 'hi <span data-link-type="mention" data-screen-name="bob" class="mention">@bob</span>, see <strong>this</strong> &lt;b&gt;raw&lt;/b&gt;');
    assert.deepEqual(msg.mentions, [{ screenName: "bob", userId: api.userId("bob"), userIds: [] }]);
    assert.equal(msg.v, 1);
    assert.equal("editedAt" in msg, false);
    assert.equal(msg.unread, false);
    assert.equal((await send("@alice waves", ALICE, { status: true })).status, true);
    const literal = await send("/me waves");
    assert.equal(literal.status, undefined, "the server stores status as sent; /me is the client's business");
    assert.equal(literal.text, "/me waves");
    assert.equal((await send("plain")).status, undefined);
    const fetched = await api.json<Msg>("GET", `${path}/${msg.id}`, BOB);
    assert.equal(fetched.text, msg.text);
    assert.equal(fetched.unread, true, "unread for bob, who was mentioned");
  });

  it("pushes the message without `unread` on the live channel", async () => {
    const msg = await send("live one");
    const e = api.live.find((x) => x.kind === "chat" && x.operation === "create" && x.model.id === msg.id);
    assert.ok(e && e.kind === "chat");
    assert.equal(e.roomId, room);
    assert.equal("unread" in e.model, false);
    assert.equal(e.model.text, "live one");
  });

  it("refuses empty, oversize and misdirected messages", async () => {
    const empty = await api.call("POST", path, ALICE, { text: "" });
    assert.equal(empty.status, 400);
    assert.deepEqual(await empty.json(), { error: "Bad Request" });
    const big = await api.call("POST", path, ALICE, { text: "x".repeat(4097) });
    assert.equal(big.status, 400);
    assert.deepEqual(await big.json(), { error: "Bad Request" });
    assert.equal((await api.call("POST", path, ALICE, { text: "y".repeat(4096) })).status, 200);
    const unknown = await api.call("POST", `/v1/rooms/${"0".repeat(24)}/chatMessages`, ALICE, { text: "x" });
    assert.equal(unknown.status, 404);
    assert.deepEqual(await unknown.json(), { error: "Not Found" });
    assert.equal((await api.call("POST", "/v1/rooms/not-an-id/chatMessages", ALICE, { text: "x" })).status, 400);
    assert.equal((await api.call("POST", `/v1/rooms/${api.roomId("test/private")}/chatMessages`, ALICE, { text: "x" })).status, 403);
    assert.equal((await api.call("GET", `/v1/rooms/${api.roomId("test/private")}/chatMessages`, ALICE)).status, 403);
  });

  it("makes ids that rise strictly and embed the send time in seconds", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const before = Date.now();
      const msg = await send(`order ${i}`);
      assert.match(msg.id, /^[0-9a-f]{24}$/);
      const ts = idTimestampMs(msg.id);
      assert.ok(ts <= Date.parse(msg.sent) && Date.parse(msg.sent) - ts < 1000, `${msg.id} vs ${msg.sent}`);
      assert.ok(ts >= Math.floor(before / 1000) * 1000);
      ids.push(msg.id);
    }
    assert.deepEqual([...ids].sort(), ids);
    assert.equal(new Set(ids).size, ids.length);
  });

  it("pages with limit, beforeId, afterId, aroundId and skip like Gitter", async () => {
    const other = api.roomId("test/other");
    const p = `/v1/rooms/${other}/chatMessages`;
    const sent: string[] = [];
    for (let i = 0; i < 12; i++) sent.push((await api.json<Msg>("POST", p, BOB, { text: `m${i}` })).id);
    const list = (q: string) => api.json<Msg[]>("GET", `${p}?${q}`, BOB).then((ms) => ms.map((m) => m.text));
    assert.deepEqual(await list("limit=3"), ["m9", "m10", "m11"], "the newest, oldest first");
    assert.deepEqual(await list(`limit=3&beforeId=${sent[5]}`), ["m2", "m3", "m4"]);
    assert.deepEqual(await list(`limit=3&afterId=${sent[5]}`), ["m6", "m7", "m8"], "the oldest after it");
    assert.deepEqual(await list(`limit=3&skip=2`), ["m7", "m8", "m9"]);
    assert.deepEqual(await list(`limit=4&aroundId=${sent[5]}`), ["m4", "m5", "m6", "m7"]);
    const around = await api.json<Msg[]>("GET", `${p}?limit=4&aroundId=${sent[5]}`, BOB);
    assert.deepEqual(around.map((m) => Boolean(m.initial)), [false, true, false, false]);
    assert.deepEqual(await list(`limit=2&aroundId=${"0".repeat(24)}`), ["m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9", "m10", "m11"],
      "an unknown aroundId gives the latest default page");
    assert.equal((await list("limit=500")).length, 12);
    const skip = await api.call("GET", `${p}?skip=5001`, BOB);
    assert.equal(skip.status, 400);
    assert.equal((await api.call("GET", `${p}?skip=5000`, BOB)).status, 200);
  });

  it("caps limit at 100", async () => {
    const p = `/v1/rooms/${api.roomId("test/other")}/chatMessages`;
    for (let i = 0; i < 100; i++) api.emu.state.postMessage(api.userId("bob"), api.roomId("test/other"), { text: `bulk ${i}` });
    assert.equal((await api.json<Msg[]>("GET", `${p}?limit=1000`, BOB)).length, 100);
    assert.equal((await api.json<Msg[]>("GET", p, BOB)).length, 50);
  });

  it("edits: author only, v rises, editedAt set, not after the edit window", async () => {
    const msg = await send("first draft");
    const notMine = await api.call("PUT", `${path}/${msg.id}`, BOB, { text: "hijack" });
    assert.equal(notMine.status, 403);
    assert.deepEqual(await notMine.json(), { error: "Forbidden" });
    const edited = await api.json<Msg>("PUT", `${path}/${msg.id}`, ALICE, { text: "second draft" });
    assert.equal(edited.v, 2);
    assert.ok(edited.editedAt);
    assert.equal((await api.json<Msg>("PUT", `${path}/${msg.id}`, ALICE, { text: "third" })).v, 3);
    const update = api.live.find((e) => e.kind === "chat" && e.operation === "update" && e.model.id === msg.id && e.model.v === 2);
    assert.ok(update, "an update is pushed");
    const old = api.emu.state.chat.roomMessages(room).find((m) => m.text === "an old reply")!;
    const late = await api.call("PUT", `${path}/${old.id}`, ALICE, { text: "too late" });
    assert.equal(late.status, 400);
    assert.deepEqual(await late.json(), { error: "Bad Request" });
    assert.equal((await api.call("PUT", `${path}/${"0".repeat(24)}`, ALICE, { text: "x" })).status, 404);
  });

  it("honours a configured edit window", async () => {
    const msg = await send("short window");
    api.emu.state.editWindowSeconds = 0;
    await new Promise((r) => setTimeout(r, 20));
    assert.equal((await api.call("PUT", `${path}/${msg.id}`, ALICE, { text: "nope" })).status, 400);
    api.emu.state.editWindowSeconds = 600;
  });

  it("deletes with 204 and an empty body, author only", async () => {
    const msg = await send("doomed");
    assert.equal((await api.call("DELETE", `${path}/${msg.id}`, BOB)).status, 403);
    const res = await api.call("DELETE", `${path}/${msg.id}`, ALICE);
    assert.equal(res.status, 204);
    assert.equal(await res.text(), "");
    assert.equal((await api.call("GET", `${path}/${msg.id}`, ALICE)).status, 404);
    assert.equal((await api.call("DELETE", `${path}/${msg.id}`, ALICE)).status, 404);
    assert.ok(api.live.some((e) => e.kind === "chat" && e.operation === "remove" && e.model.id === msg.id));
  });

  it("keeps thread replies out of the list unless includeThreads=true", async () => {
    const root = await send("thread root");
    const reply = await send("a reply", BOB, { parentId: root.id });
    assert.equal(reply.parentId, root.id);
    const main = await api.json<Msg[]>("GET", `${path}?limit=100`, ALICE);
    assert.equal(main.some((m) => m.id === reply.id), false);
    assert.equal(main.find((m) => m.id === root.id)?.threadMessageCount, 1);
    const all = await api.json<Msg[]>("GET", `${path}?limit=100&includeThreads=true`, ALICE);
    assert.ok(all.some((m) => m.id === reply.id));
    const thread = await api.json<Msg[]>("GET", `${path}/${root.id}/thread`, ALICE);
    assert.deepEqual(thread.map((m) => m.id), [reply.id]);
    const around = await api.json<Msg[]>("GET", `${path}?limit=4&aroundId=${reply.id}`, ALICE);
    assert.equal(around.at(-1)?.id, reply.id, "a reply is appended to the page around its parent");
    assert.equal((await api.call("POST", path, ALICE, { text: "x", parentId: "nope" })).status, 400);
    assert.equal((await api.call("POST", path, ALICE, { text: "x", parentId: "0".repeat(24) })).status, 400);
    // A thread root with replies is blanked, not removed.
    assert.equal((await api.call("DELETE", `${path}/${root.id}`, ALICE)).status, 204);
    const blanked = await api.json<Msg>("GET", `${path}/${root.id}`, ALICE);
    assert.equal(blanked.text, "");
    assert.equal(blanked.html, "");
  });
});
