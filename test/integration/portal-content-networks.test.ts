// The portals convert with the converter of the session's network: a Mattermost session's messages go through
// Mattermost's conversion both ways (mentions, @channel, /me, escaping) and its limit, told in its name, while a
// Gitter session's keep Gitter's. The session's client is made as the session manager makes it (connector.resume,
// no request), with a real SQLite store; nothing here reaches a homeserver.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { GitterConnector } from "../../src/gitter/network";
import { toMessage as toGitterMessage } from "../../src/gitter/network-convert";
import { MattermostConnector } from "../../src/mattermost/network";
import { toMessage } from "../../src/mattermost/network-convert";
import type { MmPost } from "../../src/mattermost/types";
import type { NetworkConnector } from "../../src/network/connector";
import { PortalRoom } from "../../src/puppet/portal";
import { contentForMatrix, contentForNetwork } from "../../src/puppet/portal-content";
import type { SessionContext } from "../../src/puppet/session-context";
import { openStore } from "../../src/store/knex-store";
import type { Portal, Store } from "../../src/store/store";
import { configureLogging } from "../../src/util/log";
import { testSessionContext } from "../harness/session-context";

const MXID = "@alice:example.org";
const CAROL_GHOST = "@mattermost_carol:example.org";
const SOURCE = { eventId: "$e", messageEventId: "$e" };

/** A post of carol's as the server sends it. */
function post(message: string, type = ""): MmPost {
  return { id: "p".repeat(26), channel_id: "c".repeat(26), user_id: "k".repeat(26), root_id: "", message, type, create_at: 1_700_000_000_000, update_at: 0, edit_at: 0, delete_at: 0 };
}

