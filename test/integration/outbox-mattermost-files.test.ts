// A file sent from Matrix to Mattermost (capabilities.files): read from the homeserver (a stub of its authenticated
// media download, over real HTTP), uploaded to the emulator and posted with its caption and the file's id, once,
// whatever fails between the upload and the post; a file that cannot reach Mattermost is either waited for (the
// homeserver or Mattermost out) or given up with one notice to the sender.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { after, before, beforeEach, describe, it } from "node:test";
import { downloadMedia } from "../../src/matrix/media";
import { MattermostConnector } from "../../src/mattermost/network";
import type { NetworkClient } from "../../src/network/connector";
import { NetworkError } from "../../src/network/errors";
import type { MessageMetrics } from "../../src/metrics";
import { noticeTxnId } from "../../src/puppet/notices";
import { resumeIntent } from "../../src/puppet/outbox";
import { PortalRoom } from "../../src/puppet/portal";
import { isOutage } from "../../src/puppet/retry";
import { MediaBridge } from "../../src/puppet/portal-media";
import type { SessionContext } from "../../src/puppet/session-context";
import { openStore } from "../../src/store/knex-store";
import type { Portal, Store } from "../../src/store/store";
import { configureLogging } from "../../src/util/log";
import { testSessionContext } from "../harness/session-context";
import { ALICE, startMm, type MmApi } from "./mm-emulator-helpers";

const MXID = "@alice:example.org";
const BYTES = Buffer.from("\x89PNG\r\n\x1a\n not really a picture, but bytes to compare");

