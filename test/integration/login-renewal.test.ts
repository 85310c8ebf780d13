// Logins whose tokens expire, against the Mattermost emulator's OAuth provider: a login through the connector's
// OAuth flow (LoginService, the person's approval, the code sent back) keeps the refresh token sealed with its
// expiry; LoginRenewal renews the token before it expires (the old one then stops working, the new one is stored
// sealed in its place) and plans the next renewal from the new expiry; a refresh Mattermost refuses is a dead login,
// its refresh token forgotten. No token appears in a log line.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { MattermostConnector } from "../../src/mattermost/network";
import type { OAuthProvider } from "../../src/network/connector";
import { LoginService, oauthProviderOf } from "../../src/puppet/login";
import { LoginRenewal, type RenewalHooks } from "../../src/puppet/login-renewal";
import { TokenCipher } from "../../src/store/crypto";
import { openStore } from "../../src/store/knex-store";
import type { Store } from "../../src/store/store";
import { configureLogging, loggingOptions } from "../../src/util/log";
import { eventually } from "../harness/stack";
import { startMm, type MmApi } from "./mm-emulator-helpers";

const CLIENT = "bridgeappbridgeappbridgeap";
const REDIRECT = "http://127.0.0.1:9/oauth/callback";
const TOKEN_SECONDS = 60;
/** Renewed this long before expiry: a second or so after the login. */
const MARGIN_MS = (TOKEN_SECONDS - 1) * 1000;

