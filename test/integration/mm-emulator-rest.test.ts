// The Mattermost emulator's REST API v4 over real HTTP: auth, errors, users, teams, channels, posts with their
// cursors, pending_post_id, reactions, membership, direct and group channels, read state, files, limits, faults.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ALICE, BOB, CAROL, read, startMm, type MmApi } from "./mm-emulator-helpers";

let api: MmApi;
before(async () => {
  api = await startMm();
});
after(async () => {
  await api.emu.stop();
});

describe("Mattermost emulator: auth and errors", () => {
  it("answers 401 with an AppError body and X-Request-ID without a valid token", async () => {
    for (const auth of [undefined, "nosuchtokennosuchtokennosu"]) {
      const res = await api.call("GET", "/api/v4/users/me", auth);
      assert.equal(res.status, 401);
      const body = await read(res);
      assert.deepEqual(Object.keys(body).sort(), ["detailed_error", "id", "message", "request_id", "status_code"]);
      assert.equal(body.id, "api.context.session_expired.app_error");
      assert.equal(body.status_code, 401);
      assert.equal(body.request_id, res.headers.get("x-request-id"));
    }
  });

  it("gives 26-character ids and hides passwords", async () => {
    const me = await api.json("GET", "/api/v4/users/me", ALICE);
    assert.match(me.id, /^[a-z0-9]{26}$/);
    assert.equal(me.username, "alice");
    assert.equal(me.password, undefined);
    const byName = await api.json("POST", "/api/v4/users/usernames", ALICE, ["bob", "nobody"]);
    assert.deepEqual(byName.map((u: { username: string }) => u.username), ["bob"]);
  });

  it("rejects bad ids in the URL with 400 and unknown ones with 404", async () => {
    assert.equal((await api.call("GET", "/api/v4/channels/not-an-id", ALICE)).status, 400);
    const res = await api.call("GET", `/api/v4/channels/${"z".repeat(26)}`, ALICE);
    assert.equal(res.status, 404);
    assert.equal((await read(res)).id, "app.channel.get.existing.app_error");
  });
});

describe("Mattermost emulator: teams and channels", () => {
  it("lists a team's channels together with the user's direct and group channels", async () => {
    const teams = await api.json("GET", "/api/v4/users/me/teams", ALICE);
    assert.deepEqual(teams.map((t: { name: string }) => t.name).sort(), ["acme", "beta"]);
    const acme = teams.find((t: { name: string }) => t.name === "acme");
    const channels = await api.json("GET", `/api/v4/users/me/teams/${acme.id}/channels`, ALICE);
    const types = channels.map((c: { type: string }) => c.type).sort().join("");
    assert.equal(types, "DGOO");
    const all = await api.json("GET", "/api/v4/users/me/channels", ALICE);
    assert.equal(all.length, 5);
  });

  it("keeps private channels from non-members but lets team members read public ones", async () => {
    assert.equal((await api.call("GET", `/api/v4/channels/${api.channelId("acme/secret")}`, ALICE)).status, 403);
    assert.equal((await api.call("GET", `/api/v4/channels/${api.channelId("acme/lobby")}/posts`, ALICE)).status, 200);
    assert.equal((await api.call("POST", "/api/v4/posts", ALICE, { channel_id: api.channelId("acme/lobby"), message: "x" })).status, 403);
  });
});

