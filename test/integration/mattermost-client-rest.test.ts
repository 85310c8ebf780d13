// The Mattermost REST client against the emulator over HTTP: the caller's teams and channels of every type,
// members, users and search, channels by name, join and leave, direct and group channels, posts with catch-up
// cursors, reactions, read state, files, and answers of the wrong shape stopped at the edge.
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { MattermostBadResponseError, MattermostApiError, MattermostNotFoundError } from "../../src/mattermost/errors";
import { MattermostClient } from "../../src/mattermost/rest";
import { ALICE, BOB, startMm, type MmApi } from "./mm-emulator-helpers";

let api: MmApi;
let alice: MattermostClient;
let bob: MattermostClient;

before(async () => {
  api = await startMm();
  await api.control("PUT", "/rate-limit", { enabled: false });
});
after(async () => {
  await api.emu.stop();
});
beforeEach(async () => {
  await api.control("POST", "/reset");
  await api.control("PUT", "/rate-limit", { enabled: false });
  alice = new MattermostClient({ serverUrl: api.emu.url, token: ALICE });
  bob = new MattermostClient({ serverUrl: api.emu.url, token: BOB });
});

const names = (xs: { name: string }[]) => xs.map((x) => x.name).sort();

describe("Mattermost client: teams, channels, users", () => {
  it("lists the caller's teams and every kind of channel", async () => {
    assert.equal((await alice.me()).username, "alice");
    const teams = await alice.myTeams();
    assert.deepEqual(names(teams), ["acme", "beta"]);
    const acme = teams.find((t) => t.name === "acme")!;
    const inAcme = await alice.myChannelsInTeam(acme.id);
    assert.deepEqual([...new Set(inAcme.map((c) => c.type))].sort(), ["D", "G", "O"]);
    const all = await alice.myChannels();
    assert.equal(all.filter((c) => c.type === "D").length, 1, "a DM is listed once across teams");
    assert.ok(all.some((c) => c.team_id !== acme.id && c.name === "town-square"), "the other team's channels too");
    const bobs = await bob.myChannels();
    assert.ok(bobs.some((c) => c.type === "P" && c.name === "secret"), "private channels");
  });

  it("reads members, users by ids and names, searches users and channels", async () => {
    const dev = await alice.channelByName("acme", "dev");
    assert.equal(dev.id, api.channelId("acme/dev"));
    const members = await alice.channelMembers(dev.id);
    assert.deepEqual(members.map((m) => m.user_id).sort(), [api.userId("alice"), api.userId("bob")].sort());
    assert.deepEqual(names((await alice.usersByIds([api.userId("bob"), api.userId("carol")])).map((u) => ({ name: u.username }))), ["bob", "carol"]);
    assert.deepEqual((await alice.usersByUsernames(["carol", "nobody"])).map((u) => u.username), ["carol"]);
    assert.equal((await alice.userByUsername("dave")).id, api.userId("dave"));
    assert.deepEqual((await alice.searchUsers("car")).map((u) => u.username), ["carol"]);
    const acme = (await alice.myTeams()).find((t) => t.name === "acme")!;
    assert.deepEqual((await alice.searchChannels(acme.id, "lob")).map((c) => c.name), ["lobby"]);
    await assert.rejects(alice.channelByName("acme", "nope"), MattermostNotFoundError);
  });

  it("joins and leaves, and says why town-square cannot be left", async () => {
    const lobby = api.channelId("acme/lobby");
    await alice.joinChannel(lobby);
    await alice.joinChannel(lobby);
    assert.ok((await alice.channelMembers(lobby)).some((m) => m.user_id === api.userId("alice")));
    await alice.leaveChannel(lobby);
    assert.ok(!(await alice.channelMembers(lobby)).some((m) => m.user_id === api.userId("alice")));
    const err = await alice.leaveChannel(api.channelId("acme/town-square")).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof MattermostApiError);
    assert.equal(err.status, 400);
    assert.equal(err.errorId, "api.channel.remove.default.app_error");
  });

  it("creates a direct and finds the existing group channel", async () => {
    const dm = await alice.directChannel(api.userId("carol"));
    assert.equal(dm.type, "D");
    assert.equal((await alice.directChannel(api.userId("carol"))).id, dm.id);
    const group = await alice.groupChannel([api.userId("bob"), api.userId("carol")]);
    assert.equal(group.type, "G");
    assert.ok((await alice.myChannels()).some((c) => c.id === group.id));
  });
});

