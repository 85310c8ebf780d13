// The network interface's contract (./network-contract.ts) against Mattermost: src/mattermost/network.ts over the
// Mattermost emulator (emulator/mattermost/server.ts) and its control API.
import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import { MattermostConnector } from "../../src/mattermost/network";
import type { NetworkClient } from "../../src/network/connector";
import { ALICE, BOB, startMm, type MmApi } from "./mm-emulator-helpers";
import { listen, runNetworkContract, waitFor } from "./network-contract";

let api: MmApi;

runNetworkContract("Mattermost", {
  async start() {
    api = await startMm();
    await api.control("PUT", "/rate-limit", { enabled: false });
  },
  stop: () => api.emu.stop(),
  connector: () =>
    new MattermostConnector({
      serverUrl: api.emu.url,
      rest: { retry: { maxAttempts: 3, baseMs: 10, maxMs: 50 } },
      // Slow enough that messages posted just after a cut are posted while it lasts.
      websocket: { backoff: { baseMs: 400, maxMs: 800 }, pingIntervalMs: 2_000 },
    }),
  aliceToken: ALICE,
  issueToken: async () => (await api.control<{ token: string }>("POST", "/tokens", { user: "alice" })).token,
  revokeToken: async (token) => void (await api.control("DELETE", `/tokens/${token}`)),
  expectedRooms: [
    { kind: "group", name: "Development", qualifier: "Acme", link: "acme/dev" },
    { kind: "group", name: "Town Square", qualifier: "Beta Team", link: "beta/town-square" },
    { kind: "direct", name: "bob" },
    { kind: "group-direct", name: "bob, carol" },
  ],
  expectedKinds: ["group", "direct", "group-direct"],
  searchTerm: "lobby",
  unknownRoomId: "nochannel0000000000000000a",
  sharedRoom: "acme/dev",
  otherRoom: "acme/lobby",
  bob: {
    post: async (channel, message) => (await api.control<{ id: string }>("POST", "/posts", { as: "bob", channel, message })).id,
    edit: async (id, message) => void (await api.control("PUT", `/posts/${id}`, { message })),
    delete: async (id) => void (await api.control("DELETE", `/posts/${id}`)),
    react: async (postId, emoji) => void (await api.control("POST", "/reactions", { as: "bob", post_id: postId, emoji_name: emoji })),
  },
  reaction: "thumbsup",
  loseNextSendAnswer: async () => void (await api.control("POST", "/faults", { status: 503, count: 1, method: "POST", path: "^/posts$", drop: true })),
  cutRealtime: async () => void (await api.control("POST", "/cut-websockets", { user: "alice", forget: true })),
});

/**
 * For the cases of one describe: an emulator without rate limits (`mm()`, started before them), and clients connected
 * to its stream, whose sockets are stopped after each case (a failed case must not leave one reconnecting forever).
 */
function emulatorForCases(): { mm: () => MmApi; connected(token: string): Promise<{ client: NetworkClient; w: ReturnType<typeof listen> }> } {
  let mm: MmApi;
  before(async () => {
    mm = await startMm();
    await mm.control("PUT", "/rate-limit", { enabled: false });
  });
  after(() => mm.emu.stop());
  const watching: ReturnType<typeof listen>[] = [];
  afterEach(() => watching.splice(0).forEach((w) => w.stream.stop()));
  return {
    mm: () => mm,
    async connected(token) {
      const client = await new MattermostConnector({ serverUrl: mm.emu.url }).connect(token);
      const w = listen(client);
      watching.push(w);
      await waitFor("connected", () => w.stream.state === "connected");
      return { client, w };
    },
  };
}

