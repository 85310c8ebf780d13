// The login pages over real HTTP: the bridge's web server (LoginService + the Gitter connector's OAuth flow + a SQLite store on a
// file) against the emulator's OAuth pages and token endpoint. Every way a login can end gets its own page and
// status, the state is consumed exactly once, a token is kept only once its code comes back, and no page ever
// shows the token.
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import { GitterConnector } from "../../src/gitter/network";
import { GitterRestClient } from "../../src/gitter/rest";
import { LOGIN_LINK_TTL_MS, LoginService, oauthProviderOf, type LoginIdentity } from "../../src/puppet/login";
import { TokenCipher } from "../../src/store/crypto";
import { openStore } from "../../src/store/knex-store";
import type { Store } from "../../src/store/store";
import { configureLogging } from "../../src/util/log";
import { createWebApp } from "../../src/web/app";
import { walkOAuth } from "../harness/oauth-http";
import { DEMO_FIXTURE } from "./emulator-helpers";

configureLogging({ level: "error" });

const CLIENT_ID = "web-login-test";
const SECRET = "web-login-secret";
const MXID = "@alice:example.org";
const ALICE = { username: "alice", password: "alice-pass" };

interface WebBridge {
  url: string;
  login: LoginService;
  /** Every onLogin call, in order. */
  logins: Array<{ mxid: string; identity: LoginIdentity }>;
  /** Moves the login service's clock. */
  advance(ms: number): void;
  close(): Promise<void>;
}

