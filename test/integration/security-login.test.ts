// The OAuth state behind a login link, over the bridge's real web app and a real SQLite store: it works once,
// expires after ten minutes, and binds the approval to the Matrix account it was made for whatever else the
// callback says. The approval is only kept when that account sends the page's one-time code: the code works once,
// for ten minutes, for a few tries, from that account alone, and never reaches the log.
// Gitter's side is a stand-in that counts code exchanges, so a refused state provably never reaches Gitter.
import assert from "node:assert/strict";
import type http from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, beforeEach, describe, it } from "node:test";
import { LOGIN_LINK_TTL_MS, LoginService } from "../../src/puppet/login";
import { CODE_TRIES, CODE_TTL_MS } from "../../src/puppet/login-code";
import { openStore } from "../../src/store/knex-store";
import type { Store } from "../../src/store/store";
import { configureLogging } from "../../src/util/log";
import { createWebApp } from "../../src/web/app";

const logged: string[] = [];
configureLogging({ level: "debug", format: "json", sink: { write: (line) => void logged.push(line) } });

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
        exchangeCode: async (code) => (exchanged.push(code), { accessToken: `token-for-${code}` }),
      },
      publicUrl: "http://bridge.example",
      encrypt: (t) => `sealed(${t})`,
      decrypt: (sealed) => /^sealed\((.*)\)$/.exec(sealed)![1]!,
      botMxid: "@gitter:example.org",
      identify: async (token) => ({ gitterUserId: "5f0000000000000000000001", gitterUsername: token.replace("token-for-", "g-") }),
      onLogin: async (mxid) => void started.push(mxid),
      now: () => now,
    });
    const app = createWebApp({ login, networkName: "Gitter" });
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
    const text = await res.text();
    return { status: res.status, text, code: /<code id="login-code">login ([A-Z0-9-]+)<\/code>/.exec(text)?.[1] };
  };
  /** A link for `mxid` approved on Gitter (as g-<gitterCode>): the code its page shows. */
  const approved = async (mxid: string, gitterCode: string) => {
    const page = await callback(`state=${stateOf(await login.createLink(mxid))}&code=${gitterCode}`);
    assert.equal(page.status, 200, page.text);
    return page.code!;
  };
  const token = async (mxid: string) => (await store.users.getUser(mxid))?.tokenCiphertext ?? null;

  it("makes unguessable, distinct states", async () => {
    const a = stateOf(await login.createLink("@alice:example.org"));
    const b = stateOf(await login.createLink("@alice:example.org"));
    assert.notEqual(a, b);
    assert.ok(a.length >= 32 && /^[A-Za-z0-9_-]+$/.test(a), a);
  });

  it("names the Matrix account on the link's page before anything goes to Gitter", async () => {
    const link = await login.createLink("@alice:example.org");
    const res = await fetch(link.replace("http://bridge.example", base), { redirect: "manual" });
    const html = await res.text();
    assert.equal(res.status, 200, "no instant redirect to Gitter");
    assert.match(html, /linking Gitter to the Matrix account <strong>@alice:example\.org<\/strong>/);
    assert.match(html, /Only continue if that is you/);
    assert.match(html, /<form method="post" action="login">[\s\S]*Continue to Gitter/);
    const go = await fetch(`${base}/login`, { method: "POST", redirect: "manual", body: new URLSearchParams({ state: stateOf(link) }) });
    assert.equal(go.status, 303);
    assert.equal(go.headers.get("location"), `https://gitter.example/login/oauth/authorize?state=${stateOf(link)}`);
  });

  it("binds the approval to the Matrix account the link was made for, and keeps nothing before its code", async () => {
    const state = stateOf(await login.createLink("@alice:example.org"));
    await login.createLink("@bob:example.org");
    // Whatever else rides along (a forged mxid, a second state), the stored binding decides.
    const page = await callback(`state=${state}&code=c1&mxid=${encodeURIComponent("@bob:example.org")}&state2=x`);
    assert.equal(page.status, 200);
    assert.match(page.text, /approved the login of <strong>g-c1<\/strong>/);
    assert.match(page.text, /send this message to <strong>@gitter:example\.org<\/strong> from @alice:example\.org/);
    assert.match(page.code ?? "", /^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$/);
    assert.doesNotMatch(page.text, /@bob/);
    assert.deepEqual(started, [], "no session before the code");
    assert.equal(await token("@alice:example.org"), null, "no token kept before the code");
    assert.equal(await login.confirmCode("@bob:example.org", page.code!).then((r) => r.kind), "none", "bob's account has no use for it");
    assert.deepEqual(await login.confirmCode("@alice:example.org", page.code!.toLowerCase().replace("-", " ")), { kind: "logged-in", gitterUsername: "g-c1" });
    assert.deepEqual(started, ["@alice:example.org"]);
    assert.equal(await token("@alice:example.org"), "sealed(token-for-c1)");
    assert.equal(await token("@bob:example.org"), null, "bob stays logged out");
  });

  it("takes the code once: a second sending, or two at once, log in once", async () => {
    const code = await approved("@frank:example.org", "c10");
    const both = await Promise.all([login.confirmCode("@frank:example.org", code), login.confirmCode("@frank:example.org", code)]);
    assert.deepEqual(both.map((r) => r.kind).sort(), ["logged-in", "none"]);
    assert.equal((await login.confirmCode("@frank:example.org", code)).kind, "none");
    assert.deepEqual(started, ["@frank:example.org"]);
  });

  it("counts wrong codes down and discards the login, token and all, at the last", async () => {
    const code = await approved("@gina:example.org", "c11");
    for (let left = CODE_TRIES - 1; left >= 0; left--) {
      assert.deepEqual(await login.confirmCode("@gina:example.org", "AAAA-AAAA"), { kind: "wrong", triesLeft: left });
    }
    assert.equal(await store.pendingLogins.hasPendingLogin("@gina:example.org", now), false, "discarded");
    assert.equal((await login.confirmCode("@gina:example.org", code)).kind, "none", "even the right code is too late");
    assert.equal(await token("@gina:example.org"), null);
    assert.deepEqual(started, []);
  });

  it("lets a newer approval replace an older one, and a wrong try from another account spends nothing", async () => {
    const older = await approved("@hal:example.org", "c12");
    const newer = await approved("@hal:example.org", "c13");
    assert.equal((await login.confirmCode("@ivy:example.org", "AAAA-AAAA")).kind, "none");
    assert.deepEqual(await login.confirmCode("@hal:example.org", older), { kind: "wrong", triesLeft: CODE_TRIES - 1 });
    assert.deepEqual(await login.confirmCode("@hal:example.org", newer), { kind: "logged-in", gitterUsername: "g-c13" });
  });

  it("expires a waiting login after ten minutes and prunes it with its token", async () => {
    const code = await approved("@jo:example.org", "c14");
    assert.equal(await store.pendingLogins.hasPendingLogin("@jo:example.org", now), true);
    now += CODE_TTL_MS;
    assert.equal((await login.confirmCode("@jo:example.org", code)).kind, "none");
    const late = await approved("@kim:example.org", "c15");
    now += CODE_TTL_MS + 1;
    await login.pruneExpired();
    assert.equal(await store.pendingLogins.hasPendingLogin("@kim:example.org", 0), false, "the row, token and all, is gone");
    assert.equal((await login.confirmCode("@kim:example.org", late)).kind, "none");
    assert.equal(await token("@kim:example.org"), null);
  });

  it("never logs a login code", async () => {
    const code = await approved("@lee:example.org", "c16");
    await login.confirmCode("@lee:example.org", "BBBB-BBBB");
    await login.confirmCode("@lee:example.org", code);
    assert.ok(logged.some((l) => /wrong login code/.test(l)) && logged.some((l) => /logged in/.test(l)), "the steps are logged");
    for (const l of logged) assert.ok(!l.includes(code) && !l.includes(code.replace("-", "")), `the code in the log: ${l}`);
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
