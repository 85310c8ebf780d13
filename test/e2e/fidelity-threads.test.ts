// Threads and replies in both directions, on real parts: Synapse, the Gitter emulator, the bridge as its own process.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { eventually } from "../harness/stack";
import { ghost, startFidelityStack, type FidelityStack } from "./fidelity-stack";

const LOBBY = "gitter-demo/lobby";

describe("threads and replies", { timeout: 300_000 }, () => {
  let s: FidelityStack;
  let rootId: string;
  let rootEvent: string;
  let carolReply: string;

  before(async () => {
    s = await startFidelityStack("fidelity-threads");
  });

  after(async () => {
    await s?.stop();
  });

  it("puts Gitter thread replies in the Matrix thread of their root, falling back to the latest reply", async () => {
    rootId = (await s.postAs("bob", LOBBY, "thread root: who is in?")).id;
    rootEvent = (await s.alice.waitForMessage(s.lobby, ghost("bob"), /^thread root/)).eventId;
    await s.postAs("carol", LOBBY, "me, in the thread", rootId);
    const first = await s.alice.waitForMessage(s.lobby, ghost("carol"), /^me, in the thread$/);
    assert.deepEqual(first.content["m.relates_to"], {
      rel_type: "m.thread",
      event_id: rootEvent,
      is_falling_back: true,
      "m.in_reply_to": { event_id: rootEvent },
    });
    carolReply = first.eventId;
    await s.postAs("dave", LOBBY, "me too", rootId);
    const second = await s.alice.waitForMessage(s.lobby, ghost("dave"), /^me too$/);
    assert.deepEqual(second.content["m.relates_to"], {
      rel_type: "m.thread",
      event_id: rootEvent,
      is_falling_back: true,
      "m.in_reply_to": { event_id: carolReply },
    });
  });

  it("takes Gitter's rewrite of a root on each reply added or deleted for no edit, and still bridges a real edit", async () => {
    const editsOfRoot = () =>
      s.alice.messages(s.lobby).filter((m) => {
        const rel = m.content["m.relates_to"] as { rel_type?: string; event_id?: string } | undefined;
        return rel?.rel_type === "m.replace" && rel.event_id === rootEvent;
      });
    const reply = await s.postAs("frank", LOBBY, "a reply I will take back", rootId);
    await s.alice.waitForMessage(s.lobby, ghost("frank"), /take back/);
    await s.gitter(`/messages/${reply.id}`, { method: "DELETE" });
    // Gitter's pushes of a room are bridged in order: once this marker is in, the root's rewrites were handled.
    await s.postAs("bob", LOBBY, "marker after the thread activity");
    await s.alice.waitForMessage(s.lobby, ghost("bob"), /^marker after the thread activity$/);
    const root = (await s.gitterLog(LOBBY)).find((m) => m.id === rootId);
    assert.ok((root?.v ?? 0) >= 5, `the root was rewritten by each reply (v ${root?.v})`);
    assert.deepEqual(editsOfRoot().map((m) => m.body), [], "no m.replace for a root whose text did not change");
    await s.gitter(`/messages/${rootId}`, { method: "PUT", body: JSON.stringify({ text: "thread root: who is in? (Friday)" }) });
    const edit = await s.alice.waitForMessage(s.lobby, ghost("bob"), /^\* thread root: who is in\? \(Friday\)$/);
    assert.deepEqual(editsOfRoot().map((m) => m.eventId), [edit.eventId]);
  });

  it("takes a rewrite of an edited root for no edit after a restart, when the bridge no longer remembers it", async () => {
    const root = await s.postAs("bob", LOBBY, "pizza on Friday?");
    const bridged = await s.alice.waitForMessage(s.lobby, ghost("bob"), /^pizza on Friday\?$/);
    await s.gitter(`/messages/${root.id}`, { method: "PUT", body: JSON.stringify({ text: "pizza on Saturday?" }) });
    await s.alice.waitForMessage(s.lobby, ghost("bob"), /^\* pizza on Saturday\?$/);
    await s.restartBridge();
    // Bridged only once the restarted bridge is subscribed to the room again (it catches up on connecting).
    await s.postAs("bob", LOBBY, "back after the restart");
    await s.alice.waitForMessage(s.lobby, ghost("bob"), /^back after the restart$/);
    await s.postAs("carol", LOBBY, "saturday works", root.id);
    await s.alice.waitForMessage(s.lobby, ghost("carol"), /^saturday works$/);
    await s.postAs("bob", LOBBY, "marker after the reply");
    await s.alice.waitForMessage(s.lobby, ghost("bob"), /^marker after the reply$/);
    const edits = s.alice.messages(s.lobby).filter((m) => {
      const rel = m.content["m.relates_to"] as { rel_type?: string; event_id?: string } | undefined;
      return rel?.rel_type === "m.replace" && rel.event_id === bridged.eventId;
    });
    assert.deepEqual(edits.map((m) => m.body), ["* pizza on Saturday?"], "only the real edit");
  });

  it("posts a Matrix thread message as a Gitter thread reply, once", async () => {
    await s.alice.client.sendEvent(s.lobby, "m.room.message", {
      msgtype: "m.text",
      body: "count me in",
      "m.relates_to": { rel_type: "m.thread", event_id: rootEvent, is_falling_back: true, "m.in_reply_to": { event_id: carolReply } },
    });
    const sent = await s.waitOnGitter(LOBBY, "alice", (m) => m.text === "count me in", "the thread reply on Gitter");
    assert.equal(sent.parentId, rootId);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(s.alice.messages(s.lobby).filter((m) => m.body.includes("count me in")).length, 1, "the echo is not bridged back");
  });

  it("quotes the message a reply inside a thread answers, in the same Gitter thread", async () => {
    await s.alice.client.sendEvent(s.lobby, "m.room.message", {
      msgtype: "m.text",
      body: "glad you can come",
      "m.relates_to": { rel_type: "m.thread", event_id: rootEvent, "m.in_reply_to": { event_id: carolReply } },
    });
    const sent = await s.waitOnGitter(LOBBY, "alice", (m) => m.text.endsWith("glad you can come"), "the quoted thread reply");
    assert.equal(sent.text, "> @carol: me, in the thread\n\nglad you can come");
    assert.equal(sent.parentId, rootId);
  });

  it("turns a Matrix reply to a top-level bridged message into a Gitter thread reply", async () => {
    const question = await s.postAs("bob", LOBBY, "does anyone know the wifi password?");
    const bridged = await s.alice.waitForMessage(s.lobby, ghost("bob"), /wifi password/);
    await s.alice.client.sendEvent(s.lobby, "m.room.message", {
      msgtype: "m.text",
      body: `> <${ghost("bob")}> does anyone know the wifi password?\n\nit is on the fridge`,
      format: "org.matrix.custom.html",
      formatted_body: `<mx-reply><blockquote>In reply to ${ghost("bob")}<br>does anyone know the wifi password?</blockquote></mx-reply>it is on the <b>fridge</b>`,
      "m.relates_to": { "m.in_reply_to": { event_id: bridged.eventId } },
    });
    const sent = await s.waitOnGitter(LOBBY, "alice", (m) => m.text.includes("fridge"), "the reply on Gitter");
    assert.equal(sent.text, "it is on the **fridge**");
    assert.equal(sent.parentId, question.id);
  });

  it("quotes a reply to something that never crossed, as a top-level Gitter message", async () => {
    const local = await s.alice.client.sendEvent(s.lobby, "m.room.message", { msgtype: "m.location", body: "the old pub", geo_uri: "geo:1,2" });
    await s.alice.client.sendEvent(s.lobby, "m.room.message", {
      msgtype: "m.text",
      body: "meet there at 8",
      "m.relates_to": { "m.in_reply_to": { event_id: local } },
    });
    const sent = await s.waitOnGitter(LOBBY, "alice", (m) => m.text.endsWith("meet there at 8"), "the quoted reply on Gitter");
    assert.equal(sent.text, "> @alice: the old pub\n\nmeet there at 8");
    assert.equal(sent.parentId, undefined);
  });

  it("redacts a Gitter thread root that was blanked because it has replies, keeping its thread", async () => {
    await s.gitter(`/messages/${rootId}`, { method: "DELETE" });
    await eventually(async () => (await s.event(s.lobby, rootEvent)).unsigned?.redacted_because, "the root's redaction");
    await s.postAs("erin", LOBBY, "late to the thread", rootId);
    const late = await s.alice.waitForMessage(s.lobby, ghost("erin"), /late to the thread/);
    assert.equal((late.content["m.relates_to"] as { event_id?: string }).event_id, rootEvent);
  });
});
