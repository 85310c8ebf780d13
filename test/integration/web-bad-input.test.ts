// Malformed requests against the bridge's public web server, wired as bridge.ts wires it (login pages and the
// shared-media route over the real SQLite store): each gets a 4xx page, never a 500 or a stack trace, and the
// server goes on answering.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { GitterConnector } from "../../src/gitter/network";
import { downloadMedia } from "../../src/matrix/media";
import { LoginService, oauthProviderOf } from "../../src/puppet/login";
import { openStore } from "../../src/store/knex-store";
import type { Store } from "../../src/store/store";
import { configureLogging } from "../../src/util/log";
import { createWebApp } from "../../src/web/app";
import { mediaRouter } from "../../src/web/media";

const logLines: string[] = [];
/** Nothing listens here: a request that reached Gitter or the homeserver would fail loudly. */
const NOWHERE = "http://127.0.0.1:9";

describe("bad requests to the web server", () => {
  let dir: string;
  let store: Store;
  let server: http.Server;
  let url: string;

  before(async () => {
    configureLogging({ sink: { write: (line) => void logLines.push(line) }, level: "info", format: "json" });
    dir = await mkdtemp(path.join(os.tmpdir(), "web-bad-input-"));
    store = await openStore(`sqlite:${path.join(dir, "bridge.db")}`);
    server = http.createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const login = new LoginService({
      store,
      oauth: oauthProviderOf(new GitterConnector({ apiUrl: NOWHERE, fayeUrl: NOWHERE, oauth: { oauthUrl: NOWHERE, clientId: "id", clientSecret: "secret", redirectUri: `${url}/oauth/callback` } }).loginFlows)!,
      publicUrl: url,
      encrypt: (t) => t,
      decrypt: (t) => t,
      botMxid: "@gitter:localhost",
      identify: async () => assert.fail("no login gets this far"),
      onLogin: async () => undefined,
    });
    const media = mediaRouter({
      lookup: (serverName, id) => store.media.getMedia(serverName, id),
      download: (serverName, id) => downloadMedia({ homeserverUrl: NOWHERE, asToken: "as-token" }, serverName, id),
      maxBytes: 1000,
    });
    server.on("request", createWebApp({ login, networkName: "Gitter", extend: (app) => app.use(media) }));
  });

  after(async () => {
    await new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r())));
    await store.close();
    await rm(dir, { recursive: true, force: true });
    configureLogging({ sink: undefined });
  });

  it("answers a path whose %-escapes do not decode with a 400 page and no stack trace", async () => {
    for (const p of ["/media/%E0%A4%A/id/f.png", "/media/localhost/%E0%A4%A/f.png", "/media/localhost/id/%C3%28"]) {
      const res = await fetch(`${url}${p}`);
      const html = await res.text();
      assert.equal(res.status, 400, p);
      assert.match(html, /Bad request/, p);
      assert.doesNotMatch(html, /URIError|node_modules|\bat /, p);
      assert.equal(res.headers.get("content-security-policy"), "default-src 'none'; style-src 'unsafe-inline'");
    }
  });

  it("reads no body, so one that claims gzip but is not, or nests deep, changes nothing", async () => {
    const deep = `${"[".repeat(20_000)}${"]".repeat(20_000)}`;
    for (const p of ["/login?state=x", "/oauth/callback?state=x&code=y", "/health", "/media/localhost/id/f.png"]) {
      for (const method of ["POST", "PUT"]) {
        for (const headers of [{ "content-type": "application/json", "content-encoding": "gzip" }, { "content-type": "application/json" }]) {
          const res = await fetch(`${url}${p}`, { method, headers: headers as Record<string, string>, body: deep });
          await res.text();
          assert.ok(res.status >= 400 && res.status < 500, `${method} ${p}: ${res.status}`);
        }
      }
    }
    assert.equal((await fetch(`${url}/health`)).status, 200);
  });

  it("answers a broken or oversized login form with a 4xx page, never sending anyone to Gitter", async () => {
    const form = { "content-type": "application/x-www-form-urlencoded" };
    const cases: Array<[Record<string, string>, string]> = [
      [{ ...form, "content-encoding": "gzip" }, "state=x"],
      [form, `state=${"x".repeat(5000)}`],
      [form, "state=%E0%A4%A"],
      [form, "state="],
      [{ "content-type": "text/plain" }, "state=x"],
    ];
    for (const [headers, body] of cases) {
      const res = await fetch(`${url}/login`, { method: "POST", redirect: "manual", headers, body });
      const html = await res.text();
      assert.ok(res.status >= 400 && res.status < 500, `${JSON.stringify(headers)} ${body.slice(0, 20)}: ${res.status}`);
      assert.equal(res.headers.get("location"), null);
      assert.doesNotMatch(html, /Error|node_modules|\bat /);
    }
  });

  it("logged no failure on the bridge's side", () => {
    assert.deepEqual(logLines.filter((l) => /"level":"error"/.test(l)), []);
  });
});
