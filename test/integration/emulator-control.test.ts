// The control API: absent unless enabled, and when enabled it drives the emulator as tests need.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ALICE, BOB, startTestEmulator, type Api } from "./emulator-helpers";

describe("emulator control API off by default", () => {
  it("answers 404 under /_emulator when not enabled", async () => {
    const api = await startTestEmulator();
    try {
      const res = await api.call("POST", "/_emulator/messages", undefined, { room: "test/general", user: "bob", text: "x" });
      assert.equal(res.status, 404);
      assert.equal((await api.call("POST", "/_emulator/cut-connections")).status, 404);
      assert.equal(api.emu.state.chat.allMessages().some((m) => m.text === "x"), false);
    } finally {
      await api.emu.stop();
    }
  });
});

describe("emulator control API when enabled", () => {
  let api: Api;
  before(async () => {
    api = await startTestEmulator({ control: true });
  });
  after(() => api.emu.stop());

  it("posts as any user, with status and thread parent, in push form", async () => {
    const root = await api.json("POST", "/_emulator/messages", undefined, { room: "test/general", user: "bob", text: "from control" });
    assert.equal(root.fromUser.username, "bob");
    assert.equal("unread" in root, false);
    const reply = await api.json("POST", "/_emulator/messages", undefined,
      { room: api.roomId("test/general"), user: api.userId("carol"), text: "shrugs", status: true, parentId: root.id });
    assert.equal(reply.status, true);
    assert.equal(reply.parentId, root.id);
    const seen = await api.json("GET", `/v1/rooms/${api.roomId("test/general")}/chatMessages/${root.id}`, ALICE);
    assert.equal(seen.text, "from control");
    const notMember = await api.call("POST", "/_emulator/messages", undefined, { room: "test/private", user: "alice", text: "x" });
    assert.equal(notMember.status, 403);
    assert.equal((await api.call("POST", "/_emulator/messages", undefined, { room: "test/nope", user: "bob", text: "x" })).status, 404);
  });

  it("edits and deletes any message, past the edit window", async () => {
    const old = api.emu.state.chat.allMessages().find((m) => m.text === "an old message")!;
    const before = old.v; // a thread root: each reply counted on it raised its version already
    const edited = await api.json("PUT", `/_emulator/messages/${old.id}`, undefined, { text: "rewritten" });
    assert.equal(edited.v, before + 1);
    assert.ok(edited.editedAt);
    const msg = await api.json("POST", "/_emulator/messages", undefined, { room: "test/general", user: "bob", text: "bye" });
    assert.equal((await api.call("DELETE", `/_emulator/messages/${msg.id}`)).status, 204);
    const log = await api.json<{ id: string; deleted: boolean; roomId: string }[]>("GET", "/_emulator/messages?room=test/general");
    assert.equal(log.find((m) => m.id === msg.id)?.deleted, true, "the log keeps deleted messages");
    assert.ok(log.every((m) => m.roomId === api.roomId("test/general")));
  });

  it("creates users and rooms, and moves users in and out of rooms", async () => {
    const user = await api.json("POST", "/_emulator/users", undefined, { username: "zed", displayName: "Zed Z", avatar: "#123456" });
    assert.equal(user.username, "zed");
    assert.equal((await api.call("POST", "/_emulator/users", undefined, { username: "ZED" })).status, 409);
    const room = await api.json("POST", "/_emulator/rooms", undefined, { uri: "test/new", topic: "fresh", members: ["zed"] });
    assert.equal(api.emu.state.isMember(user.id, room.id), true);
    assert.deepEqual(await api.json("POST", "/_emulator/rooms/test%2Fnew/members", undefined, { user: "alice" }), { success: true });
    assert.ok((await api.json<{ id: string }[]>("GET", "/v1/rooms", ALICE)).some((r) => r.id === room.id));
    assert.deepEqual(await api.json("DELETE", `/_emulator/rooms/${room.id}/members/alice`), { success: true });
    assert.equal((await api.json<{ id: string }[]>("GET", "/v1/rooms", ALICE)).some((r) => r.id === room.id), false);
    const svg = await fetch(`${api.emu.url}/avatars/zed`);
    assert.equal(svg.headers.get("content-type"), "image/svg+xml; charset=utf-8");
    assert.match(await svg.text(), /fill="#123456"/);
  });

  it("changes a user's profile: the name at once, the avatar under a new versioned URL", async () => {
    const before = await api.json<{ avatarUrl: string }>("GET", "/v1/users/carol", ALICE);
    const renamed = await api.json("PATCH", "/_emulator/users/carol", undefined, { displayName: "Carol C. Chen" });
    assert.equal(renamed.displayName, "Carol C. Chen");
    assert.equal(renamed.avatarUrl, before.avatarUrl, "a new name keeps the avatar URL");
    const recoloured = await api.json("PATCH", "/_emulator/users/carol", undefined, { avatar: "#00ff00" });
    assert.notEqual(recoloured.avatarUrl, before.avatarUrl);
    assert.match(await (await fetch(recoloured.avatarUrl)).text(), /fill="#00ff00"/);
    const msg = await api.json("POST", "/_emulator/messages", undefined, { room: "test/general", user: "carol", text: "new look" });
    assert.equal(msg.fromUser.displayName, "Carol C. Chen");
    assert.equal(msg.fromUser.avatarUrl, recoloured.avatarUrl);
    const external = await api.json("PATCH", "/_emulator/users/carol", undefined, { avatar: "https://example.org/c.png" });
    assert.equal(external.avatarUrl, "https://example.org/c.png");
    assert.equal((await api.call("PATCH", "/_emulator/users/carol", undefined, { displayName: 5 })).status, 400);
    assert.equal((await api.call("PATCH", "/_emulator/users/nobody", undefined, { displayName: "N" })).status, 404);
  });

  it("issues tokens directly, and revokes them (401 afterwards, tokenRevoked event)", async () => {
    const issued = await api.json("POST", "/_emulator/tokens", undefined, { user: "carol", clientId: "test-client" });
    assert.match(issued.access_token, /^[0-9a-f]{40}$/);
    assert.equal((await api.json("GET", "/v1/user/me", issued.access_token)).username, "carol");
    const again = await api.json("POST", "/_emulator/tokens", undefined, { user: "carol", clientId: "test-client" });
    assert.equal(again.access_token, issued.access_token);
    assert.equal(api.emu.state.userForToken(issued.access_token)?.username, "carol");
    assert.deepEqual(await api.json("POST", "/_emulator/tokens/revoke", undefined, { token: issued.access_token }), { success: true });
    assert.equal(api.emu.state.userForToken(issued.access_token), undefined);
    const res = await api.call("GET", "/v1/user/me", issued.access_token);
    assert.equal(res.status, 401);
    assert.deepEqual(await res.json(), { error: "Unauthorized" });
    assert.ok(api.live.some((e) => e.kind === "tokenRevoked" && e.token === issued.access_token && e.userId === api.userId("carol")));
    const fresh = await api.json("POST", "/_emulator/tokens", undefined, { user: "carol", clientId: "test-client" });
    assert.notEqual(fresh.access_token, issued.access_token, "a revoked token is never handed out again");
    assert.equal((await api.call("POST", "/_emulator/tokens/revoke", undefined, { token: issued.access_token })).status, 404);
  });

  it("cuts connections by emitting cutConnections", async () => {
    const before = api.live.length;
    assert.deepEqual(await api.json("POST", "/_emulator/cut-connections"), { success: true });
    assert.deepEqual(api.live.slice(before), [{ kind: "cutConnections" }]);
  });

  it("sets the rate limit", async () => {
    assert.deepEqual(await api.json("PUT", "/_emulator/rate-limit", undefined, { limit: 1 }), { limit: 1, windowMs: 60000 });
    assert.equal((await api.call("GET", "/v1/user", BOB)).status, 200);
    assert.equal((await api.call("GET", "/v1/user", BOB)).status, 429);
    await api.json("PUT", "/_emulator/rate-limit", undefined, { limit: 100 });
    assert.equal((await api.call("GET", "/v1/user", BOB)).status, 200);
    assert.equal((await api.call("PUT", "/_emulator/rate-limit", undefined, { limit: "lots" })).status, 400);
  });

  it("registers OAuth apps and sets the edit window", async () => {
    const app = await api.json("POST", "/_emulator/oauth-apps", undefined, { clientId: "c2", clientSecret: "s2", redirectUri: "http://127.0.0.1:1/cb", name: "Two" });
    assert.equal(app.name, "Two");
    const page = await fetch(`${api.emu.url}/login/oauth/authorize?client_id=c2&redirect_uri=${encodeURIComponent("http://127.0.0.1:1/cb")}&response_type=code`);
    assert.equal(page.status, 200);
    assert.deepEqual(await api.json("PUT", "/_emulator/edit-window", undefined, { seconds: 5 }), { seconds: 5 });
    assert.equal(api.emu.state.editWindowSeconds, 5);
  });
});
