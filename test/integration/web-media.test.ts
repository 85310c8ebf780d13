// The public media route over real HTTP: a homeserver stand-in serving its media API, the real SQLite store holding
// the shared-media records, and the route in between.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import express from "express";
import { downloadMedia } from "../../src/matrix/media";
import { openStore } from "../../src/store/knex-store";
import type { Store } from "../../src/store/store";
import { mediaRouter } from "../../src/web/media";

const AS_TOKEN = "as-token-for-media-tests";
const CAP = 1000;
const SHARE = { serverName: "localhost", matrixRoomId: "!r:localhost", matrixEventId: "$e", messageEventId: "$e", mxid: "@a:localhost", sharedAt: 1 };
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(100, 7)]);

interface FakeHomeserver {
  url: string;
  requests: string[];
  close(): Promise<void>;
}

/** Serves a few media ids the way a homeserver does; `legacyOnly` plays one without authenticated media. */
async function fakeHomeserver(legacyOnly = false): Promise<FakeHomeserver> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? "");
    if (req.headers.authorization !== `Bearer ${AS_TOKEN}`) return void res.writeHead(401).end();
    const m = /^\/_matrix\/(client\/v1\/media|media\/v3)\/download\/localhost\/([^/?]+)$/.exec(req.url ?? "");
    if (!m || (legacyOnly && m[1] !== "media/v3")) {
      return void res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ errcode: "M_UNRECOGNIZED" }));
    }
    const id = m[2];
    if (id === "cat") return void res.writeHead(200, { "content-type": "image/png", "content-length": PNG.length }).end(PNG);
    if (id === "page") return void res.writeHead(200, { "content-type": "text/html" }).end("<script>alert(1)</script>");
    if (id === "big") return void res.writeHead(200, { "content-type": "image/png", "content-length": CAP + 1 }).end(Buffer.alloc(CAP + 1));
    if (id === "sneaky") {
      res.writeHead(200, { "content-type": "image/png" });
      for (let i = 0; i < 5; i++) res.write(Buffer.alloc(CAP / 2));
      return void res.end();
    }
    res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ errcode: "M_NOT_FOUND" }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

async function serveRoute(store: Store, homeserverUrl: string): Promise<{ url: string; close(): Promise<void> }> {
  const app = express();
  app.use(
    mediaRouter({
      lookup: (server, id) => store.media.getMedia(server, id),
      download: (server, id) => downloadMedia({ homeserverUrl, asToken: AS_TOKEN }, server, id),
      maxBytes: CAP,
    }),
  );
  const server = await new Promise<http.Server>((r) => {
    const s = app.listen(0, "127.0.0.1", () => r(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

describe("public media route", () => {
  let dir: string;
  let store: Store;
  let hs: FakeHomeserver;
  let route: { url: string; close(): Promise<void> };

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "web-media-"));
    store = await openStore(`sqlite:${path.join(dir, "bridge.db")}`);
    for (const [id, filename, mimetype] of [["cat", "cat pic.png", "image/png"], ["page", "page.html", null], ["big", "big.png", "image/png"], ["sneaky", "s.png", "image/png"], ["gone", "gone.png", "image/png"]] as const) {
      await store.media.recordMedia({ ...SHARE, mediaId: id, filename, mimetype });
    }
    hs = await fakeHomeserver();
    route = await serveRoute(store, hs.url);
  });

  after(async () => {
    await route.close();
    await hs.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("streams shared media with its type, shown in place, from a sandboxed origin", async () => {
    const res = await fetch(`${route.url}/media/localhost/cat/cat%20pic.png`);
    assert.equal(res.status, 200);
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), PNG);
    assert.equal(res.headers.get("content-type"), "image/png");
    assert.equal(res.headers.get("content-disposition"), "inline; filename*=UTF-8''cat%20pic.png");
    assert.equal(res.headers.get("x-content-type-options"), "nosniff");
    assert.match(res.headers.get("content-security-policy") ?? "", /^sandbox;/);
  });

  it("offers types a browser could run only as a download", async () => {
    const res = await fetch(`${route.url}/media/localhost/page/page.html`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/octet-stream");
    assert.match(res.headers.get("content-disposition") ?? "", /^attachment;/);
    await res.arrayBuffer();
  });

  it("serves nothing the bridge never shared, without asking the homeserver", async () => {
    const before = hs.requests.length;
    for (const p of ["/media/localhost/unshared/x.png", "/media/other.org/cat/x.png", "/media/localhost/..%2Fetc/x", "/media/localhost/cat"]) {
      const res = await fetch(route.url + p);
      assert.equal(res.status, 404, p);
      await res.arrayBuffer();
    }
    assert.equal(hs.requests.length, before);
  });

  it("refuses a file over the cap, whether or not its size was announced", async () => {
    const big = await fetch(`${route.url}/media/localhost/big/big.png`);
    assert.equal(big.status, 413);
    await big.arrayBuffer();
    // Cut off mid-way: the request fails, or at most the cap arrives.
    const bytes = await fetch(`${route.url}/media/localhost/sneaky/s.png`)
      .then((res) => res.arrayBuffer())
      .then((b) => b.byteLength, () => -1);
    assert.ok(bytes <= CAP, `got ${bytes} bytes through a cap of ${CAP}`);
  });

  it("answers 404 for media the homeserver lost and 502 when it cannot be reached", async () => {
    const gone = await fetch(`${route.url}/media/localhost/gone/gone.png`);
    assert.equal(gone.status, 404);
    await gone.arrayBuffer();
    const down = await serveRoute(store, "http://127.0.0.1:9");
    try {
      const res = await fetch(`${down.url}/media/localhost/cat/cat.png`);
      assert.equal(res.status, 502);
      await res.arrayBuffer();
    } finally {
      await down.close();
    }
  });

  it("falls back to the legacy download path on a homeserver without authenticated media", async () => {
    const legacy = await fakeHomeserver(true);
    const viaLegacy = await serveRoute(store, legacy.url);
    try {
      const res = await fetch(`${viaLegacy.url}/media/localhost/cat/cat.png`);
      assert.equal(res.status, 200);
      assert.deepEqual(Buffer.from(await res.arrayBuffer()), PNG);
      assert.deepEqual(legacy.requests, ["/_matrix/client/v1/media/download/localhost/cat", "/_matrix/media/v3/download/localhost/cat"]);
    } finally {
      await viaLegacy.close();
      await legacy.close();
    }
  });
});