describe("Mattermost emulator: post history", () => {
  it("pages newest first with per_page and page, and gives prev/next cursors", async () => {
    const dev = api.channelId("acme/dev");
    const p0 = await api.json("GET", `/api/v4/channels/${dev}/posts?per_page=2`, ALICE);
    assert.equal(p0.order.length, 2);
    assert.equal(p0.posts[p0.order[0]].message, "fifth");
    assert.equal(p0.next_post_id, "");
    const p1 = await api.json("GET", `/api/v4/channels/${dev}/posts?per_page=2&page=1`, ALICE);
    assert.deepEqual(p1.order.map((id: string) => p1.posts[id].message), ["a reply", "second"]);
    assert.equal(p1.posts[p1.order[0]].root_id, p1.order[1]);
    const older = await api.json("GET", `/api/v4/channels/${dev}/posts?before=${p1.order[1]}&per_page=10`, ALICE);
    assert.deepEqual(older.order.map((id: string) => older.posts[id].message), ["first"]);
    assert.equal(older.next_post_id, p1.order[1]);
    assert.equal(older.prev_post_id, "");
    const newer = await api.json("GET", `/api/v4/channels/${dev}/posts?after=${older.order[0]}&per_page=2`, ALICE);
    assert.deepEqual(newer.order.map((id: string) => newer.posts[id].message), ["a reply", "second"]);
    assert.equal(newer.prev_post_id, older.order[0]);
    assert.equal(newer.next_post_id, p0.order[1]);
  });

  it("puts a listed reply's whole thread in `posts`, beyond `order`", async () => {
    const dev = api.channelId("acme/dev");
    const list = await api.json("GET", `/api/v4/channels/${dev}/posts?per_page=3`, ALICE);
    assert.equal(list.order.length, 3);
    const messages = Object.values(list.posts).map((p) => (p as { message: string }).message).sort();
    assert.deepEqual(messages, ["a reply", "fifth", "fourth", "second"]);
  });

  it("lists changes since a time, deletions and edits included", async () => {
    const dev = api.channelId("acme/dev");
    const since = Date.now();
    const post = await api.json("POST", "/api/v4/posts", ALICE, { channel_id: dev, message: "to go" });
    const edited = await api.json("POST", "/api/v4/posts", ALICE, { channel_id: dev, message: "to edit" });
    await api.json("PUT", `/api/v4/posts/${edited.id}/patch`, ALICE, { message: "edited" });
    await api.json("DELETE", `/api/v4/posts/${post.id}`, ALICE);
    const list = await api.json("GET", `/api/v4/channels/${dev}/posts?since=${since}`, ALICE);
    assert.deepEqual(new Set(list.order), new Set([post.id, edited.id]));
    assert.ok(list.posts[post.id].delete_at > 0);
    assert.ok(list.posts[edited.id].edit_at > 0);
    assert.equal(list.posts[edited.id].message, "edited");
    const page = await api.json("GET", `/api/v4/channels/${dev}/posts`, ALICE);
    assert.ok(!page.order.includes(post.id), "a page leaves deleted posts out");
  });
});

describe("Mattermost emulator: posting", () => {
  it("answers 201 and returns the first post again for a retried pending_post_id", async () => {
    const body = { channel_id: api.channelId("acme/dev"), message: "once", pending_post_id: `${api.userId("alice")}:1234` };
    const a = await api.call("POST", "/api/v4/posts", ALICE, body);
    const b = await api.call("POST", "/api/v4/posts", ALICE, body);
    assert.equal(a.status, 201);
    assert.equal(b.status, 201);
    const [pa, pb] = [await read(a), await read(b)];
    assert.equal(pa.id, pb.id);
    assert.equal(pa.pending_post_id, body.pending_post_id);
    const list = await api.json("GET", `/api/v4/channels/${body.channel_id}/posts`, ALICE);
    assert.equal(list.order.filter((id: string) => list.posts[id].message === "once").length, 1);
  });

  it("refuses a post over 16383 characters, a bad root_id and someone else's edit or delete", async () => {
    const dev = api.channelId("acme/dev");
    const long = await api.call("POST", "/api/v4/posts", ALICE, { channel_id: dev, message: "x".repeat(16384) });
    assert.equal(long.status, 400);
    assert.equal((await read(long)).id, "model.post.is_valid.message_length.app_error");
    assert.equal((await api.call("POST", "/api/v4/posts", ALICE, { channel_id: dev, message: "x".repeat(16383) })).status, 201);
    const badRoot = await api.call("POST", "/api/v4/posts", ALICE, { channel_id: dev, message: "r", root_id: "q".repeat(26) });
    assert.equal((await read(badRoot)).id, "api.post.create_post.root_id.app_error");
    const mine = await api.json("POST", "/api/v4/posts", ALICE, { channel_id: dev, message: "mine" });
    assert.equal((await api.call("PUT", `/api/v4/posts/${mine.id}/patch`, BOB, { message: "no" })).status, 403);
    assert.equal((await api.call("DELETE", `/api/v4/posts/${mine.id}`, BOB)).status, 403);
  });

  it("takes a /me post's type from a client, and refuses system and unknown types", async () => {
    const dev = api.channelId("acme/dev");
    const me = await api.json("POST", "/api/v4/posts", ALICE, { channel_id: dev, message: "*waves*", type: "me" });
    assert.equal(me.type, "me");
    assert.equal((await api.json("GET", `/api/v4/posts/${me.id}`, ALICE)).type, "me");
    const system = await api.call("POST", "/api/v4/posts", ALICE, { channel_id: dev, message: "x", type: "system_join_channel" });
    assert.equal(system.status, 400);
    assert.equal((await read(system)).id, "api.context.invalid_param.app_error");
    const unknown = await api.call("POST", "/api/v4/posts", ALICE, { channel_id: dev, message: "x", type: "shout" });
    assert.equal(unknown.status, 400);
    assert.equal((await read(unknown)).id, "model.post.is_valid.type.app_error");
    assert.equal((await api.json("POST", "/api/v4/posts", ALICE, { channel_id: dev, message: "x", type: "custom_poll" })).type, "custom_poll");
  });

  it("adds and removes reactions by emoji name, only as oneself", async () => {
    const post = await api.json("POST", "/api/v4/posts", ALICE, { channel_id: api.channelId("acme/dev"), message: "react" });
    const bob = api.userId("bob");
    assert.equal((await api.call("POST", "/api/v4/reactions", ALICE, { user_id: bob, post_id: post.id, emoji_name: "smile" })).status, 403);
    const r = await api.json("POST", "/api/v4/reactions", BOB, { user_id: bob, post_id: post.id, emoji_name: "thumbsup" });
    assert.equal(r.emoji_name, "thumbsup");
    const got = await api.json("GET", `/api/v4/posts/${post.id}`, ALICE);
    assert.equal(got.has_reactions, true);
    assert.equal(got.metadata.reactions.length, 1);
    assert.ok(got.update_at > post.update_at, "a reaction moves the post's update_at");
    await api.json("DELETE", `/api/v4/users/me/posts/${post.id}/reactions/thumbsup`, BOB);
    assert.deepEqual(await api.json("GET", `/api/v4/posts/${post.id}/reactions`, ALICE), []);
  });
});

