// A Mattermost post with files, deleted or edited, through the session's realtime listener and a portal: the
// Mattermost emulator, a real SQLite store and the stub homeserver. The post's text and each file are Matrix events
// of their own; its deletion redacts every one, once (the link's own event under `g2m-del-<id>`, each other file
// under `g2m-del-<id>-file-<n>`), and an edit of a post with no text leaves its file alone.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { toMessage } from "../../src/mattermost/network-convert";
import type { MmPost } from "../../src/mattermost/types";
import type { PortalRoom } from "../../src/puppet/portal";
import { editToMatrix } from "../../src/puppet/portal-edits";
import type { SessionContext } from "../../src/puppet/session-context";
import type { Store } from "../../src/store/store";
import type { HomeserverStub } from "../harness/hs-stub";
import { BOB, type MmApi } from "./mm-emulator-helpers";
import { startMmPortal, type MmPortalSetup } from "./mm-portal-setup";
import { waitFor } from "./network-contract";

/** Polls an asynchronous condition every 20 ms, for up to 10 s. */
async function until(what: string, test: () => Promise<boolean>): Promise<void> {
  for (let tries = 0; tries < 500; tries++) {
    if (await test()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("a Mattermost post's files, deleted or edited", { timeout: 60_000 }, () => {
  let setup: MmPortalSetup | undefined;
  let mm: MmApi;
  let hs: HomeserverStub;
  let store: Store;
  let portal: PortalRoom;
  let roomId: string;
  let ctx: SessionContext;

  before(async () => {
    setup = await startMmPortal({ name: "portal-file-deletions" });
    ({ mm, hs, store, portal, roomId, ctx } = setup);
  });
  after(async () => {
    await setup?.stop();
  });

  /** Bob's post of `message` with a file for each name, once bridged and linked: its id. */
  async function postWithFiles(message: string, names: string[]): Promise<string> {
    const form = new FormData();
    form.set("channel_id", roomId);
    for (const name of names) form.append("files", new Blob([Buffer.from(`${name}\n`)], { type: "text/plain" }), name);
    const up = await fetch(`${mm.emu.url}/api/v4/files`, { method: "POST", headers: { authorization: `Bearer ${BOB}` }, body: form });
    const fileIds = ((await up.json()) as { file_infos: { id: string }[] }).file_infos.map((f) => f.id);
    const { id } = await mm.json<{ id: string }>("POST", "/api/v4/posts", BOB, { channel_id: roomId, message, file_ids: fileIds });
    await until(`post ${id} linked`, async () => (await store.messages.byGitterMessage(portal.matrixRoomId, id)) !== null);
    return id;
  }
  /** Transaction ids of the redactions asked for, in order. */
  const redactions = () =>
    hs.requests.flatMap((r) => {
      const m = /^PUT \/_matrix\/client\/v3\/rooms\/[^/]+\/redact\/[^/]+\/([^/]+)$/.exec(r);
      return m ? [decodeURIComponent(m[1])] : [];
    });

  it("redacts the text and every file of a deleted post, each once", async () => {
    const id = await postWithFiles("see attached", ["a.txt", "b.txt"]);
    // The test context's media cap is 1 byte: each file is named in an event of its own instead of copied.
    assert.equal(hs.sends.filter((s) => /\(a file was not copied: [ab]\.txt/.test(String(s.content.body))).length, 2, "both files in Matrix");
    await mm.control("DELETE", `/posts/${id}`, {});
    const want = [`g2m-del-${id}`, `g2m-del-${id}-file-0`, `g2m-del-${id}-file-1`];
    await waitFor("three redactions", () => want.every((t) => redactions().includes(t)));
    await until("forgotten", async () => (await store.messages.byGitterMessage(portal.matrixRoomId, id)) === null);
    assert.deepEqual(await store.messages.filesOf(portal.matrixRoomId, id), []);
    assert.deepEqual(redactions().filter((t) => t.startsWith(`g2m-del-${id}`)), want, "each event once");
  });

  it("leaves the file of a post with no text alone when the post is edited", async () => {
    const id = await postWithFiles("", ["c.txt"]);
    const before = hs.sends.length;
    await mm.control("PUT", `/posts/${id}`, { message: "now with words" });
    await mm.control("POST", "/posts", { as: "bob", channel: roomId, message: "after the edit" });
    await waitFor("the next post bridged", () => hs.sends.some((s) => s.content.body === "after the edit"));
    const since = hs.sends.slice(before);
    assert.equal(since.filter((s) => (s.content["m.relates_to"] as { rel_type?: string } | undefined)?.rel_type === "m.replace").length, 0, "no replacement of the file");
  });

  it("shows text added to a post with no text as a reply to its file, edits it, and redacts it with the post", async () => {
    const id = await postWithFiles("", ["d.txt"]);
    const fileEvent = (await store.messages.byGitterMessage(portal.matrixRoomId, id))!.matrixEventId;
    await mm.control("PUT", `/posts/${id}`, { message: "words added" });
    await until("the added text recorded", async () => (await store.messages.addedTextOf(portal.matrixRoomId, id)) !== null);
    const added = hs.sends.filter((s) => s.content.body === "words added");
    assert.equal(added.length, 1, "sent once");
    assert.deepEqual(added[0].content["m.relates_to"], { "m.in_reply_to": { event_id: fileEvent } }, "a reply to the file");
    const sentUnder = hs.requests.filter((r) => new RegExp(`/send/m\\.room\\.message/g2m-${id}-text-v\\d+$`).test(r));
    assert.equal(sentUnder.length, 1, "under the transaction id of the edit's revision");
    const textEvent = (await store.messages.addedTextOf(portal.matrixRoomId, id))!;
    assert.equal((await store.messages.byGitterMessage(portal.matrixRoomId, id))!.matrixEventId, fileEvent, "the post still linked by its file");
    await mm.control("PUT", `/posts/${id}`, { message: "words changed" });
    await waitFor("the edit of the added text", () => hs.sends.some((s) => (s.content["m.new_content"] as { body?: string } | undefined)?.body === "words changed"));
    const edit = hs.sends.find((s) => (s.content["m.new_content"] as { body?: string } | undefined)?.body === "words changed")!;
    assert.deepEqual(edit.content["m.relates_to"], { rel_type: "m.replace", event_id: textEvent }, "replaces the added text, not the file");
    await mm.control("DELETE", `/posts/${id}`, {});
    await waitFor("the post's redactions", () => [`g2m-del-${id}`, `g2m-del-${id}-text`].every((t) => redactions().includes(t)));
    await until("forgotten", async () => (await store.messages.addedTextOf(portal.matrixRoomId, id)) === null);
  });

  it("redacts text added to a post with no text once it is emptied again, and adds new text afresh", async () => {
    const id = await postWithFiles("", ["e.txt"]);
    await mm.control("PUT", `/posts/${id}`, { message: "for a moment" });
    await until("the added text recorded", async () => (await store.messages.addedTextOf(portal.matrixRoomId, id)) !== null);
    await mm.json("PUT", `/api/v4/posts/${id}/patch`, BOB, { message: "" });
    await until("the added text forgotten", async () => (await store.messages.addedTextOf(portal.matrixRoomId, id)) === null);
    assert.equal(redactions().filter((t) => new RegExp(`^g2m-del-${id}-v\\d+$`).test(t)).length, 1, "the added text redacted once");
    assert.ok(!redactions().includes(`g2m-del-${id}`), "the file kept");
    await mm.control("PUT", `/posts/${id}`, { message: "back again" });
    await until("new text recorded", async () => (await store.messages.addedTextOf(portal.matrixRoomId, id)) !== null);
    assert.equal(hs.sends.filter((s) => s.content.body === "back again").length, 1);
  });

  it("sends added text once when its edit is handled again after the send, recorded or not", async () => {
    const id = await postWithFiles("", ["f.txt"]);
    const post = await mm.json<MmPost>("GET", `/api/v4/posts/${id}`, BOB);
    const edit = { ...toMessage(post), text: "said once", editedAt: post.create_at + 1, revision: String(post.create_at + 1) };
    const record = store.messages.recordAddedText.bind(store.messages);
    // A crash between the send and its record: the edit is handled again from the start.
    store.messages.recordAddedText = () => Promise.reject(new Error("store lost"));
    await assert.rejects(editToMatrix(ctx, portal.row, edit), /store lost/);
    store.messages.recordAddedText = record;
    await editToMatrix(ctx, portal.row, edit);
    const textEvent = await store.messages.addedTextOf(portal.matrixRoomId, id);
    assert.ok(textEvent, "recorded at the second handling");
    await editToMatrix(ctx, portal.row, edit);
    await editToMatrix(ctx, portal.row, edit);
    assert.equal(hs.sends.filter((s) => s.content.body === "said once").length, 1, "the text sent once");
    // Once recorded, the edit is one of the text event (the stub cannot show the event, so it is not seen as shown
    // already), under the revision's transaction id: one replacement at most.
    const replacing = hs.sends.filter((s) => (s.content["m.relates_to"] as { rel_type?: string; event_id?: string } | undefined)?.event_id === textEvent);
    assert.ok(replacing.length <= 1, "no second replacement");
    assert.equal(await store.messages.addedTextOf(portal.matrixRoomId, id), textEvent);
  });
});