describe("login pages over HTTP", () => {
  let dir: string;
  let emulator: RunningEmulator;
  let store: Store;
  let cipher: TokenCipher;
  let web: WebBridge;
  const pages: string[] = [];

  /** The bridge's web side as bridge.ts wires it, on an ephemeral port; `secret` may be a wrong one. */
  async function startWeb(secret: string, clientId = CLIENT_ID, withOAuth = true): Promise<WebBridge> {
    const server = http.createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    emulator.state.auth.addApp({ clientId, clientSecret: SECRET, redirectUri: `${url}/oauth/callback`, name: "Web test" });
    let offset = 0;
    const logins: WebBridge["logins"] = [];
    const oauth = oauthProviderOf(new GitterConnector({ apiUrl: emulator.url, fayeUrl: emulator.url, oauth: { oauthUrl: emulator.url, clientId, clientSecret: secret, redirectUri: `${url}/oauth/callback` } }).loginFlows)!;
    const login = new LoginService({
      store,
      ...(withOAuth ? { oauth } : {}),
      publicUrl: url,
      encrypt: (t) => cipher.encrypt(t),
      decrypt: (sealed) => cipher.decrypt(sealed),
      botMxid: "@gitter:example.org",
      identify: async (token) => {
        const me = await new GitterRestClient({ apiUrl: emulator.url, token }).getCurrentUser();
        return { gitterUserId: me.id, gitterUsername: me.username };
      },
      onLogin: async (mxid, identity) => void logins.push({ mxid, identity }),
      now: () => Date.now() + offset,
    });
    server.on("request", createWebApp({ login, networkName: "Gitter" }));
    return {
      url,
      login,
      logins,
      advance: (ms) => void (offset += ms),
      close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
    };
  }

  async function page(url: string): Promise<{ status: number; html: string }> {
    const res = await fetch(url, { redirect: "manual" });
    const html = await res.text();
    pages.push(html);
    return { status: res.status, html };
  }

  /** Sends the code a callback page shows, as the Matrix user would. */
  async function sendCode(html: string): Promise<void> {
    const code = /<code id="login-code">login ([^<]+)<\/code>/.exec(html)?.[1];
    assert.ok(code, `no code on the page: ${html.slice(0, 300)}`);
    assert.equal((await web.login.confirmCode(MXID, code)).kind, "logged-in");
  }

  async function storedToken(): Promise<string | null> {
    const user = await store.users.getUser(MXID);
    return user?.tokenCiphertext ? cipher.decrypt(user.tokenCiphertext) : null;
  }

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "web-login-"));
    emulator = await startEmulator({ fixture: DEMO_FIXTURE });
    store = await openStore(`sqlite:${path.join(dir, "bridge.db")}`);
    cipher = new TokenCipher(randomBytes(32));
    web = await startWeb(SECRET);
  });

  after(async () => {
    await web?.close();
    await store?.close();
    await emulator?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("refuses a login link or callback without a state", async () => {
    for (const p of ["/login", "/oauth/callback?code=abc"]) {
      const { status, html } = await page(`${web.url}${p}`);
      assert.equal(status, 400, p);
      assert.match(html, /This link is incomplete/);
    }
  });

  it("refuses a state the bridge never issued", async () => {
    for (const p of ["/oauth/callback?state=never-issued&code=abc", "/login?state=never-issued"]) {
      const { status, html } = await page(`${web.url}${p}`);
      assert.equal(status, 400, p);
      assert.match(html, /This login link is not valid/);
    }
  });

  it("shows the Gitter account and a code, takes the state only once, and stores the token encrypted once the code is sent", async () => {
    const link = await web.login.createLink(MXID);
    const walk = await walkOAuth(link, { ...ALICE, stopBeforeCallback: true });
    assert.match(walk.callbackUrl, /[?&]code=/);
    // Two arrivals of the same redirect (a double click, a reload): exactly one may log in.
    const [a, b] = await Promise.all([page(walk.callbackUrl), page(walk.callbackUrl)]);
    const [won, lost] = a.status === 200 ? [a, b] : [b, a];
    assert.equal(won.status, 200);
    assert.match(won.html, /One more step/);
    assert.match(won.html, /<strong>alice<\/strong>/);
    assert.match(won.html, /@alice:example\.org/);
    assert.equal(lost.status, 400);
    assert.match(lost.html, /already used/);
    assert.equal(await storedToken(), null, "nothing kept before the code");
    assert.deepEqual(web.logins, []);
    await sendCode(won.html);
    assert.deepEqual(web.logins, [{ mxid: MXID, identity: { gitterUserId: emulator.state.findUserByName("alice")!.id, gitterUsername: "alice" } }]);

    const token = await storedToken();
    assert.ok(token, "a token is stored");
    const row = await store.users.getUser(MXID);
    assert.ok(!row!.tokenCiphertext!.includes(token!), "the stored form is not the token");
    assert.equal(emulator.state.userForToken(token!)?.username, "alice", "the stored token is Alice's live token");
  });

  it("refuses the same link again after it was used", async () => {
    const link = await web.login.createLink(MXID);
    const walk = await walkOAuth(link, ALICE);
    assert.equal(walk.status, 200);
    assert.equal(walk.account, MXID, "the link's page names the account");
    await sendCode(walk.html);
    const again = await page(walk.callbackUrl);
    assert.equal(again.status, 400);
    assert.match(again.html, /This login link was already used/);
    assert.equal(web.logins.length, 2);
  });

  it("refuses an expired link, even one that comes back with a good code", async () => {
    const link = await web.login.createLink(MXID);
    const walk = await walkOAuth(link, { ...ALICE, stopBeforeCallback: true });
    web.advance(LOGIN_LINK_TTL_MS + 1000);
    try {
      const { status, html } = await page(walk.callbackUrl);
      assert.equal(status, 400);
      assert.match(html, /This login link has expired/);
      assert.equal(web.logins.length, 2, "no login happened");
    } finally {
      web.advance(-(LOGIN_LINK_TTL_MS + 1000));
    }
  });

  it("says so when the person denies consent, and the state is spent", async () => {
    await store.users.clearLogin(MXID);
    const walk = await walkOAuth(await web.login.createLink(MXID), { ...ALICE, decision: "deny" });
    assert.match(walk.callbackUrl, /[?&]error=access_denied/);
    pages.push(walk.html);
    assert.equal(walk.status, 403);
    assert.match(walk.html, /Login cancelled/);
    assert.equal(await storedToken(), null, "nothing was stored");
    assert.equal((await page(walk.callbackUrl)).status, 400, "the state cannot be replayed");
  });

  it("says so when Gitter refuses the code, and the state is spent", async () => {
    const link = await web.login.createLink(MXID);
    const walk = await walkOAuth(link, { ...ALICE, stopBeforeCallback: true });
    const forged = walk.callbackUrl.replace(/code=[^&]+/, "code=not-a-code-gitter-issued");
    const { status, html } = await page(forged);
    assert.equal(status, 502);
    assert.match(html, /Gitter did not complete the login/);
    assert.equal(await storedToken(), null);
    const retry = await page(walk.callbackUrl);
    assert.equal(retry.status, 400, "the real code cannot be used with the spent state");
    assert.match(retry.html, /already used/);
  });

  it("says so when Gitter refuses the bridge's client secret", async () => {
    const wrong = await startWeb("not-the-secret", "web-login-test-2");
    try {
      const walk = await walkOAuth(await wrong.login.createLink(MXID), ALICE);
      pages.push(walk.html);
      assert.equal(walk.status, 502);
      assert.match(walk.html, /Gitter did not complete the login/);
      assert.doesNotMatch(walk.html, /not-the-secret/);
      assert.equal(wrong.logins.length, 0);
      assert.equal(await storedToken(), null);
    } finally {
      await wrong.close();
    }
  });

  it("keeps a login link across a restart", async () => {
    const state = new URL(await web.login.createLink(MXID)).searchParams.get("state")!;
    await web.close();
    await store.close();
    store = await openStore(`sqlite:${path.join(dir, "bridge.db")}`);
    web = await startWeb(SECRET);
    const walk = await walkOAuth(`${web.url}/login?state=${encodeURIComponent(state)}`, ALICE);
    pages.push(walk.html);
    assert.equal(walk.status, 200);
    await sendCode(walk.html);
    assert.deepEqual(web.logins.map((l) => l.mxid), [MXID]);
    assert.ok(await storedToken());
  });

  it("refuses a link made before the bridge's OAuth app was removed, and hands out none", async () => {
    const state = new URL(await web.login.createLink(MXID)).searchParams.get("state")!;
    await web.close();
    web = await startWeb(SECRET, CLIENT_ID, false);
    try {
      assert.equal(web.login.offersLinks, false);
      await assert.rejects(web.login.createLink(MXID), /no login links/);
      const q = `state=${encodeURIComponent(state)}`;
      const posted = await fetch(`${web.url}/login`, { method: "POST", body: new URLSearchParams({ state }), redirect: "manual" });
      assert.equal(posted.status, 410, "the browser is sent nowhere");
      pages.push(await posted.text());
      for (const p of [`/login?${q}`, `/oauth/callback?${q}&code=abc`]) {
        const { status, html } = await page(`${web.url}${p}`);
        assert.equal(status, 410, p);
        assert.match(html, /Login links are turned off/);
      }
    } finally {
      await web.close();
      web = await startWeb(SECRET);
    }
  });

  it("says a used or expired link is so before sending anyone to Gitter, and leaves a good link usable", async () => {
    const link = await web.login.createLink(MXID);
    const first = await fetch(link, { redirect: "manual" });
    assert.equal(first.status, 200, "a good link shows whose it is");
    assert.match(await first.text(), /Continue to Gitter/);
    assert.equal((await fetch(link, { redirect: "manual" })).status, 200, "and still does: looking did not use it up");
    web.advance(LOGIN_LINK_TTL_MS + 1000);
    try {
      const { status, html } = await page(link);
      assert.equal(status, 400);
      assert.match(html, /This login link has expired/);
    } finally {
      web.advance(-(LOGIN_LINK_TTL_MS + 1000));
    }
    const walk = await walkOAuth(link, ALICE);
    assert.equal(walk.status, 200);
    const { status, html } = await page(link);
    assert.equal(status, 400);
    assert.match(html, /This login link was already used/);
  });

  it("never showed a token on any page", () => {
    // One token per (user, app): asking again returns the one the logins received.
    const token = emulator.state.issueToken(emulator.state.findUserByName("alice")!.id, CLIENT_ID);
    for (const html of pages) {
      assert.ok(!html.includes(token), "a page contains the token");
      assert.doesNotMatch(html, /[0-9a-f]{40}/, "a page contains something shaped like a token");
    }
    assert.ok(pages.length >= 10);
  });
});
