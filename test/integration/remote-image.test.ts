// Fetching images whose URLs come from Gitter: private addresses refused (also behind a redirect or a name),
// trusted hosts allowed, only images, capped in size and time.
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { fetchRemoteImage, isPrivateAddress, RemoteImageError } from "../../src/util/remote-image";

const PNG = Buffer.from("89504e470d0a1a0a0000000d4948445200000001000000010806000000", "hex");

describe("remote images", () => {
  let server: http.Server;
  let port = 0;
  const hits: string[] = [];
  before(async () => {
    server = http.createServer((req, res) => {
      hits.push(req.url ?? "");
      if (req.url === "/cat.png") return void res.writeHead(200, { "content-type": "image/png" }).end(PNG);
      if (req.url === "/page") return void res.writeHead(200, { "content-type": "text/html" }).end("<p>hi</p>");
      if (req.url === "/big") return void res.writeHead(200, { "content-type": "image/png" }).end(Buffer.alloc(5000));
      if (req.url === "/to-localhost") return void res.writeHead(302, { location: `http://localhost:${port}/cat.png` }).end();
      if (req.url === "/slow") return void res.writeHead(200, { "content-type": "image/png" }).write(PNG); // never ends
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as AddressInfo).port;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });
  const trusted = new Set(["127.0.0.1"]);
  const opts = (trustedHosts: ReadonlySet<string> = trusted) => ({ maxBytes: 1000, timeoutMs: 2000, trustedHosts });

  it("classifies addresses", () => {
    for (const a of ["127.0.0.1", "10.1.2.3", "172.20.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "224.0.0.1", "::1", "::", "fe80::1", "fd00::1", "::ffff:127.0.0.1", "not an ip"]) {
      assert.equal(isPrivateAddress(a), true, a);
    }
    for (const a of ["93.184.216.34", "8.8.8.8", "2606:4700::1111", "::ffff:8.8.8.8"]) assert.equal(isPrivateAddress(a), false, a);
  });

  it("fetches an image from a trusted host", async () => {
    const image = await fetchRemoteImage(`http://127.0.0.1:${port}/cat.png`, opts());
    assert.equal(image.mimetype, "image/png");
    assert.deepEqual(Buffer.from(image.bytes), PNG);
  });

  it("refuses private addresses of other hosts, by literal, by name and behind a redirect, before connecting", async () => {
    hits.length = 0;
    const none = new Set<string>();
    await assert.rejects(fetchRemoteImage(`http://127.0.0.1:${port}/cat.png`, opts(none)), /127\.0\.0\.1 is a private address/);
    await assert.rejects(fetchRemoteImage(`http://[::1]:${port}/cat.png`, opts(none)), /private address/);
    await assert.rejects(fetchRemoteImage(`http://localhost:${port}/cat.png`, opts(none)), /localhost resolves to a private address/);
    assert.deepEqual(hits, [], "nothing reached the server");
    await assert.rejects(fetchRemoteImage(`http://127.0.0.1:${port}/to-localhost`, opts()), /localhost resolves to a private address/);
    assert.deepEqual(hits, ["/to-localhost"], "the redirect's target was never asked");
  });

  it("refuses what is not an http image, too large or too slow", async () => {
    await assert.rejects(fetchRemoteImage("file:///etc/passwd", opts()), /refused: file: URL/);
    await assert.rejects(fetchRemoteImage("javascript:alert(1)", opts()), /refused: javascript: URL/);
    await assert.rejects(fetchRemoteImage(`http://127.0.0.1:${port}/page`, opts()), /type text\/html/);
    await assert.rejects(fetchRemoteImage(`http://127.0.0.1:${port}/big`, opts()), /5000 bytes is over the cap of 1000|more than 1000 bytes/);
    await assert.rejects(fetchRemoteImage(`http://127.0.0.1:${port}/nothing`, opts()), /status 404/);
    await assert.rejects(fetchRemoteImage(`http://127.0.0.1:${port}/slow`, { ...opts(), timeoutMs: 300 }), (err: Error) => err instanceof RemoteImageError && /not done within 300 ms/.test(err.message));
  });
});