describe("Mattermost network: closing direct and group channels", () => {
  const cases = emulatorForCases();

  it("closes them with a preference on leave, leaves them out of the rooms, and shows them again on a post", { timeout: 30_000 }, async () => {
    const mm = cases.mm();
    const { client, w } = await cases.connected(ALICE);
    const said = (change: string, id: string) => w.events.filter((e) => e.type === "rooms" && e.change === change && e.roomId === id).length;
    const rooms = await client.listRooms();
    const direct = rooms.find((r) => r.kind === "direct")!;
    const group = rooms.find((r) => r.kind === "group-direct")!;
    for (const room of [direct, group]) {
      await client.leave(room.id);
      await waitFor(`${room.name} removed`, () => said("removed", room.id) === 1);
      await client.leave(room.id);
      assert.ok(!(await client.listRooms()).some((r) => r.id === room.id), `${room.name} left out once closed`);
    }
    const prefs = await mm.json("GET", "/api/v4/users/me/preferences", ALICE);
    assert.deepEqual(prefs.map((p: { category: string; name: string; value: string }) => `${p.category} ${p.name} ${p.value}`).sort(), [
      `direct_channel_show ${mm.userId("bob")} false`,
      `group_channel_show ${group.id} false`,
    ]);
    for (const room of [direct, group]) {
      await mm.control("POST", "/posts", { as: "bob", channel: room.id, message: "still there?" });
      await waitFor(`${room.name} added`, () => said("added", room.id) === 1);
      assert.ok((await client.listRooms()).some((r) => r.id === room.id), `${room.name} listed again`);
    }
  });

  it("reports a channel closed and shown again on another of the user's clients", { timeout: 30_000 }, async () => {
    const mm = cases.mm();
    const { client, w } = await cases.connected(BOB);
    const direct = (await client.listRooms()).find((r) => r.kind === "direct")!;
    const pref = { user_id: mm.userId("bob"), category: "direct_channel_show", name: direct.otherUserIds![0], value: "false" };
    await mm.json("PUT", "/api/v4/users/me/preferences", BOB, [pref]);
    await waitFor("removed", () => w.events.some((e) => e.type === "rooms" && e.change === "removed" && e.roomId === direct.id));
    await mm.json("POST", "/api/v4/users/me/preferences/delete", BOB, [pref]);
    await waitFor("added", () => w.events.some((e) => e.type === "rooms" && e.change === "added" && e.roomId === direct.id));
  });
});

describe("Mattermost network: emotes", () => {
  const cases = emulatorForCases();

  it("posts an emote as the server's /me does, hears it back as the emote sent, and finds it by kind and text", { timeout: 30_000 }, async () => {
    const mm = cases.mm();
    const { client, w } = await cases.connected(ALICE);
    const dev = mm.channelId("acme/dev");
    w.stream.watch(dev, null);
    const since = Date.now();
    const sent = await client.send(dev, { text: "waves", kind: "emote" }, "emote-key");
    const post = await mm.json("GET", `/api/v4/posts/${sent.id}`, ALICE);
    assert.deepEqual([post.type, post.message], ["me", "*waves*"], "a /me post, as command_me.go writes it");
    assert.deepEqual([sent.kind, sent.text], ["emote", "waves"], "the emote as it was sent");
    await waitFor("the echo", () => w.events.some((e) => e.type === "message" && e.message.id === sent.id));
    const echo = w.events.find((e) => e.type === "message" && e.message.id === sent.id);
    assert.deepEqual(echo?.type === "message" && [echo.message.kind, echo.message.text], ["emote", "waves"], "matches the send intent's text");
    assert.equal((await client.findOwnMessage(dev, { key: "emote-key", text: "waves", kind: "emote", since }))?.id, sent.id, "by its key");
    assert.equal((await client.findOwnMessage(dev, { key: "other", text: "waves", kind: "emote", since }))?.id, sent.id, "by kind and text");
    assert.equal(await client.findOwnMessage(dev, { key: "other", text: "waves", since }), null, "not taken for a text");
    await client.edit(dev, sent.id, "waves harder", "emote");
    const edited = await mm.json("GET", `/api/v4/posts/${sent.id}`, ALICE);
    assert.deepEqual([edited.type, edited.message], ["me", "*waves harder*"], "an emote's edit written as /me writes it");
  });
});

describe("Mattermost network: rate-limit waits", () => {
  let mm: MmApi;
  before(async () => {
    mm = await startMm();
    await mm.control("PUT", "/rate-limit", { perSec: 1, burst: 1 });
  });
  after(() => mm.emu.stop());

  it("tells onRateLimitWait of each request a client held back after a 429 (the bridge's metrics)", async () => {
    const waits: Array<{ reason: string; waitMs: number }> = [];
    const connector = new MattermostConnector({ serverUrl: mm.emu.url, onRateLimitWait: (w) => waits.push(w) });
    const client = connector.resume(ALICE, { id: "unused", username: "alice", displayName: "alice" });
    for (let i = 0; i < 3; i++) await client.whoAmI();
    assert.ok(waits.length >= 1, "a wait was told");
    assert.ok(waits.every((w) => w.reason === "throttled" && w.waitMs >= 0));
  });
});
