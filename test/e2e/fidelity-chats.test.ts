// Read markers, direct chats, and formatting with mentions across the bridge, on real parts: Synapse, the Gitter
// emulator, the bridge as its own process.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { eventually } from "../harness/stack";
import { BOT, ghost, startFidelityStack, type FidelityStack, type GitterLogEntry } from "./fidelity-stack";

const LOBBY = "gitter-demo/lobby";

describe("read markers, direct chats and formatting", { timeout: 300_000 }, () => {
  let s: FidelityStack;
  let aliceToken = "";

  before(async () => {
    s = await startFidelityStack("fidelity-chats");
    aliceToken = ((await s.gitter("/tokens", { method: "POST", body: JSON.stringify({ user: "alice" }) })) as { access_token: string }).access_token;
  });

  after(async () => {
    await s?.stop();
  });

  /** What Gitter has unread for alice in a room, asked with her own token. */
  async function unreadOnGitter(roomId: string): Promise<string[]> {
    const res = await fetch(`${s.emulator.url}/v1/user/me/rooms/${roomId}/unreadItems`, { headers: { authorization: `Bearer ${aliceToken}` } });
    assert.equal(res.status, 200);
    return ((await res.json()) as { chat: string[] }).chat;
  }

  it("marks Gitter messages read up to the one the user read in Matrix", async () => {
    const posted: GitterLogEntry[] = [];
    for (const text of ["unread one", "unread two", "unread three"]) posted.push(await s.postAs("bob", LOBBY, text));
    const roomId = (await s.gitterLog(LOBBY)).find((m) => m.id === posted[0]!.id)!.roomId;
    const seen = await s.alice.waitForMessage(s.lobby, ghost("bob"), /^unread two$/);
    await s.alice.waitForMessage(s.lobby, ghost("bob"), /^unread three$/);
    const ids = posted.map((m) => m.id);
    assert.deepEqual((await unreadOnGitter(roomId)).filter((id) => ids.includes(id)), ids);
    await s.alice.client.sendReadReceipt(s.lobby, seen.eventId);
    await eventually(async () => {
      const left = (await unreadOnGitter(roomId)).filter((id) => ids.includes(id));
      return left.length === 1 && left[0] === ids[2];
    }, "the first two marked read on Gitter");
    const last = s.alice.messages(s.lobby).find((m) => m.body === "unread three")!;
    await s.alice.client.sendReadReceipt(s.lobby, last.eventId);
    await eventually(async () => (await unreadOnGitter(roomId)).length === 0, "everything marked read on Gitter");
  });

  it("opens a one-to-one Gitter chat when the user invites a ghost to a new direct room", async () => {
    const room = await s.alice.client.createRoom({ invite: [ghost("erin")], is_direct: true, preset: "trusted_private_chat" });
    await eventually(async () => {
      const members = await s.alice.client.getJoinedRoomMembers(room);
      return members.includes(ghost("erin")) && members.includes(BOT);
    }, "erin's ghost and the bot in the room");
    await s.alice.client.sendText(room, "hi erin, from Matrix");
    const sent = await eventually(
      async () => ((await s.gitter("/messages")) as GitterLogEntry[]).find((m) => m.text === "hi erin, from Matrix"),
      "the message in the one-to-one on Gitter",
    );
    assert.equal(sent.fromUser.username, "alice");
    const oneToOne = await s.gitterLog(sent.roomId);
    assert.ok(oneToOne.every((m) => ["alice", "erin"].includes(m.fromUser.username)));
    await s.postAs("erin", sent.roomId, "hello alice, from Gitter");
    await s.alice.waitForMessage(room, ghost("erin"), /^hello alice, from Gitter$/);
    assert.deepEqual(s.alice.invites.filter((i) => i.inviter === ghost("erin")), [], "Gitter's new-room push does not open a second room");
  });

  it("explains, then leaves, when the invited ghost is no Gitter user", async () => {
    const room = await s.alice.client.createRoom({ invite: [ghost("nobodyhere")], is_direct: true, preset: "trusted_private_chat" });
    const why = await s.alice.waitForMessage(room, ghost("nobodyhere"), /There is no Gitter user nobodyhere/);
    assert.equal(why.msgtype, "m.notice");
    await eventually(async () => !(await s.alice.client.getJoinedRoomMembers(room)).includes(ghost("nobodyhere")), "the ghost gone");
  });

  it("brings a one-to-one chat started on Gitter in as a new direct room", async () => {
    const opened = (await s.gitter("/one-to-one", { method: "POST", body: JSON.stringify({ users: ["frank", "alice"] }) })) as { id: string };
    const room = await s.alice.waitForInvite((i) => i.isDirect && i.inviter === ghost("frank"));
    await s.alice.client.joinRoom(room);
    await s.postAs("frank", opened.id, "psst, alice");
    await s.alice.waitForMessage(room, ghost("frank"), /^psst, alice$/);
  });

  it("opens one direct room for gjoin <username>, though Gitter announces the new chat at the same time", async () => {
    await s.alice.client.sendText(s.control, "gjoin dave");
    const fromDave = () => s.alice.invites.filter((i) => i.isDirect && i.inviter === ghost("dave"));
    const room = await s.alice.waitForInvite((i) => i.isDirect && i.inviter === ghost("dave"));
    await s.alice.waitForMessage(s.control, BOT, /^Joined .*one-to-one/);
    await new Promise((r) => setTimeout(r, 3000)); // room for a second room to show up, were there one
    assert.deepEqual(fromDave().map((i) => i.roomId), [room]);
    await s.alice.client.joinRoom(room);
    await s.alice.client.sendText(room, "hi dave");
    // Asking the emulator for their one-to-one again returns the same room, the one gjoin opened.
    const chat = (await s.gitter("/one-to-one", { method: "POST", body: JSON.stringify({ users: ["alice", "dave"] }) })) as { id: string };
    await s.waitOnGitter(chat.id, "alice", (m) => m.text === "hi dave", "alice's message in the one-to-one");
  });

  it("keeps formatting and mentions across both ways", async () => {
    await s.postAs("bob", LOBBY, "## Plan\n- ask @carol\n- tell @alice\n\n`npm test` then > done");
    const msg = await s.alice.waitForMessage(s.lobby, ghost("bob"), /^## Plan/);
    assert.deepEqual(new Set((msg.content["m.mentions"] as { user_ids: string[] }).user_ids), new Set([ghost("carol"), s.alice.userId]));
    assert.match(msg.formatted ?? "", /<h2>Plan<\/h2>/);
    assert.match(msg.formatted ?? "", new RegExp(`<a href="https://matrix.to/#/${ghost("carol")}">carol</a>`));
    assert.match(msg.formatted ?? "", /<code>npm test<\/code> then &gt; done/);
    await s.alice.client.sendMessage(s.lobby, {
      msgtype: "m.text",
      body: "Carol: see the plan",
      format: "org.matrix.custom.html",
      formatted_body: `<blockquote><p>quoted</p></blockquote><p><a href="https://matrix.to/#/${ghost("carol")}">Carol</a>: see <em>the plan</em> &lt;3</p><ol><li>one</li></ol>`,
    });
    const sent = await s.waitOnGitter(LOBBY, "alice", (m) => m.text.includes("the plan"), "the formatted message on Gitter");
    assert.equal(sent.text, "> quoted\n\n@carol: see *the plan* <3\n\n1. one");
    assert.match(sent.html, /data-screen-name="carol"/);
  });
});
