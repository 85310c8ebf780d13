// The Mattermost emulator's stateFile: stopped and started again on the same file, it finds its world as it left
// it (posts with their ids, edits, deletions, reactions, files and their bytes, preferences, personal and OAuth
// tokens, revocations), and the posts it makes afterwards still come later. The demo's --keep rests on this.
import assert from "node:assert/strict";
import { mkdtemp, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { MmPost } from "../../emulator/mattermost/types";
import { ALICE, BOB, startMm, type MmApi } from "./mm-emulator-helpers";

const APP = { clientId: "bridgeappbridgeappbridgeap", redirectUri: "http://127.0.0.1:9/oauth/callback" };

interface PostList {
  order: string[];
  posts: Record<string, MmPost>;
}

describe("Mattermost emulator state kept in a file", () => {
  let dir: string;
  let file: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "mm-emulator-snapshot-"));
    file = path.join(dir, "world.json");
  });
  after(() => rm(dir, { recursive: true, force: true }));

  async function upload(api: MmApi, channelId: string, bytes: string): Promise<string> {
    const form = new FormData();
    form.set("channel_id", channelId);
    form.append("files", new Blob([bytes], { type: "text/plain" }), "note.txt");
    const res = await fetch(`${api.emu.url}/api/v4/files`, { method: "POST", headers: { authorization: `Bearer ${ALICE}` }, body: form });
    assert.equal(res.status, 201);
    return ((await res.json()) as { file_infos: Array<{ id: string }> }).file_infos[0].id;
  }

  const channelPosts = (api: MmApi, channelId: string) => api.json<PostList>("GET", `/api/v4/channels/${channelId}/posts`, ALICE);

  it("restores posts, reactions, files, preferences and tokens after a stop, and goes on later in time", async () => {
    const first = await startMm({ stateFile: file });
    const dev = first.channelId("acme/dev");
    const aliceId = first.userId("alice");
    const post = (message: string, extra: Record<string, unknown> = {}) => first.json<MmPost>("POST", "/api/v4/posts", ALICE, { channel_id: dev, message, ...extra });
    const edited = await post("before the edit");
    await first.json("PUT", `/api/v4/posts/${edited.id}/patch`, ALICE, { message: "after the edit" });
    const gone = await post("deleted");
    await first.json("DELETE", `/api/v4/posts/${gone.id}`, ALICE);
    await first.json("POST", "/api/v4/reactions", ALICE, { user_id: aliceId, post_id: edited.id, emoji_name: "tada" });
    const fileId = await upload(first, dev, "the file's bytes");
    const withFile = await post("a file", { file_ids: [fileId] });
    const pref = { user_id: aliceId, category: "direct_channel_show", name: first.userId("bob"), value: "false" };
    await first.json("PUT", `/api/v4/users/${aliceId}/preferences`, ALICE, [pref]);
    const code = first.emu.oauth.issueCode(aliceId, APP.clientId, APP.redirectUri);
    const granted = first.emu.oauth.exchangeCode(APP.clientId, code, APP.redirectUri);
    first.emu.state.revoke(BOB);
    const before = await channelPosts(first, dev);
    await first.emu.stop();
    assert.equal((await stat(file)).mode & 0o777, 0o600);

    const second = await startMm({ stateFile: file });
    try {
      assert.equal(second.channelId("acme/dev"), dev);
      assert.deepEqual(await channelPosts(second, dev), before);
      assert.equal(before.posts[gone.id], undefined, "the deleted post stays deleted");
      assert.deepEqual((await second.json<Array<{ emoji_name: string }>>("GET", `/api/v4/posts/${edited.id}/reactions`, ALICE)).map((r) => r.emoji_name), ["tada"]);
      const bytes = await second.call("GET", `/api/v4/files/${fileId}`, ALICE);
      assert.equal(await bytes.text(), "the file's bytes");
      assert.deepEqual(before.posts[withFile.id].file_ids, [fileId]);
      assert.deepEqual(await second.json("GET", `/api/v4/users/${aliceId}/preferences/direct_channel_show`, ALICE), [pref]);
      assert.equal((await second.call("GET", "/api/v4/users/me", BOB)).status, 401, "a revoked token stays revoked");
      assert.equal((await second.call("GET", "/api/v4/users/me", granted.access_token)).status, 200, "the OAuth token still works");
      const renewed = second.emu.oauth.refresh(APP.clientId, granted.refresh_token);
      assert.equal((await second.call("GET", "/api/v4/users/me", renewed.access_token)).status, 200, "and its refresh token");
      const next = await second.json<MmPost>("POST", "/api/v4/posts", ALICE, { channel_id: dev, message: "after the restart" });
      assert.ok(next.create_at > withFile.create_at, "a new post comes after every earlier one");
      assert.ok(second.emu.state.apps.has(APP.clientId), "the OAuth apps come from the fixture");
    } finally {
      await second.emu.stop();
    }
  });

  it("starts from the fixture when the file does not exist yet", async () => {
    const fresh = await startMm({ stateFile: path.join(dir, "new.json") });
    try {
      assert.ok(fresh.emu.state.userByName("alice"));
      assert.equal((await fresh.call("GET", "/api/v4/users/me", ALICE)).status, 200);
    } finally {
      await fresh.emu.stop();
    }
  });
});