describe("Mattermost client: posts", () => {
  it("creates, replies, edits and deletes; a repeated pending_post_id returns the first post", async () => {
    const dev = api.channelId("acme/dev");
    const post = await alice.createPost({ channel_id: dev, message: "hi", pending_post_id: "p-1" });
    const again = await alice.createPost({ channel_id: dev, message: "hi", pending_post_id: "p-1" });
    assert.equal(again.id, post.id);
    const generated = await alice.createPost({ channel_id: dev, message: "hi" });
    assert.ok(generated.pending_post_id?.startsWith(`${api.userId("alice")}:`), "a pending id is always sent");
    const reply = await bob.createPost({ channel_id: dev, message: "re", root_id: post.id });
    assert.equal(reply.root_id, post.id);
    assert.ok((await alice.editPost(post.id, "hi!")).edit_at > 0);
    await alice.deletePost(generated.id);
    await assert.rejects(alice.getPost(generated.id), MattermostNotFoundError);
    assert.equal((await alice.getPost(post.id)).message, "hi!");
  });

  it("pages forward after a cursor in order, and lists edits and deletions since a time", async () => {
    const dev = api.channelId("acme/dev");
    const latest = await alice.latestPosts(dev);
    assert.deepEqual(latest.map((p) => p.message), ["first", "second", "a reply", "fourth", "fifth"]);
    const seen: string[] = [];
    let cursor = latest[0].id;
    for (let page = await alice.postsAfter(dev, cursor, 2); ; page = await alice.postsAfter(dev, cursor, 2)) {
      seen.push(...page.posts.map((p) => p.message));
      if (!page.more) break;
      cursor = page.posts[page.posts.length - 1].id;
    }
    assert.deepEqual(seen, ["second", "a reply", "fourth", "fifth"]);
    const since = Math.max(...latest.map((p) => p.update_at));
    await alice.editPost(latest[4].id, "fifth, edited");
    await bob.deletePost(latest[3].id);
    const changed = await alice.postsChangedSince(dev, since);
    assert.deepEqual(changed.posts.map((p) => [p.id, p.edit_at > 0, p.delete_at > 0]), [
      [latest[4].id, true, false],
      [latest[3].id, false, true],
    ]);
    assert.equal(changed.truncated, false);
    const after = await alice.postsAfter(dev, latest[0].id);
    assert.ok(!after.posts.some((p) => p.id === latest[3].id), "a page leaves deleted posts out");
  });

  it("adds and removes reactions by name", async () => {
    const [first] = await alice.latestPosts(api.channelId("acme/dev"));
    const r = await alice.addReaction(first.id, "thumbsup");
    assert.equal(r.emoji_name, "thumbsup");
    assert.deepEqual((await alice.getPost(first.id)).metadata?.reactions?.map((x) => x.emoji_name), ["thumbsup"]);
    await alice.removeReaction(first.id, "thumbsup");
    assert.equal((await alice.getPost(first.id)).metadata?.reactions, undefined);
  });

  it("marks a channel viewed", async () => {
    const dev = api.channelId("acme/dev");
    const before = api.emu.state.member(dev, api.userId("alice"))!.last_viewed_at;
    await alice.viewChannel(dev);
    assert.ok(api.emu.state.member(dev, api.userId("alice"))!.last_viewed_at > before);
  });

  it("uploads a file, attaches it, and downloads the same bytes", async () => {
    const dev = api.channelId("acme/dev");
    const bytes = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0xff, 0x00, 0xfe, 0x80]);
    const info = await alice.uploadFile(dev, "pic.png", bytes, "image/png");
    assert.equal(info.size, bytes.length);
    const post = await alice.createPost({ channel_id: dev, message: "", file_ids: [info.id] });
    assert.deepEqual(post.file_ids, [info.id]);
    const got = await bob.downloadFile(info.id);
    assert.equal(got.contentType, "image/png");
    assert.deepEqual([...got.data], [...bytes]);
    assert.equal((await bob.fileInfo(info.id)).name, "pic.png");
  });
});

describe("Mattermost client: answers of the wrong shape", () => {
  /** A fetch that asks the emulator and then changes the answer's body. */
  function tampering(change: (body: unknown) => unknown): typeof fetch {
    return async (input, init) => {
      const res = await fetch(input, init);
      const body = change(await res.json());
      return new Response(JSON.stringify(body), { status: res.status, headers: { "content-type": "application/json" } });
    };
  }

  it("stops a post without an id and a post list with a hole, saying where", async () => {
    const noId = new MattermostClient({ serverUrl: api.emu.url, token: ALICE, fetch: tampering((b) => ({ ...(b as object), id: 42 })) });
    const err = await noId.getPost(api.emu.state.posts.keys().next().value!).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof MattermostBadResponseError);
    assert.match(err.problem, /answer\.id must be an id/);
    const hole = new MattermostClient({
      serverUrl: api.emu.url, token: ALICE, fetch: tampering((b) => ({ ...(b as object), order: ["x".repeat(26)] })),
    });
    await assert.rejects(hole.latestPosts(api.channelId("acme/dev")), (e: unknown) => e instanceof MattermostBadResponseError && /missing from posts/.test(e.problem));
    const badType = new MattermostClient({
      serverUrl: api.emu.url, token: ALICE, fetch: tampering((b) => (b as object[]).map((c) => ({ ...c, type: "X" }))),
    });
    await assert.rejects(badType.myChannels(), /type must be O, P, D or G/);
  });
});
