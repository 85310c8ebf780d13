// Messages both ways between Matrix (real Synapse) and Mattermost (the emulator) through the bridge configured
// `network: mattermost`, the user logged in with a personal access token: Markdown <-> HTML, mentions (pills,
// @channel), emotes (/me posts), integrations' message attachments, edits, deletions, threads, reactions, typing,
// read state, files both ways (a reaction, reply or receipt to any file or added text reaching its post), and the
// user's own posts made on another Mattermost client arriving from their ghost.
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { loadFixture } from "../../emulator/mattermost/fixture";
import type { MmPost } from "../../emulator/mattermost/types";
import { roomEvents, type RawEvent } from "../harness/matrix-events";
import { MM_BOT, mmGhost, startMmStack, type MmMatrixUser, type MmStack } from "../harness/mm-stack";
import { eventually } from "../harness/stack";

const FIXTURE = loadFixture(path.resolve(__dirname, "../../fixtures/mattermost-test.yaml"));
const ALICE_TOKEN = "a".repeat(26);

describe("Mattermost messages both ways on real Synapse", { timeout: 240_000 }, () => {
  let stack: MmStack;
  let alice: MmMatrixUser;
  let dev: string; // alice's portal of acme/dev
  let dm: string; // alice's direct chat with bob
  const typing: string[] = []; // user ids typing in acme/dev, as Mattermost's websocket tells them

  before(async () => {
    stack = await startMmStack({ fixture: FIXTURE, name: "mm-messages" });
    alice = await stack.newMatrixUser("alice");
    await stack.loginWithToken(alice, ALICE_TOKEN, "alice");
    dev = await alice.matrix.waitForInvite((i) => i.name === "Development (Acme)", 60_000);
    dm = await alice.matrix.waitForInvite((i) => i.isDirect && i.inviter === mmGhost("bob"), 60_000);
    await alice.matrix.client.joinRoom(dev);
    await alice.matrix.client.joinRoom(dm);
    const devId = channelId("acme", "dev");
    stack.emulator.state.on("ws", (ev: { event: string; data: Record<string, unknown>; broadcast: { channel_id: string } }) => {
      if (ev.event === "typing" && ev.broadcast.channel_id === devId) typing.push(String(ev.data.user_id));
    });
  });

  after(async () => {
    await stack?.stop();
  });

  function channelId(team: string, name: string): string {
    const t = [...stack.emulator.state.teams.values()].find((x) => x.name === team)!;
    return [...stack.emulator.state.channels.values()].find((c) => c.team_id === t.id && c.name === name)!.id;
  }
  const userId = (name: string) => stack.emulator.state.userByName(name)!.id;
  /** The newest post in `channel` matching `pred`, once there is one. */
  const postWhere = (channel: string, pred: (p: MmPost) => boolean, what: string) =>
    eventually(() => [...stack.emulator.state.posts.values()].filter((p) => p.channel_id === channel && pred(p)).pop(), what);
  const eventWhere = (room: string, pred: (e: RawEvent) => boolean, what: string) =>
    eventually(async () => (await roomEvents(alice.matrix.client, room)).find(pred), what);
  const sendHtml = (room: string, body: string, html: string, extra: Record<string, unknown> = {}) =>
    alice.matrix.client.sendMessage(room, { msgtype: "m.text", body, format: "org.matrix.custom.html", formatted_body: html, ...extra });

  it("brings a Mattermost post into Matrix from its author's ghost, Markdown as HTML, mentions as pills and @room", async () => {
    await stack.postAs("bob", "acme/dev", "**bold** and `code`, @alice and @channel");
    const m = await alice.matrix.waitForMessage(dev, mmGhost("bob"), /bold/);
    assert.match(m.formatted ?? "", /<strong>bold<\/strong>/);
    assert.match(m.formatted ?? "", /<code>code<\/code>/);
    assert.match(m.formatted ?? "", /href="https:\/\/matrix\.to\/#\/@alice:localhost"/);
    assert.match(m.body, /@room/);
  });

  it("shows an integration's message attachments after its text, as a quote", async () => {
    const card = { pretext: "CI says:", title: "Build 42", title_link: "https://ci.example.org/42", text: "All **green**.", fields: [{ title: "Branch", value: "main" }] };
    await stack.control("/posts", { method: "POST", body: { as: "bob", channel: "acme/dev", message: "build finished", attachments: [card] } });
    const m = await alice.matrix.waitForMessage(dev, mmGhost("bob"), /^build finished/);
    assert.match(m.body, /> Build 42 \(https:\/\/ci\.example\.org\/42\)/);
    assert.equal(
      m.formatted,
      "<p>build finished</p><p>CI says:</p><blockquote><p><strong><a href=\"https://ci.example.org/42\">Build 42</a></strong></p>" +
        "<p>All <strong>green</strong>.</p><p><strong>Branch</strong><br />main</p></blockquote>",
    );
  });

  it("sends a Matrix message to Mattermost as the user, HTML as Markdown, a ghost's pill as @username, @room as @channel", async () => {
    const pill = `<a href="https://matrix.to/#/${mmGhost("bob")}">bob</a>`;
    await sendHtml(dev, "hello bob, @room", `<em>hello</em> ${pill}, @room`, { "m.mentions": { user_ids: [mmGhost("bob")], room: true } });
    const post = await postWhere(channelId("acme", "dev"), (p) => /hello/.test(p.message), "alice's post");
    assert.equal(post.user_id, userId("alice"));
    assert.match(post.message, /^[*_]hello[*_] @bob, @channel$/);
  });

  it("shows the user's own post from another Mattermost client from their ghost, once", async () => {
    await stack.postAs("alice", "acme/dev", "from my phone");
    const m = await alice.matrix.waitForMessage(dev, mmGhost("alice"), /from my phone/);
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(alice.matrix.messages(dev).filter((x) => x.body === m.body).length, 1);
  });

  it("sends a Matrix emote as a Mattermost /me post, and brings a /me post into Matrix as an emote", async () => {
    await alice.matrix.client.sendMessage(dev, { msgtype: "m.emote", body: "waves at bob" });
    const post = await postWhere(channelId("acme", "dev"), (p) => p.message.includes("waves at bob"), "alice's /me post");
    assert.deepEqual([post.user_id, post.type, post.message], [userId("alice"), "me", "*waves at bob*"], "as the server's /me posts it");
    const emote = await alice.matrix.waitForMessage(dev, alice.matrix.userId, /waves at bob/);
    await alice.matrix.client.sendMessage(dev, {
      msgtype: "m.emote", body: "* waves at everyone", "m.new_content": { msgtype: "m.emote", body: "waves at everyone" }, "m.relates_to": { rel_type: "m.replace", event_id: emote.eventId },
    });
    await eventually(() => stack.emulator.state.posts.get(post.id)?.message === "*waves at everyone*", "the edit, still a /me post");
    await stack.control("/posts", { method: "POST", body: { as: "bob", channel: "acme/dev", message: "*waves back*", type: "me" } });
    const m = await eventWhere(dev, (e) => e.sender === mmGhost("bob") && e.content.body === "waves back", "bob's emote");
    assert.equal(m.content.msgtype, "m.emote");
    await stack.postAs("bob", "acme/dev", "after the emotes");
    await alice.matrix.waitForMessage(dev, mmGhost("bob"), /after the emotes/);
    const events = await roomEvents(alice.matrix.client, dev);
    assert.equal(events.filter((e) => e.type === "m.room.message" && !e.content["m.new_content"] && String(e.content.body ?? "").includes("waves at")).length, 1, "alice's emote not bridged back");
  });

  it("carries edits and deletions from Mattermost into Matrix", async () => {
    const post = await stack.postAs("bob", "acme/dev", "typo heer");
    const original = await alice.matrix.waitForMessage(dev, mmGhost("bob"), /typo heer/);
    await stack.control(`/posts/${post.id}`, { method: "PUT", body: { message: "typo here" } });
    const replaces = (e: RawEvent) => (e.content["m.relates_to"] as { rel_type?: string; event_id?: string } | undefined)?.event_id === original.eventId;
    const edit = await eventWhere(dev, (e) => replaces(e) && (e.content["m.relates_to"] as { rel_type?: string }).rel_type === "m.replace", "the edit");
    assert.equal((edit.content["m.new_content"] as { body: string }).body, "typo here");
    await stack.control(`/posts/${post.id}`, { method: "DELETE" });
    await eventWhere(dev, (e) => e.type === "m.room.redaction" && e.redacts === original.eventId, "the redaction");
  });

  it("carries Matrix edits and redactions to Mattermost", async () => {
    const eventId = await alice.matrix.client.sendText(dev, "draft one");
    const post = await postWhere(channelId("acme", "dev"), (p) => p.message === "draft one", "the draft");
    await alice.matrix.client.sendMessage(dev, {
      msgtype: "m.text", body: "* draft two", "m.new_content": { msgtype: "m.text", body: "draft two" }, "m.relates_to": { rel_type: "m.replace", event_id: eventId },
    });
    await eventually(() => stack.emulator.state.posts.get(post.id)?.message === "draft two", "the edit on Mattermost");
    await alice.matrix.client.redactEvent(dev, eventId);
    await eventually(() => (stack.emulator.state.posts.get(post.id)?.delete_at ?? 0) > 0, "the deletion on Mattermost");
  });

  it("puts Mattermost thread replies in a Matrix thread, and Matrix thread replies under the Mattermost root", async () => {
    const root = await stack.postAs("bob", "acme/dev", "thread root");
    const rootEvent = await alice.matrix.waitForMessage(dev, mmGhost("bob"), /thread root/);
    await stack.postAs("bob", "acme/dev", "in the thread", root.id);
    const reply = await alice.matrix.waitForMessage(dev, mmGhost("bob"), /in the thread/);
    assert.deepEqual(pick(reply.content["m.relates_to"]), { rel_type: "m.thread", event_id: rootEvent.eventId });
    await alice.matrix.client.sendMessage(dev, {
      msgtype: "m.text", body: "my reply", "m.relates_to": { rel_type: "m.thread", event_id: rootEvent.eventId, is_falling_back: true, "m.in_reply_to": { event_id: reply.eventId } },
    });
    const post = await postWhere(channelId("acme", "dev"), (p) => p.message === "my reply", "alice's reply");
    assert.equal(post.root_id, root.id);
  });

  it("carries reactions both ways", async () => {
    await alice.matrix.client.sendText(dev, "react to me");
    const post = await postWhere(channelId("acme", "dev"), (p) => p.message === "react to me", "the post");
    const own = await alice.matrix.waitForMessage(dev, alice.matrix.userId, /react to me/);
    await stack.control("/reactions", { method: "POST", body: { as: "bob", post_id: post.id, emoji_name: "thumbsup" } });
    const reaction = await eventWhere(dev, (e) => e.type === "m.reaction" && e.sender === mmGhost("bob"), "bob's reaction");
    assert.deepEqual(reaction.content["m.relates_to"], { rel_type: "m.annotation", event_id: own.eventId, key: "👍" });
    const bobs = await stack.postAs("bob", "acme/dev", "party");
    const party = await alice.matrix.waitForMessage(dev, mmGhost("bob"), /^party$/);
    await alice.matrix.client.sendEvent(dev, "m.reaction", { "m.relates_to": { rel_type: "m.annotation", event_id: party.eventId, key: "🎉" } });
    await eventually(() => stack.emulator.state.reactions.find((r) => r.post_id === bobs.id && r.user_id === userId("alice"))?.emoji_name === "tada", "alice's reaction on Mattermost");
    await stack.control("/reactions", { method: "DELETE", body: { as: "bob", post_id: post.id, emoji_name: "thumbsup" } });
    await eventWhere(dev, (e) => e.type === "m.room.redaction" && e.redacts === reaction.event_id, "bob's reaction taken back");
  });

  it("shows typing both ways", async () => {
    // Typing is followed from a sync token: Synapse keeps an initial sync's answer (no `since`) for two minutes
    // (config/cache.py sync_response_cache_duration), so polling initial syncs reads the same answer again.
    type Sync = { next_batch: string; rooms?: { join?: Record<string, { ephemeral?: { events?: RawEvent[] } }> } };
    const sync = (qs: Record<string, string | number>) => alice.matrix.client.doRequest("GET", "/_matrix/client/v3/sync", qs) as Promise<Sync>;
    let since = (await sync({ timeout: 0 })).next_batch;
    // Mattermost's clients repeat typing every few seconds while it lasts; so does bob here.
    let told = 0;
    await eventually(async () => {
      if (Date.now() - told > 2000) (told = Date.now()), await stack.control("/typing", { method: "POST", body: { as: "bob", channel: "acme/dev" } });
      const res = await sync({ since, timeout: 1000 });
      since = res.next_batch;
      const events = res.rooms?.join?.[dev]?.ephemeral?.events ?? [];
      return events.some((e) => e.type === "m.typing" && (e.content.user_ids as string[]).includes(mmGhost("bob")));
    }, "bob's ghost typing");
    await alice.matrix.client.setTyping(dev, true, 10_000);
    await eventually(() => typing.includes(userId("alice")), "alice typing on Mattermost");
  });

  it("marks the channel viewed on Mattermost when the user reads it in Matrix", async () => {
    await stack.postAs("bob", "acme/dev", "read me");
    const m = await alice.matrix.waitForMessage(dev, mmGhost("bob"), /read me/);
    const before = stack.emulator.state.member(channelId("acme", "dev"), userId("alice"))!.last_viewed_at;
    await alice.matrix.client.sendReadReceipt(dev, m.eventId);
    await eventually(() => stack.emulator.state.member(channelId("acme", "dev"), userId("alice"))!.last_viewed_at > before, "the channel viewed");
  });

  it("carries group messages both ways, each from its author's ghost", async () => {
    const group = await alice.matrix.waitForInvite((i) => i.name === "bob, carol", 60_000);
    await alice.matrix.client.joinRoom(group);
    const g = [...stack.emulator.state.channels.values()].find((c) => c.type === "G")!;
    await stack.postAs("carol", g.id, "hi both");
    await alice.matrix.waitForMessage(group, mmGhost("carol"), /hi both/);
    await alice.matrix.client.sendText(group, "hi carol");
    const post = await postWhere(g.id, (p) => p.message === "hi carol", "alice's group message");
    assert.equal(post.user_id, userId("alice"));
  });

  it("carries direct messages both ways", async () => {
    await stack.postAs("bob", "alice,bob", "psst");
    await alice.matrix.waitForMessage(dm, mmGhost("bob"), /psst/);
    await alice.matrix.client.sendText(dm, "what?");
    const direct = stack.emulator.state.directChannel(userId("alice"), userId("bob"), userId("alice"));
    const post = await postWhere(direct.id, (p) => p.message === "what?", "alice's direct message");
    assert.equal(post.user_id, userId("alice"));
    assert.equal(alice.matrix.messages(alice.controlRoom).filter((x) => x.sender === MM_BOT && /not sent/.test(x.body)).length, 0);
  });

  it("shows the user's own direct message and reaction from another Mattermost client from their ghost", async () => {
    const post = await stack.postAs("alice", "alice,bob", "from my laptop");
    const m = await alice.matrix.waitForMessage(dm, mmGhost("alice"), /from my laptop/);
    await stack.control("/reactions", { method: "POST", body: { as: "alice", post_id: post.id, emoji_name: "white_check_mark" } });
    const reaction = await eventWhere(dm, (e) => e.type === "m.reaction" && e.sender === mmGhost("alice"), "alice's own reaction");
    assert.deepEqual(reaction.content["m.relates_to"], { rel_type: "m.annotation", event_id: m.eventId, key: "✅" });
  });

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

  it("sends a Matrix reply to Mattermost with what it answers", async () => {
    await stack.postAs("bob", "acme/dev", "question?");
    const q = await alice.matrix.waitForMessage(dev, mmGhost("bob"), /question\?/);
    await alice.matrix.client.sendMessage(dev, { msgtype: "m.text", body: "> <@mattermost_bob:localhost> question?\n\nanswer!", "m.relates_to": { "m.in_reply_to": { event_id: q.eventId } } });
    const post = await postWhere(channelId("acme", "dev"), (p) => /answer!/.test(p.message), "the reply");
    assert.doesNotMatch(post.message, /mattermost_bob/, "the Matrix fallback is not sent");
  });
});

function pick(relation: unknown): { rel_type?: string; event_id?: string } {
  const r = relation as { rel_type?: string; event_id?: string } | undefined;
  return { rel_type: r?.rel_type, event_id: r?.event_id };
}