describe("Mattermost emulator: membership, direct and group channels, read state", () => {
  it("joins a public channel, refuses to leave town-square, and leaves", async () => {
    const lobby = api.channelId("acme/lobby");
    const alice = api.userId("alice");
    const m = await api.call("POST", `/api/v4/channels/${lobby}/members`, ALICE, { user_id: alice });
    assert.equal(m.status, 201);
    assert.equal((await read(m)).channel_id, lobby);
    const ts = await api.call("DELETE", `/api/v4/channels/${api.channelId("acme/town-square")}/members/${alice}`, ALICE);
    assert.equal((await read(ts)).id, "api.channel.remove.default.app_error");
    assert.deepEqual(await api.json("DELETE", `/api/v4/channels/${lobby}/members/${alice}`, ALICE), { status: "OK" });
    const again = await api.call("DELETE", `/api/v4/channels/${lobby}/members/${alice}`, ALICE);
    assert.deepEqual([again.status, (await read(again)).id], [404, "app.channel.get_member.missing.app_error"], "leaving twice");
    assert.equal((await api.call("POST", `/api/v4/channels/${api.channelId("acme/secret")}/members`, ALICE, { user_id: alice })).status, 403);
  });

  it("leaves no direct or group channel through membership: those are closed in preferences", async () => {
    const [alice, bob, carol] = ["alice", "bob", "carol"].map((u) => api.userId(u));
    const g = await api.json("POST", "/api/v4/channels/group", ALICE, [bob, carol]);
    const d = await api.json("POST", "/api/v4/channels/direct", ALICE, [alice, bob]);
    for (const c of [g, d]) {
      const res = await api.call("DELETE", `/api/v4/channels/${String(c.id)}/members/${alice}`, ALICE);
      assert.deepEqual([res.status, (await read(res)).id], [400, "api.channel.remove_channel_member.type.app_error"]);
    }
  });

  it("creates direct and group channels once, with the server's names", async () => {
    const [alice, bob, carol] = ["alice", "bob", "carol"].map((u) => api.userId(u));
    const d1 = await api.json("POST", "/api/v4/channels/direct", ALICE, [alice, carol]);
    const d2 = await api.json("POST", "/api/v4/channels/direct", CAROL, [carol, alice]);
    assert.equal(d1.id, d2.id);
    assert.equal(d1.type, "D");
    assert.equal(d1.name, [alice, carol].sort().join("__"));
    assert.equal((await api.call("POST", "/api/v4/channels/direct", ALICE, [bob, carol])).status, 403);
    const g = await api.json("POST", "/api/v4/channels/group", ALICE, [bob, carol]);
    assert.equal(g.type, "G");
    assert.equal(g.display_name, "alice, bob, carol");
    assert.match(g.name, /^[0-9a-f]{40}$/);
    assert.equal((await api.call("POST", "/api/v4/channels/group", ALICE, [bob])).status, 400);
  });

  it("names a direct or group channel by its people in the control API", async () => {
    const [alice, bob, carol] = ["alice", "bob", "carol"].map((u) => api.userId(u));
    const inGroup = await api.control("POST", "/posts", { as: "carol", channel: "alice,bob,carol", message: "to both" });
    const g = await api.json("POST", "/api/v4/channels/group", ALICE, [bob, carol]);
    assert.equal(inGroup.channel_id, g.id);
    const inDirect = await api.control("POST", "/posts", { as: "bob", channel: "alice,bob", message: "to alice" });
    assert.equal(inDirect.channel_id, (await api.json("POST", "/api/v4/channels/direct", ALICE, [alice, bob])).id);
  });

  it("marks a channel viewed", async () => {
    const dev = api.channelId("acme/dev");
    const res = await api.json("POST", "/api/v4/channels/members/me/view", ALICE, { channel_id: dev });
    assert.equal(res.status, "OK");
    assert.ok(res.last_viewed_at_times[dev] > 0);
    const members = await api.json("GET", `/api/v4/channels/${dev}/members`, ALICE);
    const mine = members.find((m: { user_id: string }) => m.user_id === api.userId("alice"));
    assert.equal(mine.last_viewed_at, res.last_viewed_at_times[dev]);
  });
});

