// What Gitter does without a word, on real parts (Synapse, the Gitter emulator, the bridge as its own process):
// no join pushes in rooms of more than 100 members, messages its spam check drops while answering 200, and `/me`,
// which is a status flag set by the client rather than a command the server reads.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { eventually } from "../harness/stack";
import { BOT, ghost, startFidelityStack, type FidelityStack } from "./fidelity-stack";

const LOBBY = "gitter-demo/lobby";
const json = (body: unknown): RequestInit => ({ method: "POST", body: JSON.stringify(body) });

describe("silent Gitter behaviours", { timeout: 300_000 }, () => {
  let s: FidelityStack;
  /** Texts the emulator's spam check looked at, in order, with its verdict. */
  const checked: { text: string; spam: boolean }[] = [];

  before(async () => {
    s = await startFidelityStack("fidelity-silent");
    const spam = s.emulator.state.spam;
    const isSpam = spam.isSpam.bind(spam);
    spam.isSpam = (user, text, now) => {
      const verdict = isSpam(user, text, now);
      checked.push({ text, spam: verdict });
      return verdict;
    };
  });

  after(async () => {
    await s?.stop();
  });

  const hellban = (on: boolean) => s.gitter("/users/alice", { method: "PATCH", body: JSON.stringify({ hellbanned: on }) });
  const seenBySpamCheck = (text: string) => checked.filter((c) => c.text === text);

  it("shows a member who joined a room of more than 100 (no join push) with their first message, and lets them leave", async () => {
    const crowd = Array.from({ length: 101 }, (_, i) => `crowd${i}`);
    for (const username of crowd) await s.gitter("/users", json({ username }));
    // Alice joins last, into 101 members: Gitter announces her joining to her room list only.
    const big = (await s.gitter("/rooms", json({ uri: "gitter-demo/crowded", members: [...crowd, "alice"] }))) as { id: string };
    const room = await s.alice.waitForInvite((i) => i.name === "gitter-demo/crowded");
    await s.alice.client.joinRoom(room);
    await s.gitter("/users", json({ username: "latecomer" }));
    await s.gitter(`/rooms/${big.id}/members`, json({ user: "latecomer" }));
    await s.postAs("latecomer", big.id, "hello, crowd");
    const hello = await s.alice.waitForMessage(room, ghost("latecomer"), /^hello, crowd$/);
    assert.equal(hello.sender, ghost("latecomer"));
    assert.ok((await s.alice.client.getJoinedRoomMembers(room)).includes(ghost("latecomer")));
    await s.gitter(`/rooms/${big.id}/members/latecomer`, { method: "DELETE" });
    await eventually(async () => !(await s.alice.client.getJoinedRoomMembers(room)).includes(ghost("latecomer")), "the ghost gone");
  });

  it("records a message the spam check dropped as sent and goes on, never posting it again", async () => {
    await hellban(true);
    try {
      await s.alice.client.sendText(s.lobby, "dropped by the spam check");
      await eventually(() => seenBySpamCheck("dropped by the spam check").length > 0, "the message at Gitter's spam check");
    } finally {
      await hellban(false);
    }
    await s.alice.client.sendText(s.lobby, "after the pardon");
    await s.waitOnGitter(LOBBY, "alice", (m) => m.text === "after the pardon", "the next message on Gitter");
    await new Promise((r) => setTimeout(r, 1500));
    assert.deepEqual(seenBySpamCheck("dropped by the spam check"), [{ text: "dropped by the spam check", spam: true }], "posted once");
    assert.equal((await s.gitterLog(LOBBY)).some((m) => m.text === "dropped by the spam check"), false);
    assert.deepEqual(s.alice.messages(s.lobby).filter((m) => m.sender === BOT).map((m) => m.body), [], "no failure to report");
  });

  it("gives up looking for a dropped message whose answer was lost, and posts it once more", async () => {
    await hellban(true);
    try {
      await s.gitter("/faults", json({ mode: "drop", count: 1, method: "POST", path: "/chatMessages$" }));
      await s.alice.client.sendText(s.lobby, "dropped, and its answer lost");
      await eventually(() => seenBySpamCheck("dropped, and its answer lost").length >= 2, "the message posted again", 60_000);
    } finally {
      await hellban(false);
    }
    await s.alice.client.sendText(s.lobby, "after the lost answer");
    await s.waitOnGitter(LOBBY, "alice", (m) => m.text === "after the lost answer", "the next message on Gitter");
    assert.equal(seenBySpamCheck("dropped, and its answer lost").length, 2, "looked for once, posted once more, then done");
  });

  it("sends a Matrix emote as Gitter's client sends /me: the status flag, the text after @username", async () => {
    await s.alice.client.sendMessage(s.lobby, { msgtype: "m.emote", body: "waves from Matrix" });
    const sent = await s.waitOnGitter(LOBBY, "alice", (m) => m.text.endsWith("waves from Matrix"), "the emote on Gitter");
    assert.equal(sent.text, "@alice waves from Matrix");
    assert.equal(sent.status, true);
    await s.alice.client.sendText(s.lobby, "/me is not a command on Gitter");
    const literal = await s.waitOnGitter(LOBBY, "alice", (m) => m.text.startsWith("/me is not"), "the literal text on Gitter");
    assert.equal(literal.status, undefined);
  });

  it("shows a Gitter status message as an m.emote without the sender's leading @username", async () => {
    await s.gitter("/messages", json({ user: "bob", room: LOBBY, text: "@bob waves back", status: true }));
    const emote = await s.alice.waitForMessage(s.lobby, ghost("bob"), /waves back$/);
    assert.equal(emote.msgtype, "m.emote");
    assert.equal(emote.body, "waves back");
  });
});