describe("renewing logins whose tokens expire (Mattermost OAuth)", () => {
  const logLines: string[] = [];
  const savedLogging = loggingOptions();
  let mm: MmApi;
  let dir: string;
  let store: Store;
  let cipher: TokenCipher;
  let network: MattermostConnector;
  let provider: OAuthProvider;
  let login: LoginService;

  before(async () => {
    configureLogging({ sink: { write: (line) => void logLines.push(line) }, level: "debug", format: "json" });
    mm = await startMm({ rateLimit: false, oauthTokenSeconds: TOKEN_SECONDS });
    dir = await mkdtemp(path.join(os.tmpdir(), "login-renewal-"));
    store = await openStore(`sqlite:${path.join(dir, "bridge.db")}`);
    cipher = new TokenCipher(randomBytes(32));
    network = new MattermostConnector({ serverUrl: mm.emu.url, oauth: { clientId: CLIENT, clientSecret: "bridge-secret", redirectUri: REDIRECT } });
    provider = oauthProviderOf(network.loginFlows)!;
    login = new LoginService({
      store,
      oauth: provider,
      publicUrl: "http://bridge.example",
      encrypt: (t) => cipher.encrypt(t),
      decrypt: (sealed) => cipher.decrypt(sealed),
      botMxid: "@mattermost:localhost",
      identify: async (token) => {
        const { self } = await network.connect(token);
        return { gitterUserId: self.id, gitterUsername: self.username };
      },
    });
  });

  after(async () => {
    await store.close();
    await mm.emu.stop();
    await rm(dir, { recursive: true, force: true });
    configureLogging(savedLogging);
  });

  /** The whole OAuth login of `mxid` as `username`: link, Mattermost's sign-in and consent, callback, code. */
  async function logIn(mxid: string, username: string): Promise<void> {
    const state = new URL(await login.createLink(mxid)).searchParams.get("state")!;
    const url = new URL(login.authorizeUrl(state));
    const form = (data: Record<string, string>, cookie?: string): RequestInit => ({
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...(cookie ? { cookie } : {}) },
      body: new URLSearchParams(data).toString(),
      redirect: "manual",
    });
    const params = Object.fromEntries(url.searchParams);
    const signIn = await fetch(`${mm.emu.url}/oauth/login`, form({ ...params, login_id: username, password: `${username}-pw` }));
    const cookie = signIn.headers.get("set-cookie")!.split(";")[0];
    const back = new URL((await fetch(`${mm.emu.url}/oauth/authorize`, form({ ...params, allow: "true" }, cookie))).headers.get("location")!);
    const done = await login.complete({ state: back.searchParams.get("state")!, code: back.searchParams.get("code")! });
    assert.ok(done.ok, "the callback takes the approval");
    assert.equal((await login.confirmCode(mxid, done.code)).kind, "logged-in");
  }

  /** The stored login opened: access token, refresh token, expiry. */
  async function stored(mxid: string): Promise<{ token: string; refresh?: string; expiresAt?: number; sealed: string[] }> {
    const u = (await store.users.getUser(mxid))!;
    const sealed = [u.tokenCiphertext!, ...(u.refreshTokenCiphertext ? [u.refreshTokenCiphertext] : [])];
    return { token: cipher.decrypt(u.tokenCiphertext!), refresh: u.refreshTokenCiphertext && cipher.decrypt(u.refreshTokenCiphertext), expiresAt: u.tokenExpiresAt, sealed };
  }

  const works = async (token: string) => (await mm.call("GET", "/api/v4/users/me", token)).status === 200;

  function renewal(): LoginRenewal {
    return new LoginRenewal({ store, refresh: (r) => provider.refresh!(r), encrypt: (t) => cipher.encrypt(t), decrypt: (s) => cipher.decrypt(s), marginMs: MARGIN_MS, retryMs: 200 });
  }

  /** Hooks recording what the renewal told, as the session manager would be told. */
  function hooks(): RenewalHooks & { tokens: string[]; dead: () => void; deaths: number } {
    const h = { tokens: [] as string[], deaths: 0, renewed: async (t: string) => void h.tokens.push(t), dead: () => void h.deaths++ };
    return h;
  }

  it("keeps the refresh token sealed, renews before expiry, and plans the next renewal from the new expiry", async () => {
    const mxid = "@alice:localhost";
    await logIn(mxid, "alice");
    const first = await stored(mxid);
    assert.ok(first.refresh, "the refresh token is kept");
    assert.ok(first.expiresAt! > Date.now() + 50_000 && first.expiresAt! <= Date.now() + TOKEN_SECONDS * 1000);
    for (const sealed of first.sealed) assert.ok(!sealed.includes(first.token) && !sealed.includes(first.refresh));
    assert.ok(await works(first.token));

    const r = renewal();
    const told = hooks();
    r.watch(mxid, told);
    await eventually(() => told.tokens.length >= 1 || undefined, "the login renewed");
    const second = await stored(mxid);
    assert.equal(told.tokens[0], second.token, "the session is handed the stored token");
    assert.notEqual(second.token, first.token);
    assert.notEqual(second.refresh, first.refresh, "the refresh token is rotated");
    assert.ok(second.expiresAt! >= first.expiresAt!);
    assert.ok(!(await works(first.token)), "the old token stops working");
    assert.ok(await works(second.token));
    assert.equal((await network.connect(second.token)).self.username, "alice");

    // The session manager watches again when the session restarts on the new token: the next renewal comes from it.
    r.watch(mxid, told);
    await eventually(() => told.tokens.length >= 2 || undefined, "the login renewed again");
    assert.equal(told.tokens[1], (await stored(mxid)).token);
    assert.ok(await works(told.tokens[1]!));
    r.forget(mxid);
    assert.equal(told.deaths, 0);
    for (const t of [first.token, first.refresh!, second.token, second.refresh!]) assert.ok(!logLines.some((l) => l.includes(t)), "a log line quotes a token");
  });

  it("takes a refresh Mattermost refuses as a dead login, forgetting the refresh token", async () => {
    const mxid = "@bob:localhost";
    await logIn(mxid, "bob");
    const { token } = await stored(mxid);
    await mm.control("DELETE", `/tokens/${token}`);
    const r = renewal();
    const told = hooks();
    r.watch(mxid, told);
    await eventually(() => told.deaths === 1 || undefined, "the login declared dead");
    assert.deepEqual(told.tokens, []);
    const user = (await store.users.getUser(mxid))!;
    assert.equal(user.refreshTokenCiphertext, undefined, "the refused refresh token is forgotten");
    assert.equal(user.tokenExpiresAt, undefined);
    assert.equal(await r.renewNow(mxid), null, "nothing is asked again");
    r.forget(mxid);
  });

  it("renews at once a token the network stopped taking (expired), when asked", async () => {
    const mxid = "@carol:localhost";
    await logIn(mxid, "carol");
    const before = await stored(mxid);
    const renewed = await renewal().renewNow(mxid);
    assert.ok(renewed);
    assert.equal(renewed.token, (await stored(mxid)).token);
    assert.notEqual(renewed.token, before.token);
    assert.ok(await works(renewed.token));
  });
});
