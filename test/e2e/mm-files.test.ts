// Files both ways between Matrix (real Synapse) and Mattermost (the emulator) through the bridge configured
// `network: mattermost`, the user logged in with a personal access token: uploads from Matrix, a post's files copied
// into Matrix media after its text, deletions redacting every file once, text added to a post of files alone, and
// a read receipt, reaction, reply or redaction on any file or added text reaching (or, for a redaction, sparing)
// its post; a Matrix file whose upload fails for good told to its sender in the room.
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { loadFixture } from "../../emulator/mattermost/fixture";
import type { MmPost } from "../../emulator/mattermost/types";
import { roomEvents, type RawEvent } from "../harness/matrix-events";
import { mmChannelId, mmPostWhere, mmUserId, roomEventWhere } from "../harness/mm-queries";
import { MM_BOT, mmGhost, startMmStack, type MmMatrixUser, type MmStack } from "../harness/mm-stack";
import { eventually } from "../harness/stack";

const FIXTURE = loadFixture(path.resolve(__dirname, "../../fixtures/mattermost-test.yaml"));
const ALICE_TOKEN = "a".repeat(26);

describe("Mattermost files both ways on real Synapse", { timeout: 240_000 }, () => {
  let stack: MmStack;
  let alice: MmMatrixUser;
  let dev: string; // alice's portal of acme/dev

  before(async () => {
    stack = await startMmStack({ fixture: FIXTURE, name: "mm-files" });
    alice = await stack.newMatrixUser("alice");
    await stack.loginWithToken(alice, ALICE_TOKEN, "alice");
    dev = await alice.matrix.waitForInvite((i) => i.name === "Development (Acme)", 60_000);
    await alice.matrix.client.joinRoom(dev);
  });

  after(async () => {
    await stack?.stop();
  });

  const channelId = (team: string, name: string) => mmChannelId(stack, team, name);
  const userId = (name: string) => mmUserId(stack, name);
  const postWhere = (channel: string, pred: (p: MmPost) => boolean, what: string) => mmPostWhere(stack, channel, pred, what);
  const eventWhere = (room: string, pred: (e: RawEvent) => boolean, what: string) => roomEventWhere(alice.matrix.client, room, pred, what);

  it("uploads a Matrix file and image to Mattermost: posts with their file, the same bytes, the caption as the text", async () => {
    const bytes = Buffer.from("quarterly numbers\n");
    const mxc = await alice.matrix.client.uploadContent(bytes, "text/plain", "report.txt");
    await alice.matrix.client.sendMessage(dev, { msgtype: "m.file", body: "report.txt", url: mxc, info: { mimetype: "text/plain", size: bytes.length } });
    const post = await postWhere(channelId("acme", "dev"), (p) => p.message === "report.txt", "the uploaded file's post");
    assert.equal(post.user_id, userId("alice"));
    assert.equal(post.file_ids.length, 1);
    const file = stack.emulator.state.files.get(post.file_ids[0]!)!;
    assert.equal(file.post_id, post.id);
    assert.equal(file.name, "report.txt");
    assert.deepEqual(file.data, bytes);

    const png = Buffer.from("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a0f5a1f60000000049454e44ae426082", "hex");
    const image = await alice.matrix.client.uploadContent(png, "image/png", "dot.png");
    await alice.matrix.client.sendMessage(dev, { msgtype: "m.image", body: "a dot", filename: "dot.png", url: image, info: { mimetype: "image/png", size: png.length } });
    const captioned = await postWhere(channelId("acme", "dev"), (p) => p.message === "a dot", "the uploaded image's post");
    const picture = stack.emulator.state.files.get(captioned.file_ids[0]!)!;
    assert.equal(picture.name, "dot.png");
    assert.equal(picture.mime_type, "image/png");
    assert.deepEqual(picture.data, png);
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal([...stack.emulator.state.posts.values()].filter((p) => p.message === "a dot").length, 1, "posted once");
  });

  it("tells the sender in the room, once, when Mattermost's answer to an upload cannot be read; the room's next file goes out", async () => {
    await stack.control("/faults", { method: "POST", body: { garble: true, count: 1, method: "POST", path: "^/files$" } });
    const bytes = Buffer.from("lost in a garbled answer\n");
    const mxc = await alice.matrix.client.uploadContent(bytes, "text/plain", "garbled.txt");
    const sent = await alice.matrix.client.sendMessage(dev, { msgtype: "m.file", body: "garbled.txt", url: mxc, info: { mimetype: "text/plain", size: bytes.length } });
    const told = "Your message was not sent to Mattermost: its file could not be uploaded. Mattermost sent an answer the bridge could not understand.";
    await eventWhere(dev, (e) => e.sender === MM_BOT && e.content.msgtype === "m.notice" && e.content.body === told, "the notice");
    const next = await alice.matrix.client.uploadContent(bytes, "text/plain", "next.txt");
    await alice.matrix.client.sendMessage(dev, { msgtype: "m.file", body: "next.txt", url: next, info: { mimetype: "text/plain", size: bytes.length } });
    const post = await postWhere(channelId("acme", "dev"), (p) => p.message === "next.txt", "the next file's post");
    assert.deepEqual(stack.emulator.state.files.get(post.file_ids[0]!)?.data, bytes);
    assert.equal([...stack.emulator.state.posts.values()].filter((p) => p.message === "garbled.txt").length, 0, "the garbled upload is not posted");
    const notices = (await roomEvents(alice.matrix.client, dev)).filter((e) => e.content.body === told);
    assert.equal(notices.length, 1, `told once about ${sent}`);
  });

  it("copies files posted on Mattermost into Matrix media, from the poster's ghost, after the post's text", async () => {
    const form = new FormData();
    form.set("channel_id", channelId("acme", "dev"));
    form.append("files", new Blob([Buffer.from("just numbers\n")], { type: "text/plain" }), "notes.txt");
    const up = await fetch(`${stack.emulator.url}/api/v4/files`, { method: "POST", headers: { authorization: `Bearer ${"b".repeat(26)}` }, body: form });
    const fileId = ((await up.json()) as { file_infos: { id: string }[] }).file_infos[0].id;
    const posted = await fetch(`${stack.emulator.url}/api/v4/posts`, {
      method: "POST",
      headers: { authorization: `Bearer ${"b".repeat(26)}`, "content-type": "application/json" },
      body: JSON.stringify({ channel_id: channelId("acme", "dev"), message: "", file_ids: [fileId] }),
    });
    assert.equal(posted.status, 201);
    const file = await eventWhere(dev, (e) => e.sender === mmGhost("bob") && e.content.msgtype === "m.file", "the file in Matrix");
    assert.equal(file.content.body, "notes.txt");
    const [server, mediaId] = String(file.content.url).replace("mxc://", "").split("/");
    const media = await fetch(`${stack.synapse.url}/_matrix/client/v1/media/download/${server}/${mediaId}`, {
      headers: { authorization: `Bearer ${alice.matrix.client.accessToken}` },
    });
    assert.equal(await media.text(), "just numbers\n");
    const postId = ((await posted.json()) as { id: string }).id;
    await stack.control(`/posts/${postId}`, { method: "DELETE" });
    await eventWhere(dev, (e) => e.type === "m.room.redaction" && e.redacts === file.event_id, "the file's redaction");
  });

  /** Bob's (or the token's user's) post of `message` with a text file for each name: the post's id. */
  async function postWithFiles(message: string, names: string[], token = "b".repeat(26)): Promise<string> {
    const auth = { authorization: `Bearer ${token}` };
    const form = new FormData();
    form.set("channel_id", channelId("acme", "dev"));
    for (const name of names) form.append("files", new Blob([Buffer.from(`${name}\n`)], { type: "text/plain" }), name);
    const up = await fetch(`${stack.emulator.url}/api/v4/files`, { method: "POST", headers: auth, body: form });
    const fileIds = ((await up.json()) as { file_infos: { id: string }[] }).file_infos.map((f) => f.id);
    const posted = await fetch(`${stack.emulator.url}/api/v4/posts`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ channel_id: channelId("acme", "dev"), message, file_ids: fileIds }),
    });
    assert.equal(posted.status, 201);
    return ((await posted.json()) as { id: string }).id;
  }

  it("redacts a deleted Mattermost post's text and every one of its files, each once", async () => {
    const postId = await postWithFiles("two files attached", ["first.txt", "second.txt"]);
    const bobs = (e: RawEvent) => e.sender === mmGhost("bob") && e.type === "m.room.message";
    const text = await eventWhere(dev, (e) => bobs(e) && e.content.body === "two files attached", "the post's text");
    const first = await eventWhere(dev, (e) => bobs(e) && e.content.body === "first.txt", "the first file");
    const second = await eventWhere(dev, (e) => bobs(e) && e.content.body === "second.txt", "the second file");
    await stack.control(`/posts/${postId}`, { method: "DELETE" });
    const ids = [text.event_id, first.event_id, second.event_id];
    const redactions = await eventually(async () => {
      const found = (await roomEvents(alice.matrix.client, dev)).filter((e) => e.type === "m.room.redaction" && ids.includes(String(e.redacts)));
      return ids.every((id) => found.some((e) => e.redacts === id)) ? found : undefined;
    }, "the text's and both files' redactions");
    assert.deepEqual(redactions.map((e) => e.redacts).sort(), [...ids].sort(), "each event redacted once");
  });

  it("shows text added to a Mattermost post with no text as a reply to its file, leaving the file alone", async () => {
    const postId = await postWithFiles("", ["alone.txt"]);
    const file = await eventWhere(dev, (e) => e.sender === mmGhost("bob") && e.content.body === "alone.txt", "the file");
    await stack.control(`/posts/${postId}`, { method: "PUT", body: { message: "words added later" } });
    const added = await eventWhere(dev, (e) => e.sender === mmGhost("bob") && e.content.body === "words added later", "the added text");
    assert.deepEqual(added.content["m.relates_to"], { "m.in_reply_to": { event_id: file.event_id } }, "a reply to the file");
    await stack.control(`/posts/${postId}`, { method: "PUT", body: { message: "words changed later" } });
    const edit = await eventWhere(dev, (e) => (e.content["m.new_content"] as { body?: string } | undefined)?.body === "words changed later", "the edit");
    assert.deepEqual(edit.content["m.relates_to"], { rel_type: "m.replace", event_id: added.event_id }, "the added text edited");
    await stack.postAs("bob", "acme/dev", "after the file's edit");
    await alice.matrix.waitForMessage(dev, mmGhost("bob"), /after the file's edit/);
    const events = await roomEvents(alice.matrix.client, dev);
    const replacing = events.filter((e) => (e.content["m.relates_to"] as { rel_type?: string; event_id?: string } | undefined)?.rel_type === "m.replace" && (e.content["m.relates_to"] as { event_id?: string }).event_id === file.event_id);
    assert.deepEqual(replacing, [], "no edit of the file event");
    assert.equal(events.filter((e) => e.content.body === "words added later").length, 1, "the text shown once");
    await stack.control(`/posts/${postId}`, { method: "DELETE" });
    for (const id of [file.event_id, added.event_id]) await eventWhere(dev, (e) => e.type === "m.room.redaction" && e.redacts === id, `the redaction of ${id}`);
  });

  it("takes a read receipt, reactions and replies to a post's second file or added text to that post", async () => {
    const postId = await postWithFiles("", ["one.txt", "two.txt"]);
    const bobs = (body: string) => (e: RawEvent) => e.sender === mmGhost("bob") && e.type === "m.room.message" && e.content.body === body;
    const second = await eventWhere(dev, bobs("two.txt"), "the second file");
    await stack.control(`/posts/${postId}`, { method: "PUT", body: { message: "what the files are" } });
    const added = await eventWhere(dev, bobs("what the files are"), "the added text");
    const viewed = () => stack.emulator.state.member(channelId("acme", "dev"), userId("alice"))!.last_viewed_at;
    const before = viewed();
    await alice.matrix.client.sendReadReceipt(dev, added.event_id);
    await eventually(() => viewed() > before, "the channel viewed");
    for (const [eventId, key] of [[second.event_id, "🎉"], [added.event_id, "👀"]] as const) {
      await alice.matrix.client.sendEvent(dev, "m.reaction", { "m.relates_to": { rel_type: "m.annotation", event_id: eventId, key } });
    }
    const alices = () => stack.emulator.state.reactionsOf(postId).filter((r) => r.user_id === userId("alice")).map((r) => r.emoji_name).sort();
    assert.deepEqual(await eventually(() => (alices().length === 2 ? alices() : undefined), "alice's reactions on the post"), ["eyes", "tada"]);
    await alice.matrix.client.sendMessage(dev, { msgtype: "m.text", body: "about the text", "m.relates_to": { "m.in_reply_to": { event_id: added.event_id } } });
    const inThread = { rel_type: "m.thread", event_id: second.event_id, is_falling_back: true, "m.in_reply_to": { event_id: second.event_id } };
    await alice.matrix.client.sendMessage(dev, { msgtype: "m.text", body: "about the second file", "m.relates_to": inThread });
    for (const text of ["about the text", "about the second file"]) {
      const reply = await postWhere(channelId("acme", "dev"), (p) => p.message.includes(text), `the reply ${text}`);
      assert.equal(reply.root_id, postId, `${text}: in the post's thread`);
    }
  });

  it("deletes the user's own post from Matrix by its linked event alone, not by another file's or the added text's redaction", async () => {
    const postId = await postWithFiles("", ["mine1.txt", "mine2.txt"], ALICE_TOKEN);
    const own = (body: string) => (e: RawEvent) => e.sender === mmGhost("alice") && e.type === "m.room.message" && e.content.body === body;
    const first = await eventWhere(dev, own("mine1.txt"), "the first file");
    const second = await eventWhere(dev, own("mine2.txt"), "the second file");
    await stack.control(`/posts/${postId}`, { method: "PUT", body: { message: "my two files" } });
    const added = await eventWhere(dev, own("my two files"), "the added text");
    for (const id of [second.event_id, added.event_id]) await alice.matrix.client.redactEvent(dev, id);
    // The portal handles the user's events in order: once this message is posted, both redactions were handled.
    await alice.matrix.client.sendText(dev, "after my redactions");
    await postWhere(channelId("acme", "dev"), (p) => p.message === "after my redactions", "the message after the redactions");
    assert.equal(stack.emulator.state.posts.get(postId)!.delete_at, 0, "the post kept");
    await alice.matrix.client.redactEvent(dev, first.event_id);
    await eventually(() => stack.emulator.state.posts.get(postId)!.delete_at > 0, "the post deleted");
  });
});