describe("files from Matrix to Mattermost", () => {
  let api: MmApi;
  let dir: string;
  let store: Store;
  let network: NetworkClient;
  let connector: MattermostConnector;
  let homeserver: http.Server;
  let homeserverUrl: string;
  let ctx: SessionContext;
  let notices: string[];
  /** Each notice's transaction id: the same for a notice repeated by a replay, so the homeserver keeps one. */
  let noticeTxns: string[];
  let failures: string[];
  /**
   * How the homeserver answers for the picture: with it; a bare 502 (as a proxy before it down); a 403; Synapse's
   * own 502 for remote media whose server failed it; or its first bytes and then a cut.
   */
  let homeserverMode: "ok" | "down" | "forbidden" | "origin" | "cut";
  let portal: Portal;
  let rooms = 0;
  let earlier = new Set<string>();

  before(async () => {
    configureLogging({ sink: { write: () => undefined } });
    api = await startMm();
    await api.control("PUT", "/rate-limit", { enabled: false });
    dir = await mkdtemp(path.join(os.tmpdir(), "outbox-mm-files-"));
    store = await openStore(`sqlite:${path.join(dir, "bridge.db")}`);
    connector = new MattermostConnector({ serverUrl: api.emu.url, rest: { retry: { maxAttempts: 2, baseMs: 5, maxMs: 20 } } });
    network = await connector.connect(ALICE);
    homeserver = http.createServer((req, res) => {
      const known = req.url === "/_matrix/client/v1/media/download/example.org/picture" && req.headers.authorization === "Bearer as-token";
      if (!known) return void res.writeHead(404, { "content-type": "application/json" }).end('{"errcode":"M_NOT_FOUND"}');
      if (homeserverMode === "down") return void res.writeHead(502).end("Bad Gateway");
      if (homeserverMode === "origin") return void res.writeHead(502, { "content-type": "application/json" }).end('{"errcode":"M_UNKNOWN","error":"Failed to fetch remote media"}');
      if (homeserverMode === "forbidden") return void res.writeHead(403, { "content-type": "application/json" }).end('{"errcode":"M_FORBIDDEN"}');
      if (homeserverMode === "cut") {
        res.writeHead(200, { "content-type": "image/png", "content-length": String(BYTES.byteLength) });
        return void res.write(BYTES.subarray(0, 4), () => res.destroy());
      }
      res.writeHead(200, { "content-type": "image/png", "content-length": String(BYTES.byteLength) }).end(BYTES);
    });
    await new Promise<void>((resolve) => homeserver.listen(0, "127.0.0.1", resolve));
    homeserverUrl = `http://127.0.0.1:${(homeserver.address() as AddressInfo).port}`;
  });
  after(async () => {
    configureLogging({ sink: undefined });
    await store.close();
    await api.emu.stop();
    await new Promise((resolve) => homeserver.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await api.control("DELETE", "/faults");
    notices = [];
    noticeTxns = [];
    failures = [];
    homeserverMode = "ok";
    ctx = context(1024 * 1024);
    rooms += 1;
    portal = { mxid: MXID, gitterRoomId: api.channelId("acme/dev"), matrixRoomId: `!mmf${rooms}:example.org`, oneToOne: false, lastGitterMessageId: null };
    await store.portals.putPortal(portal);
    earlier = new Set([...api.emu.state.posts.keys(), ...api.emu.state.files.keys()]);
  });

  function context(maxBytes: number): SessionContext {
    const base = testSessionContext({ mxid: MXID, store, network, ghostPrefix: "mattermost_", capabilities: connector.capabilities, networkName: connector.displayName, notice: async (_r, about, text) => void (notices.push(text), noticeTxns.push(noticeTxnId(about))) });
    const download = (server: string, id: string) => downloadMedia({ homeserverUrl, asToken: "as-token" }, server, id);
    const media = new MediaBridge({ matrix: base.matrix, store: store.media, publicUrl: "http://127.0.0.1:1", maxBytes, trustedHosts: new Set(), download });
    const metrics: MessageMetrics = { bridged: () => undefined, failed: (_d, reason) => void failures.push(reason), rateLimitWait: () => undefined };
    return { ...base, media, metrics };
  }

  const posts = () => [...api.emu.state.posts.values()].filter((p) => p.channel_id === portal.gitterRoomId && !earlier.has(p.id));
  const uploads = () => [...api.emu.state.files.values()].filter((f) => !earlier.has(f.id));
  const image = (eventId: string, body = "picture.png", extra: Record<string, unknown> = {}) => ({
    event_id: eventId,
    room_id: portal.matrixRoomId,
    sender: MXID,
    type: "m.room.message",
    content: { msgtype: "m.image", body, url: "mxc://example.org/picture", info: { mimetype: "image/png", size: BYTES.byteLength }, ...extra },
  });

  it("uploads the image and posts it with its name as the text: a file on Mattermost with the same bytes", async () => {
    await new PortalRoom(ctx, portal).fromMatrix(image("$img"));
    const [post] = posts();
    assert.equal(posts().length, 1);
    assert.equal(post?.message, "picture.png");
    assert.equal(post.file_ids.length, 1);
    const file = api.emu.state.files.get(post.file_ids[0]!);
    assert.equal(file?.post_id, post.id);
    assert.equal(file.name, "picture.png");
    assert.equal(file.mime_type, "image/png");
    assert.deepEqual(file.data, BYTES);
    assert.equal((await store.messages.byMatrixEvent("$img"))?.gitterMessageId, post.id);
    assert.deepEqual(notices, []);
  });

  it("posts a caption as the text, with the file", async () => {
    await new PortalRoom(ctx, portal).fromMatrix(image("$cap", "look *here*", { filename: "picture.png" }));
    const [post] = posts();
    assert.equal(post?.message, "look \\*here\\*");
    assert.equal(post.file_ids.length, 1);
    assert.equal(api.emu.state.files.get(post.file_ids[0]!)?.name, "picture.png");
  });

  it("a post that failed after the upload is posted by a later process with the same file, uploaded once", async () => {
    // The process dies as it is about to post: the intent stays open, as after an outage that posted nothing.
    const killed = new NetworkError("unavailable", "Mattermost", "killed");
    const dying: NetworkClient = Object.create(network, { send: { value: async () => Promise.reject(killed) } });
    await assert.rejects(new PortalRoom({ ...ctx, network: dying }, portal).fromMatrix(image("$crash", "crash.png")), /killed/);
    assert.equal(posts().length, 0);
    const open = await store.pendingSends.getIntent("$crash");
    assert.deepEqual(open?.fileIds, uploads().map((f) => f.id), "the intent remembers the uploaded file");

    const later = context(1024 * 1024);
    await resumeIntent(later, open!);
    await new PortalRoom(later, portal).fromMatrix(image("$crash", "crash.png")); // the replayed event
    const [post] = posts();
    assert.equal(posts().length, 1);
    assert.deepEqual(post?.file_ids, open!.fileIds);
    assert.equal(uploads().length, 1, "not uploaded again");
  });

  it("an event replayed while its send is open posts the file once and uploads nothing more", async () => {
    await api.control("POST", "/faults", { status: 503, count: 2, method: "POST", path: "^/posts$", drop: true });
    await new PortalRoom(ctx, portal).fromMatrix(image("$lost", "lost.png")).catch(() => undefined);
    await api.control("DELETE", "/faults");
    await new PortalRoom(ctx, portal).fromMatrix(image("$lost", "lost.png"));
    assert.equal(posts().length, 1);
    assert.equal(uploads().length, 1);
    assert.equal(posts()[0]?.file_ids[0], uploads()[0]?.id);
  });

  it("a send left open after its upload is posted by the replayed event although the homeserver no longer gives the file", async () => {
    const down = new NetworkError("unavailable", "Mattermost", "down");
    const failing: NetworkClient = Object.create(network, { send: { value: async () => Promise.reject(down) } });
    await assert.rejects(new PortalRoom({ ...ctx, network: failing }, portal).fromMatrix(image("$open", "open.png")), /down/);
    homeserverMode = "forbidden";
    await new PortalRoom(ctx, portal).fromMatrix(image("$open", "open.png"));
    assert.deepEqual(posts().map((p) => p.message), ["open.png"]);
    assert.deepEqual(posts()[0]?.file_ids, uploads().map((f) => f.id));
    assert.deepEqual(notices, [], "not told it was not sent");
  });

  it("refuses a file over the size cap, telling the sender, and uploads nothing", async () => {
    ctx = context(8);
    await new PortalRoom(ctx, portal).fromMatrix(image("$big", "big.png", { info: { mimetype: "image/png" } }));
    assert.equal(posts().length, 0);
    assert.equal(uploads().length, 0);
    assert.deepEqual(notices, ["Your message was not sent to Mattermost: the file is larger than the bridge passes (at most 8 B)."]);
  });

  it("gives up a file whose upload Mattermost answers unreadably, telling the sender once; nothing stays open, the next message goes out", async () => {
    const unreadable = new NetworkError("bad-response", "Mattermost", "the answer was not a file list");
    const garbling: NetworkClient = Object.create(network, { uploadFile: { value: async () => Promise.reject(unreadable) } });
    const broken = { ...ctx, network: garbling };
    await new PortalRoom(broken, portal).fromMatrix(image("$garbled", "garbled.png"));
    await new PortalRoom(broken, portal).fromMatrix(image("$garbled", "garbled.png")); // replayed after a crash
    assert.deepEqual(notices, Array(2).fill("Your message was not sent to Mattermost: its file could not be uploaded. Mattermost sent an answer the bridge could not understand."));
    assert.equal(new Set(noticeTxns).size, 1, "the replay repeats the same notice, which the homeserver keeps once");
    assert.deepEqual(failures, ["network_bad_response", "network_bad_response"]);
    assert.equal(await store.pendingSends.getIntent("$garbled"), null);
    assert.equal(await store.messages.byMatrixEvent("$garbled"), null);
    assert.equal(posts().length, 0);

    await new PortalRoom(ctx, portal).fromMatrix(image("$next", "next.png"));
    assert.deepEqual(posts().map((p) => p.message), ["next.png"]);
    assert.equal(notices.length, 2);
  });

  it("tells the sender when the homeserver will not give the bridge the file (403), and uploads nothing", async () => {
    homeserverMode = "forbidden";
    await new PortalRoom(ctx, portal).fromMatrix(image("$forbidden"));
    assert.deepEqual(notices, ["Your message was not sent to Mattermost: the homeserver would not give the bridge its file (it answered 403)."]);
    assert.deepEqual(failures, ["file_unreadable"]);
    assert.equal(uploads().length, 0);
    assert.equal(await store.pendingSends.getIntent("$forbidden"), null);
  });

  it("tells the sender when the homeserver could not fetch the file from the server that keeps it (its own 502)", async () => {
    homeserverMode = "origin";
    await new PortalRoom(ctx, portal).fromMatrix(image("$origin"));
    assert.deepEqual(notices, ["Your message was not sent to Mattermost: the homeserver could not fetch its file from the server that keeps it. Please send it again later."]);
    assert.deepEqual(failures, ["file_origin_unreachable"]);
    assert.equal(uploads().length, 0);
  });

  for (const mode of ["down", "cut"] as const) {
    it(`waits out a homeserver that ${mode === "down" ? "answers 502" : "cuts the file off midway"}: nothing told, the replayed event posts the file once`, async () => {
      homeserverMode = mode;
      await assert.rejects(new PortalRoom(ctx, portal).fromMatrix(image(`$${mode}`)), (err) => isOutage(err), "an outage, for the inbox to wait out");
      assert.equal(uploads().length, 0);
      assert.equal(await store.pendingSends.getIntent(`$${mode}`), null);
      homeserverMode = "ok";
      await new PortalRoom(ctx, portal).fromMatrix(image(`$${mode}`));
      assert.equal(posts().length, 1);
      assert.deepEqual(api.emu.state.files.get(posts()[0]!.file_ids[0]!)?.data, BYTES);
      assert.deepEqual(notices, []);
    });
  }
});
