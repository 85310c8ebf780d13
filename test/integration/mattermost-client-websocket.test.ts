// The Mattermost websocket client against the emulator: typed events, connection states, resuming with
// connection_id + sequence_number after a cut, the loss signal for a new connection id and a seq gap, the
// user_typing action, a revoked token, and no token in the log.
import assert from "node:assert/strict";
import { after, afterEach, before, beforeEach, describe, it } from "node:test";
import { MattermostClient } from "../../src/mattermost/rest";
import { MattermostWebsocket, type LossReason, type MmEvent, type WsState } from "../../src/mattermost/websocket";
import { configureLogging } from "../../src/util/log";
import { ALICE, BOB, startMm, type MmApi } from "./mm-emulator-helpers";

let api: MmApi;
const logLines: string[] = [];
const sockets: MattermostWebsocket[] = [];

before(async () => {
  configureLogging({ sink: { write: (line) => void logLines.push(line) }, level: "debug" });
  api = await startMm({ rateLimit: false });
});
after(async () => {
  configureLogging({ sink: undefined, level: "info" });
  await api.emu.stop();
});
beforeEach(async () => {
  await api.control("POST", "/reset");
});
afterEach(() => {
  for (const s of sockets.splice(0)) s.stop();
});

/** A started websocket client that records what it reports. */
function watch(token: string) {
  const ws = new MattermostWebsocket({ serverUrl: api.emu.url, token, backoff: { baseMs: 20, maxMs: 40 }, pingIntervalMs: 500 });
  sockets.push(ws);
  const rec = { ws, events: [] as MmEvent[], states: [] as WsState[], losses: [] as LossReason[] };
  ws.on("event", (e) => rec.events.push(e));
  ws.on("state", (s) => rec.states.push(s));
  ws.on("eventsLost", (r) => rec.losses.push(r));
  ws.start();
  return rec;
}

async function until(what: string, cond: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const say = (as: string, channel: string, message: string) => api.control<{ id: string }>("POST", "/posts", { as, channel, message });
const messages = (events: MmEvent[]) => events.flatMap((e) => (e.type === "posted" ? [e.post.message] : []));

describe("Mattermost websocket client", () => {
  it("connects and delivers typed events", async () => {
    const a = watch(ALICE);
    await until("connected", () => a.ws.state === "connected");
    assert.deepEqual(a.states, ["connecting", "connected"]);
    const dev = api.channelId("acme/dev");
    const { id } = await say("bob", "acme/dev", "hello");
    await api.control("PUT", `/posts/${id}`, { message: "hello!" });
    await api.control("POST", "/reactions", { as: "bob", post_id: id, emoji_name: "smile" });
    await api.control("DELETE", "/reactions", { as: "bob", post_id: id, emoji_name: "smile" });
    await new MattermostClient({ serverUrl: api.emu.url, token: BOB }).typing(dev);
    await new MattermostClient({ serverUrl: api.emu.url, token: ALICE }).viewChannel(dev);
    await api.control("POST", "/members", { user: "carol", channel: "acme/dev" });
    await api.control("DELETE", "/members", { user: "carol", channel: "acme/dev" });
    await api.control("DELETE", `/posts/${id}`);
    await until("post_deleted", () => a.events.some((e) => e.type === "post_deleted"));
    assert.deepEqual(a.events.map((e) => e.type), [
      "posted", "post_edited", "reaction_added", "reaction_removed", "typing", "channels_viewed", "user_added", "user_removed", "post_deleted",
    ]);
    const [posted, edited, added, , typing, viewed, joined, left] = a.events;
    assert.ok(posted.type === "posted" && posted.post.id === id && posted.channelId === dev && posted.channelType === "O");
    assert.ok(edited.type === "post_edited" && edited.post.message === "hello!" && edited.post.edit_at > 0);
    assert.ok(added.type === "reaction_added" && added.reaction.emoji_name === "smile" && added.channelId === dev);
    assert.ok(typing.type === "typing" && typing.userId === api.userId("bob") && typing.channelId === dev);
    assert.ok(viewed.type === "channels_viewed" && dev in viewed.channelTimes);
    assert.ok(joined.type === "user_added" && joined.userId === api.userId("carol"));
    assert.ok(left.type === "user_removed" && left.userId === api.userId("carol") && left.channelId === dev);
    assert.deepEqual(a.losses, []);
  });

  it("resumes after a cut with connection_id and sequence_number: nothing lost, nothing twice", async () => {
    const a = watch(ALICE);
    await until("connected", () => a.ws.state === "connected");
    await say("bob", "acme/dev", "before");
    await until("first post", () => messages(a.events).length === 1);
    const connection = a.ws.connection;
    await api.control("POST", "/cut-websockets", { user: "alice" });
    await say("bob", "acme/dev", "while away 1");
    await say("bob", "acme/dev", "while away 2");
    await until("reconnected", () => a.states.includes("backing-off") && a.ws.state === "connected");
    await say("bob", "acme/dev", "after");
    await until("all posts", () => messages(a.events).length === 4);
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(messages(a.events), ["before", "while away 1", "while away 2", "after"]);
    assert.equal(a.ws.connection, connection, "the same connection was resumed");
    assert.deepEqual(a.losses, []);
  });

  it("says events were lost when the server answers with a new connection id", async () => {
    const a = watch(ALICE);
    await until("connected", () => a.ws.state === "connected");
    const connection = a.ws.connection;
    await api.control("POST", "/cut-websockets", { user: "alice", forget: true });
    await say("bob", "acme/dev", "lost");
    await until("loss signal", () => a.losses.length > 0);
    assert.deepEqual(a.losses, ["new-connection"]);
    assert.notEqual(a.ws.connection, connection);
    await say("bob", "acme/dev", "after");
    await until("next post", () => messages(a.events).includes("after"));
    assert.deepEqual(messages(a.events), ["after"], "a lost event is never made up");
  });

  it("says events were lost on a gap in seq", async () => {
    const a = watch(ALICE);
    await until("connected", () => a.ws.state === "connected");
    for (const c of api.emu.hub.conns) if (c.userId === api.userId("alice")) c.sequence += 2;
    await say("bob", "acme/dev", "after a gap");
    await until("post", () => messages(a.events).length === 1);
    assert.deepEqual(a.losses, ["sequence-gap"]);
  });

  it("sends user_typing to the channel's others", async () => {
    const a = watch(ALICE);
    const b = watch(BOB);
    await until("both connected", () => a.ws.state === "connected" && b.ws.state === "connected");
    assert.ok(a.ws.userTyping(api.channelId("acme/dev")));
    await until("typing", () => b.events.some((e) => e.type === "typing"));
    assert.ok(!a.events.some((e) => e.type === "typing"));
  });

  it("stops with token-invalid once the token is revoked", async () => {
    const { token } = await api.control<{ token: string }>("POST", "/tokens", { user: "carol" });
    const c = watch(token);
    await until("connected", () => c.ws.state === "connected");
    await api.control("DELETE", `/tokens/${token}`);
    await until("token-invalid", () => c.ws.state === "token-invalid");
    const count = c.states.length;
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(c.states.length, count, "no reconnect after token-invalid");
    for (const line of logLines) assert.ok(!line.includes(token) && !line.includes(ALICE), `a log line shows a token: ${line}`);
  });
});
