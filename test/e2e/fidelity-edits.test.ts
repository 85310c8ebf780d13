// Edits and deletions in both directions, on real parts: Synapse, the Gitter emulator, the bridge as its own process.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { eventually } from "../harness/stack";
import { BOT, ghost, startFidelityStack, type FidelityStack } from "./fidelity-stack";

const LOBBY = "gitter-demo/lobby";

describe("edits and deletions", { timeout: 300_000 }, () => {
  let s: FidelityStack;

  before(async () => {
    s = await startFidelityStack("fidelity-edits");
  });

  after(async () => {
    await s?.stop();
  });

  const relation = (content: Record<string, unknown>) => content["m.relates_to"] as { rel_type?: string; event_id?: string } | undefined;

  it("turns a Gitter edit into an m.replace of the bridged message, sent by the author's ghost", async () => {
    const posted = await s.postAs("bob", LOBBY, "see you tomorow");
    const original = await s.alice.waitForMessage(s.lobby, ghost("bob"), /^see you tomorow$/);
    await s.gitter(`/messages/${posted.id}`, { method: "PUT", body: JSON.stringify({ text: "see you **tomorrow**, @alice" }) });
    const edit = await s.alice.waitForMessage(s.lobby, ghost("bob"), /^\* see you/);
    assert.deepEqual(relation(edit.content), { rel_type: "m.replace", event_id: original.eventId });
    const next = edit.content["m.new_content"] as Record<string, unknown>;
    assert.equal(next.body, "see you **tomorrow**, @alice");
    assert.match(String(next.formatted_body), /<strong>tomorrow<\/strong>/);
    assert.deepEqual(next["m.mentions"], { user_ids: [s.alice.userId] });
    assert.deepEqual(edit.content["m.mentions"], { user_ids: [s.alice.userId] }, "alice is newly mentioned by the edit");
    assert.equal(edit.body, "* see you **tomorrow**, @alice");
  });

  it("sends the user's Matrix edit to Gitter as an edit, and does not bring Gitter's echo back", async () => {
    const eventId = await s.alice.client.sendText(s.lobby, "helo gitter");
    const sent = await s.waitOnGitter(LOBBY, "alice", (m) => m.text === "helo gitter", "alice's message on Gitter");
    await s.alice.client.sendEvent(s.lobby, "m.room.message", {
      msgtype: "m.text",
      body: "* hello *gitter*",
      "m.new_content": { msgtype: "m.text", body: "hello *gitter*", format: "org.matrix.custom.html", formatted_body: "hello <em>gitter</em>" },
      "m.relates_to": { rel_type: "m.replace", event_id: eventId },
    });
    const edited = await s.waitOnGitter(LOBBY, "alice", (m) => m.id === sent.id && m.text === "hello *gitter*", "the edit on Gitter");
    assert.equal(edited.v, 2);
    assert.equal((await s.gitterLog(LOBBY)).filter((m) => m.text.includes("gitter") && m.fromUser.username === "alice").length, 1);
    await new Promise((r) => setTimeout(r, 1500));
    const echoes = s.alice.messages(s.lobby).filter((m) => m.sender !== s.alice.userId && m.body.includes("gitter"));
    assert.deepEqual(echoes.map((m) => m.body), [], "the edit is not bridged back from Gitter");
  });

  it("tells the user why an edit past Gitter's edit window did not cross", async () => {
    const eventId = await s.alice.client.sendText(s.lobby, "written in haste");
    const sent = await s.waitOnGitter(LOBBY, "alice", (m) => m.text === "written in haste", "the message on Gitter");
    await s.gitter("/edit-window", { method: "PUT", body: JSON.stringify({ seconds: 0 }) });
    try {
      await new Promise((r) => setTimeout(r, 50));
      await s.alice.client.sendEvent(s.lobby, "m.room.message", {
        msgtype: "m.text",
        body: "* written with care",
        "m.new_content": { msgtype: "m.text", body: "written with care" },
        "m.relates_to": { rel_type: "m.replace", event_id: eventId },
      });
      const notice = await s.alice.waitForMessage(s.lobby, BOT, /Your edit was not sent to Gitter/);
      assert.match(notice.body, /only lets you edit a message for 10 minutes/);
      assert.equal(notice.msgtype, "m.notice");
    } finally {
      await s.gitter("/edit-window", { method: "PUT", body: JSON.stringify({ seconds: 600 }) });
    }
    assert.equal((await s.gitterLog(LOBBY)).find((m) => m.id === sent.id)?.text, "written in haste");
  });

  it("redacts the bridged message, as its ghost, when the Gitter message is deleted", async () => {
    const posted = await s.postAs("carol", LOBBY, "this was a mistake");
    const bridged = await s.alice.waitForMessage(s.lobby, ghost("carol"), /^this was a mistake$/);
    await s.gitter(`/messages/${posted.id}`, { method: "DELETE" });
    const redacted = await eventually(async () => {
      const e = await s.event(s.lobby, bridged.eventId);
      return e.unsigned?.redacted_because ? e : undefined;
    }, "the redaction");
    assert.deepEqual(redacted.content, {});
    assert.equal((redacted.unsigned!.redacted_because as { sender: string }).sender, ghost("carol"));
  });

  it("deletes the user's own Gitter message when they redact it in Matrix", async () => {
    const eventId = await s.alice.client.sendText(s.lobby, "delete me please");
    const sent = await s.waitOnGitter(LOBBY, "alice", (m) => m.text === "delete me please", "the message on Gitter");
    await s.alice.client.redactEvent(s.lobby, eventId, "typo");
    await eventually(async () => {
      const stored = (await s.gitterLog(LOBBY)).find((m) => m.id === sent.id);
      return stored === undefined || stored.deleted;
    }, "the deletion on Gitter");
  });

  it("ignores quietly a redaction of something that never crossed, and never deletes someone else's Gitter message", async () => {
    const local = await s.alice.client.sendEvent(s.lobby, "m.room.message", { msgtype: "m.location", body: "here", geo_uri: "geo:0,0" });
    const posted = await s.postAs("dave", LOBBY, "you cannot delete this");
    const bridged = await s.alice.waitForMessage(s.lobby, ghost("dave"), /^you cannot delete this$/);
    const before = s.alice.messages(s.lobby).length;
    await s.alice.client.redactEvent(s.lobby, local);
    await s.alice.client.redactEvent(s.lobby, bridged.eventId);
    // A marker sent afterwards crosses only once both redactions were handled: the room's events go in order.
    await s.alice.client.sendText(s.lobby, "marker after redactions");
    await s.waitOnGitter(LOBBY, "alice", (m) => m.text === "marker after redactions", "the marker on Gitter");
    const daves = (await s.gitterLog(LOBBY)).find((m) => m.id === posted.id);
    assert.equal(daves?.deleted, false);
    const fromBridge = s.alice.messages(s.lobby).slice(before).filter((m) => m.sender === BOT);
    assert.deepEqual(fromBridge.map((m) => m.body), [], "no notice for an ignored redaction");
    assert.equal(s.bridge.lines.filter((l) => /event handler failed/.test(l)).length, 0);
  });
});