describe("Mattermost emulator: files", () => {
  it("uploads multipart, attaches to a post, and serves the bytes to channel members", async () => {
    const dev = api.channelId("acme/dev");
    const form = new FormData();
    form.set("channel_id", dev);
    form.append("files", new Blob([Buffer.from("PNGDATA")], { type: "image/png" }), "cat.png");
    const up = await fetch(`${api.emu.url}/api/v4/files`, { method: "POST", headers: { authorization: `Bearer ${ALICE}` }, body: form });
    assert.equal(up.status, 201);
    const info = (await read(up)).file_infos[0];
    assert.equal(info.name, "cat.png");
    assert.equal(info.mime_type, "image/png");
    assert.equal(info.size, 7);
    assert.equal((await api.call("GET", `/api/v4/files/${info.id}`, BOB)).status, 403, "not yet on a post");
    const post = await api.json("POST", "/api/v4/posts", ALICE, { channel_id: dev, message: "", file_ids: [info.id] });
    assert.deepEqual(post.file_ids, [info.id]);
    assert.equal(post.metadata.files[0].id, info.id);
    const got = await api.call("GET", `/api/v4/files/${info.id}`, BOB);
    assert.equal(got.headers.get("content-type"), "image/png");
    assert.equal(Buffer.from(await got.arrayBuffer()).toString(), "PNGDATA");
  });
});

describe("Mattermost emulator: limits and faults", () => {
  it("answers 429 with limit exceeded, X-RateLimit-* and Retry-After in seconds", async () => {
    await api.control("PUT", "/rate-limit", { perSec: 1, burst: 2 });
    try {
      const codes: number[] = [];
      let limited: Response | undefined;
      for (let i = 0; i < 4; i++) {
        const res = await api.call("GET", "/api/v4/users/me", CAROL);
        codes.push(res.status);
        if (res.status === 429) limited = res;
      }
      assert.deepEqual(codes, [200, 200, 200, 429]);
      assert.equal(limited!.headers.get("x-ratelimit-limit"), "3");
      assert.equal(limited!.headers.get("x-ratelimit-remaining"), "0");
      assert.ok(Number(limited!.headers.get("x-ratelimit-reset")) <= 3);
      assert.equal(limited!.headers.get("retry-after"), "1");
      assert.equal(await limited!.text(), "limit exceeded\n");
      assert.equal((await api.call("GET", "/api/v4/users/me", BOB)).status, 200, "the limit is per user");
    } finally {
      await api.control("PUT", "/rate-limit", { perSec: 10, burst: 100 });
    }
  });

  it("fails the next matching calls with the asked status", async () => {
    await api.control("POST", "/faults", { status: 503, count: 2, method: "GET", path: "^/users/me$" });
    assert.equal((await api.call("GET", "/api/v4/users/me", ALICE)).status, 503);
    assert.equal((await api.call("GET", "/api/v4/users/me", ALICE)).status, 503);
    assert.equal((await api.call("GET", "/api/v4/users/me", ALICE)).status, 200);
  });

  it("garbles the next matching answer on request: its status kept, its body not JSON", async () => {
    await api.control("POST", "/faults", { garble: true, count: 1, method: "GET", path: "^/users/me$" });
    const garbled = await api.call("GET", "/api/v4/users/me", ALICE);
    assert.equal(garbled.status, 200);
    assert.match(garbled.headers.get("content-type") ?? "", /^text\/html/);
    const body = await garbled.text();
    assert.throws(() => JSON.parse(body));
    assert.equal((await api.call("GET", "/api/v4/users/me", ALICE)).headers.get("content-type")?.startsWith("application/json"), true);
  });

  it("revokes tokens and deactivates users", async () => {
    const { token } = await api.control("POST", "/tokens", { user: "carol" });
    assert.equal((await api.call("GET", "/api/v4/users/me", token)).status, 200);
    await api.control("DELETE", `/tokens/${token}`);
    assert.equal((await api.call("GET", "/api/v4/users/me", token)).status, 401);
    await api.control("POST", "/users/dave/deactivate");
    const { token: t2 } = await api.control("POST", "/tokens", { user: "dave" });
    assert.equal((await api.call("GET", "/api/v4/users/me", t2)).status, 401);
    await api.control("POST", "/reset");
    assert.equal((await api.call("GET", "/api/v4/users/me", CAROL)).status, 200);
  });
});
