// Messages both ways between Matrix (real Synapse) and Mattermost (the emulator) through the bridge configured
// `network: mattermost`, the user logged in with a personal access token: Markdown <-> HTML, mentions (pills,
// @channel), emotes (/me posts), integrations' message attachments, edits, deletions, threads, reactions, typing,
// read state, and the user's own posts made on another Mattermost client arriving from their ghost. Files are in
// mm-files.test.ts.
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { loadFixture } from "../../emulator/mattermost/fixture";
import type { MmPost } from "../../emulator/mattermost/types";
import { roomEvents, type RawEvent } from "../harness/matrix-events";
import { mmChannelId, mmPostWhere, mmUserId, pick, roomEventWhere } from "../harness/mm-queries";
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

  const channelId = (team: string, name: string) => mmChannelId(stack, team, name);
  const userId = (name: string) => mmUserId(stack, name);
  const postWhere = (channel: string, pred: (p: MmPost) => boolean, what: string) => mmPostWhere(stack, channel, pred, what);
  const eventWhere = (room: string, pred: (e: RawEvent) => boolean, what: string) => roomEventWhere(alice.matrix.client, room, pred, what);
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

  it("sends a Matrix reply to Mattermost with what it answers", async () => {
    await stack.postAs("bob", "acme/dev", "question?");
    const q = await alice.matrix.waitForMessage(dev, mmGhost("bob"), /question\?/);
    await alice.matrix.client.sendMessage(dev, { msgtype: "m.text", body: "> <@mattermost_bob:localhost> question?\n\nanswer!", "m.relates_to": { "m.in_reply_to": { event_id: q.eventId } } });
    const post = await postWhere(channelId("acme", "dev"), (p) => /answer!/.test(p.message), "the reply");
    assert.doesNotMatch(post.message, /mattermost_bob/, "the Matrix fallback is not sent");
  });
});
