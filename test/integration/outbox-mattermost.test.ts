// The outbox (src/puppet/outbox.ts) over a network that remembers send keys: Mattermost's client against its
// emulator over real HTTP, with a real SQLite store. Every attempt of one Matrix message sends the same key (the
// post's pending_post_id), in every process; a refusal is told in the network's own name.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, beforeEach, describe, it } from "node:test";
import { MattermostConnector } from "../../src/mattermost/network";
import type { NetworkClient } from "../../src/network/connector";
import { sendKey, sendOnce } from "../../src/puppet/outbox";
import type { SessionContext } from "../../src/puppet/session-context";
import { openStore } from "../../src/store/knex-store";
import type { Portal, Store } from "../../src/store/store";
import { configureLogging } from "../../src/util/log";
import { openIntent, testSessionContext } from "../harness/session-context";
import { ALICE, startMm, type MmApi } from "./mm-emulator-helpers";

const MXID = "@alice:example.org";

describe("outbox over Mattermost", () => {
  let api: MmApi;
  let dir: string;
  let store: Store;
  let network: NetworkClient;
  let ctx: SessionContext;
  let notices: string[];
  let portal: Portal;
  let rooms = 0;
  /** Posts there were before the case began. */
  let earlier = new Set<string>();

  before(async () => {
    configureLogging({ sink: { write: () => undefined } });
    api = await startMm();
    await api.control("PUT", "/rate-limit", { enabled: false });
    dir = await mkdtemp(path.join(os.tmpdir(), "outbox-mm-"));
    store = await openStore(`sqlite:${path.join(dir, "bridge.db")}`);
    const connector = new MattermostConnector({ serverUrl: api.emu.url, rest: { retry: { maxAttempts: 2, baseMs: 5, maxMs: 20 } } });
    network = await connector.connect(ALICE);
  });
  after(async () => {
    configureLogging({ sink: undefined });
    await store.close();
    await api.emu.stop();
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await api.control("DELETE", "/faults");
    notices = [];
    ctx = context();
    rooms += 1;
    portal = { mxid: MXID, gitterRoomId: api.channelId("acme/dev"), matrixRoomId: `!mm${rooms}:example.org`, oneToOne: false, lastGitterMessageId: null };
    await store.portals.putPortal(portal);
    earlier = new Set(api.emu.state.posts.keys());
  });

  function context(): SessionContext {
    return testSessionContext({ mxid: MXID, store, network, ghostPrefix: "mattermost_", notice: async (_roomId, _about, text) => void notices.push(text) });
  }


  /** The case's live posts in the portal's channel, oldest first. */
  const posts = () =>
    [...api.emu.state.posts.values()]
      .filter((p) => p.channel_id === portal.gitterRoomId && p.delete_at === 0 && !earlier.has(p.id))
      .sort((a, b) => a.create_at - b.create_at);
  const intent = (eventId: string, text: string) => openIntent(portal, eventId, text);

  it("sends with the message's key as the post's pending_post_id, and records the link", async () => {
    const id = await sendOnce(ctx, portal, "$fresh", { text: "hello" });
    const [post] = posts();
    assert.equal(post?.id, id);
    assert.equal(post.pending_post_id, `${network.self.id}:${sendKey("$fresh")}`);
    assert.equal((await store.messages.byMatrixEvent("$fresh"))?.gitterMessageId, id);
    assert.equal(await store.pendingSends.getIntent("$fresh"), null);
  });

  it("posts once when every answer to the post is lost: the repeats carry the same key and the post is found by it", async () => {
    await api.control("POST", "/faults", { status: 503, count: 2, method: "POST", path: "^/posts$", drop: true });
    const id = await sendOnce(ctx, portal, "$lost", { text: "answer lost" });
    assert.deepEqual(posts().map((p) => p.message), ["answer lost"]);
    assert.equal(posts()[0].id, id);
  });

  it("finds what an earlier process sent for the same Matrix event by its key, not by its text", async () => {
    // The earlier process sent "+1" for $second, then "+1" for $first, and died before recording either link.
    await store.pendingSends.putIntent(intent("$first", "+1"));
    await store.pendingSends.putIntent(intent("$second", "+1"));
    const forSecond = await network.send(portal.gitterRoomId, { text: "+1" }, sendKey("$second"));
    const forFirst = await network.send(portal.gitterRoomId, { text: "+1" }, sendKey("$first"));
    await sendOnce(ctx, portal, "$first", { text: "+1" });
    await sendOnce(ctx, portal, "$second", { text: "+1" });
    assert.equal(posts().length, 2);
    assert.equal((await store.messages.byMatrixEvent("$first"))?.gitterMessageId, forFirst.id);
    assert.equal((await store.messages.byMatrixEvent("$second"))?.gitterMessageId, forSecond.id);
  });

  it("tells the user in Mattermost's name when Mattermost refuses, and drops the intent", async () => {
    await api.control("POST", "/faults", { status: 403, count: 1, method: "POST", path: "^/posts$" });
    assert.equal(await sendOnce(ctx, portal, "$refused", { text: "not allowed" }), null);
    assert.equal(notices.length, 1);
    assert.match(notices[0], /^Your message was not sent to Mattermost: /);
    assert.equal(await store.pendingSends.getIntent("$refused"), null);
    assert.deepEqual(posts(), []);
  });
});
