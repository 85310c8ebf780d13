// The OAuth state behind a login link, over the bridge's real web app and a real SQLite store: it works once,
// expires after ten minutes, and logs in the Matrix account it was made for whatever else the callback says.
// Gitter's side is a stand-in that counts code exchanges, so a refused state provably never reaches Gitter.
import assert from "node:assert/strict";
import type http from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, beforeEach, describe, it } from "node:test";
import { LOGIN_LINK_TTL_MS, LoginService } from "../../src/puppet/login";
import { openStore } from "../../src/store/knex-store";
import type { Store } from "../../src/store/store";
import { configureLogging } from "../../src/util/log";
import { createWebApp } from "../../src/web/app";

configureLogging({ level: "error" });

describe("login links", () => {
  let dir: string;
  let store: Store;
  let server: http.Server;
  let base: string;
  let now = Date.now();
  const exchanged: string[] = [];
  const started: string[] = [];
  let login: LoginService;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "security-login-"));
    store = await openStore(`sqlite:${path.join(dir, "bridge.db")}`);
    login = new LoginService({
      store,
      oauth: {
        authorizeUrl: (state) => `https://gitter.example/login/oauth/authorize?state=${state}`,
        exchangeCode: async (code) => (exchanged.push(code), `token-for-${code}`),
      },
      publicUrl: "http://bridge.example",
      encrypt: (t) => `sealed(${t})`,
      identify: async (token) => ({ gitterUserId: "5f0000000000000000000001", gitterUsername: token.replace("token-for-", "g-") }),
      onLogin: async (mxid) => void started.push(mxid),
      now: () => now,
    });
    const app = createWebApp({ login });
    await new Promise<void>((r) => (server = app.listen(0, "127.0.0.1", () => r())));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    exchanged.length = 0;
    started.length = 0;
  });

  const stateOf = (link: string) => new URL(link).searchParams.get("state")!;
  const callback = async (query: string) => {
    const res = await fetch(`${base}/oauth/callback?${query}`);
    return { status: res.status, text: await res.text() };
  };

  it("makes unguessable, distinct states", async () => {
    const a = stateOf(await login.createLink("@alice:example.org"));
    const b = stateOf(await login.createLink("@alice:example.org"));
    assert.notEqual(a, b);
    assert.ok(a.length >= 32 && /^[A-Za-z0-9_-]+$/.test(a), a);
  });

  it("logs in only the Matrix account the link was made for, and names it on the page", async () => {
    const state = stateOf(await login.createLink("@alice:example.org"));
    await login.createLink("@bob:example.org");
    // Whatever else rides along (a forged mxid, a second state), the stored binding decides.
    const page = await callback(`state=${state}&code=c1&mxid=${encodeURIComponent("@bob:example.org")}&state2=x`);
    assert.equal(page.status, 200);
    assert.match(page.text, /Your Matrix account <strong>@alice:example\.org<\/strong> now uses the Gitter account\s+<strong>g-c1<\/strong>/);
    assert.doesNotMatch(page.text, /@bob/);
    assert.deepEqual(started, ["@alice:example.org"]);
    assert.equal((await store.users.getUser("@alice:example.org"))?.tokenCiphertext, "sealed(token-for-c1)");
    assert.equal((await store.users.getUser("@bob:example.org"))?.tokenCiphertext ?? null, null, "bob stays logged out");
  });

  it("works once: a second use is refused before Gitter is asked", async () => {
    const state = stateOf(await login.createLink("@carol:example.org"));
    assert.equal((await callback(`state=${state}&code=c2`)).status, 200);
    const again = await callback(`state=${state}&code=c3`);
    assert.equal(again.status, 400);
    assert.match(again.text, /already used/);
    assert.deepEqual(exchanged, ["c2"], "the second code was never exchanged");
  });

  it("expires after ten minutes", async () => {
    const state = stateOf(await login.createLink("@dave:example.org"));
    now += LOGIN_LINK_TTL_MS + 1;
    const late = await callback(`state=${state}&code=c4`);
    assert.equal(late.status, 400);
    assert.match(late.text, /expired/);
    assert.deepEqual(exchanged, []);
    assert.equal(await store.users.getUser("@dave:example.org"), null);
  });

  it("refuses unknown and missing states, and spends a state on a cancelled login", async () => {
    assert.match((await callback("state=not-a-real-state&code=c5")).text, /not valid/);
    assert.match((await callback("code=c6")).text, /incomplete/);
    const state = stateOf(await login.createLink("@erin:example.org"));
    assert.equal((await callback(`state=${state}&error=access_denied`)).status, 403);
    assert.match((await callback(`state=${state}&code=c7`)).text, /already used/);
    assert.deepEqual(exchanged, []);
  });
});