describe("portal content on the session's network", () => {
  let dir: string;
  let store: Store;
  let notices: string[];
  const row: Portal = { mxid: MXID, gitterRoomId: "c".repeat(26), matrixRoomId: "!room:example.org", oneToOne: false, lastGitterMessageId: null };

  before(async () => {
    configureLogging({ sink: { write: () => undefined } });
    dir = await mkdtemp(path.join(os.tmpdir(), "portal-content-"));
    store = await openStore(`sqlite:${path.join(dir, "bridge.db")}`);
    await store.portals.putPortal(row);
  });
  after(async () => {
    configureLogging({ sink: undefined });
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** alice's session context on `connector`'s network. */
  function session(connector: NetworkConnector, prefix: string): SessionContext {
    notices = [];
    const network = connector.resume("t".repeat(26), { id: "a".repeat(26), username: "alice", displayName: "Alice" });
    return testSessionContext({ mxid: MXID, store, network, ghostPrefix: prefix, notice: async (_room, _about, text) => void notices.push(text) });
  }
  const mattermost = () => session(new MattermostConnector({ serverUrl: "http://127.0.0.1:1" }), "mattermost_");
  const gitter = () => session(new GitterConnector({ apiUrl: "http://127.0.0.1:1", fayeUrl: "http://127.0.0.1:1/bayeux" }), "gitter_");

  it("brings a Mattermost post into Matrix with Mattermost's Markdown, mentions and @channel", async () => {
    const content = await contentForMatrix(mattermost(), toMessage(post("hi @alice and @carol, **all** of @channel")), CAROL_GHOST);
    assert.deepEqual(content, {
      msgtype: "m.text",
      body: "hi alice and carol, all of @room",
      "m.mentions": { user_ids: [MXID, CAROL_GHOST], room: true },
      format: "org.matrix.custom.html",
      formatted_body:
        '<p>hi <a href="https://matrix.to/#/@alice:example.org">alice</a> and <a href="https://matrix.to/#/@mattermost_carol:example.org">carol</a>, ' +
        "<strong>all</strong> of @room</p>",
    });
  });

  it("makes a /me post an emote, and shows nothing of the server's own posts", async () => {
    const ctx = mattermost();
    assert.deepEqual(await contentForMatrix(ctx, toMessage(post("*waves*", "me")), CAROL_GHOST), { msgtype: "m.emote", body: "waves", "m.mentions": { user_ids: [] } });
    assert.equal(await contentForMatrix(ctx, toMessage(post("carol joined the channel.", "system_join_channel")), CAROL_GHOST), null);
  });

  it("sends Matrix text in Mattermost's markup: a plain body escaped, @room as @channel, an emote as its text", async () => {
    const ctx = mattermost();
    const text = await contentForNetwork(ctx, row, { msgtype: "m.text", body: "*not emphasis* @room" }, {}, SOURCE);
    assert.deepEqual(text, { kind: "send", text: "\\*not emphasis\\* @channel", status: false });
    const emote = await contentForNetwork(ctx, row, { msgtype: "m.emote", body: "waves" }, {}, SOURCE);
    assert.deepEqual(emote, { kind: "send", text: "waves", status: true });
  });

  it("holds Matrix text to Mattermost's limit, told in Mattermost's name", async () => {
    const ctx = mattermost();
    const long = await contentForNetwork(ctx, row, { msgtype: "m.text", body: "a".repeat(5000) }, {}, SOURCE);
    assert.equal(long.kind, "send", "5,000 characters are within Mattermost's limit");
    const over = await contentForNetwork(ctx, row, { msgtype: "m.text", body: "a".repeat(16384) }, {}, SOURCE);
    assert.deepEqual(over, { kind: "refuse", reason: "too_long", notice: "it is 16384 characters long and Mattermost accepts at most 16383. Please split it." });
    const encrypted = await contentForNetwork(ctx, row, { msgtype: "m.file", body: "secret.pdf", file: {} }, {}, SOURCE);
    assert.deepEqual(encrypted, { kind: "refuse", reason: "encrypted_file", notice: "it is an encrypted file, which the bridge cannot pass to Mattermost." });
  });

  it("tells the sender in the bot's notice that the message was not sent to Mattermost", async () => {
    const ctx = mattermost();
    await new PortalRoom(ctx, row).fromMatrix({ event_id: "$long", room_id: row.matrixRoomId, sender: MXID, type: "m.room.message", content: { msgtype: "m.text", body: "b".repeat(16384) } });
    assert.deepEqual(notices, ["Your message was not sent to Mattermost: it is 16384 characters long and Mattermost accepts at most 16383. Please split it."]);
  });

  it("tells a refused edit in Mattermost's name", async () => {
    // The homeserver is asked only for the edited message, to place it: here it knows nothing.
    const ctx = { ...mattermost(), matrix: { as: () => ({ getEvent: async () => null }) } } as unknown as SessionContext;
    await store.messages.recordMessage({ matrixRoomId: row.matrixRoomId, matrixEventId: "$sent", gitterRoomId: row.gitterRoomId, gitterMessageId: "q".repeat(26), direction: "matrix-to-gitter", createdAt: Date.now() });
    const long = "c".repeat(16384);
    const content = { msgtype: "m.text", body: `* ${long}`, "m.new_content": { msgtype: "m.text", body: long }, "m.relates_to": { rel_type: "m.replace", event_id: "$sent" } };
    await new PortalRoom(ctx, row).fromMatrix({ event_id: "$edit", room_id: row.matrixRoomId, sender: MXID, type: "m.room.message", content });
    assert.deepEqual(notices, ["Your edit was not sent to Mattermost: it is 16384 characters long and Mattermost accepts at most 16383. Please split it."]);
  });

  it("quotes a reply to the bot as the network's bridge", async () => {
    const base = mattermost();
    const notice = { sender: base.ids.botMxid, content: { msgtype: "m.notice", body: "Logged in." } };
    const ctx = { ...base, matrix: { as: () => ({ getEvent: async () => notice }) } } as unknown as SessionContext;
    const out = await contentForNetwork(ctx, row, { msgtype: "m.text", body: "thanks" }, { replyTo: "$notice" }, SOURCE);
    assert.deepEqual(out, { kind: "send", text: "> Mattermost bridge: Logged in.\n\nthanks", status: false });
  });

  it("copies the images Gitter's converter names: a sole image first, the inline ones when it has no copy", async () => {
    const fetched: string[] = [];
    const copies: Record<string, string> = { "https://img.example.org/ok.png": "mxc://example.org/ok", "https://img.example.org/b.png": "mxc://example.org/b" };
    const base = gitter();
    const media = { copyImage: async (url: string) => (fetched.push(url), copies[url] ? { mxc: copies[url], mimetype: "image/png", size: 3 } : null) };
    const ctx = { ...base, media } as unknown as SessionContext;
    const message = (text: string, html: string) =>
      toGitterMessage("5f0000000000000000000001", { id: "5f00000000000000000000f1", text, html, sent: "2026-01-02T03:04:05.000Z", fromUser: { id: "5f00000000000000000000a1", username: "bob", displayName: "Bob", url: "/bob" } });

    const sole = await contentForMatrix(ctx, message("![ok](https://img.example.org/ok.png)", '<img src="https://img.example.org/ok.png" alt="ok">'), "@gitter_bob:example.org");
    assert.equal(sole?.msgtype, "m.image");
    assert.equal(sole?.url, "mxc://example.org/ok");
    assert.deepEqual(fetched, ["https://img.example.org/ok.png"], "only the sole image, once");

    fetched.length = 0;
    const html = '<img src="https://img.example.org/gone.png" alt="a">';
    const failed = await contentForMatrix(ctx, message("![a](https://img.example.org/gone.png)", html), "@gitter_bob:example.org");
    assert.equal(failed?.msgtype, "m.text", "no copy: text with a link");
    assert.deepEqual(fetched, ["https://img.example.org/gone.png", "https://img.example.org/gone.png"], "tried as the sole image, then inline, as before");

    fetched.length = 0;
    const two = '<p>look <img src="https://img.example.org/gone.png" alt="a"> <img src="https://img.example.org/b.png" alt="b"></p>';
    const inline = await contentForMatrix(ctx, message("look ![a](...) ![b](...)", two), "@gitter_bob:example.org");
    assert.deepEqual(fetched, ["https://img.example.org/gone.png", "https://img.example.org/b.png"]);
    assert.match(String(inline?.formatted_body), /<img src="mxc:\/\/example\.org\/b" alt="b" \/>/);
    assert.match(String(inline?.formatted_body), /<a href="https:\/\/img\.example\.org\/gone\.png">a<\/a>/);
  });

  it("keeps Gitter's conversion and limit on a Gitter session", async () => {
    const ctx = gitter();
    const emote = await contentForNetwork(ctx, row, { msgtype: "m.emote", body: "waves" }, {}, SOURCE);
    assert.deepEqual(emote, { kind: "send", text: "@alice waves", status: true });
    const plain = await contentForNetwork(ctx, row, { msgtype: "m.text", body: "*as typed*" }, {}, SOURCE);
    assert.deepEqual(plain, { kind: "send", text: "*as typed*", status: false });
    const over = await contentForNetwork(ctx, row, { msgtype: "m.text", body: "a".repeat(5000) }, {}, SOURCE);
    assert.deepEqual(over, { kind: "refuse", reason: "too_long", notice: "it is 5000 characters long and Gitter accepts at most 4096. Please split it." });
  });
});
