// The OAuth authorization-code flow, driven with plain HTTP form posts (the browser test lives elsewhere).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { parseArgs } from "../../emulator/main";
import { startTestEmulator, type Api } from "./emulator-helpers";

const CLIENT = { client_id: "test-client", redirect_uri: "http://127.0.0.1:9899/oauth/callback", response_type: "code" };
const SECRET = "test-secret";

describe("emulator OAuth", () => {
  let api: Api;
  before(async () => {
    api = await startTestEmulator();
  });
  after(() => api.emu.stop());

  const form = (path: string, fields: Record<string, string>, cookie?: string) =>
    fetch(api.emu.url + path, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", ...(cookie ? { cookie } : {}) },
      body: new URLSearchParams(fields).toString(),
    });
  const authorize = (params: Record<string, string>, cookie?: string) =>
    fetch(`${api.emu.url}/login/oauth/authorize?${new URLSearchParams(params)}`, { redirect: "manual", headers: cookie ? { cookie } : {} });
  const exchange = (fields: Record<string, string>, asJson = false) =>
    fetch(`${api.emu.url}/login/oauth/token`, {
      method: "POST",
      headers: { accept: "application/json", "content-type": asJson ? "application/json" : "application/x-www-form-urlencoded" },
      body: asJson ? JSON.stringify(fields) : new URLSearchParams(fields).toString(),
    });

  /** Signs in and returns the session cookie. */
  async function signIn(username: string, password: string): Promise<string> {
    const res = await form("/login/oauth/authorize/login", { ...CLIENT, state: "s1", username, password });
    assert.equal(res.status, 303);
    assert.match(res.headers.get("location") ?? "", /^\/login\/oauth\/authorize\?/);
    return (res.headers.get("set-cookie") ?? "").split(";")[0];
  }

  /** Approves from the consent page and returns the redirect location. */
  async function approve(cookie: string, state = "xyz", decision = "approve"): Promise<URL> {
    const page = await (await authorize({ ...CLIENT, state }, cookie)).text();
    const csrf = /name="csrf" value="([0-9a-f]+)"/.exec(page)?.[1];
    assert.ok(csrf, "the consent page carries a csrf field");
    const res = await form("/login/oauth/authorize/decision", { ...CLIENT, state, csrf, decision }, cookie);
    assert.equal(res.status, 302);
    return new URL(res.headers.get("location")!);
  }

  it("refuses a bad client, redirect_uri or response_type with a 401 HTML page", async () => {
    for (const bad of [{ client_id: "nope" }, { redirect_uri: "http://127.0.0.1:9899/oauth/callback/" }, { response_type: "token" }, { redirect_uri: "" }]) {
      const res = await authorize({ ...CLIENT, ...bad });
      assert.equal(res.status, 401, JSON.stringify(bad));
      assert.match(res.headers.get("content-type") ?? "", /text\/html/);
      assert.match(await res.text(), /oauth_authorize_failed/);
    }
  });

  it("asks a signed-out person to sign in, and re-shows the form on a wrong password", async () => {
    const page = await (await authorize({ ...CLIENT, state: "s1" })).text();
    assert.match(page, /<label for="username">/);
    assert.match(page, /Test bridge/);
    const wrong = await form("/login/oauth/authorize/login", { ...CLIENT, state: "s1", username: "alice", password: "bad" });
    assert.equal(wrong.status, 200);
    const html = await wrong.text();
    assert.match(html, /role="alert">Wrong username or password/);
    assert.match(html, /value="alice"/);
    assert.equal(wrong.headers.get("set-cookie"), null);
  });

  it("approves: 302 with a 40-hex code and the state; the code buys the user's token once", async () => {
    const cookie = await signIn("alice", "alice-pass");
    const consent = await (await authorize({ ...CLIENT, state: "xyz" }, cookie)).text();
    assert.match(consent, /Authorize Test bridge/);
    assert.match(consent, /@alice/);
    const loc = await approve(cookie);
    assert.equal(loc.origin + loc.pathname, CLIENT.redirect_uri);
    assert.equal(loc.searchParams.get("state"), "xyz");
    const code = loc.searchParams.get("code")!;
    assert.match(code, /^[0-9a-f]{40}$/);

    const fields = { client_id: CLIENT.client_id, client_secret: SECRET, code, redirect_uri: CLIENT.redirect_uri, grant_type: "authorization_code" };
    const res = await exchange(fields);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("cache-control"), "no-store");
    assert.equal(res.headers.get("pragma"), "no-cache");
    const body = (await res.json()) as { access_token: string; token_type: string };
    assert.deepEqual(Object.keys(body).sort(), ["access_token", "token_type"]);
    assert.equal(body.token_type, "Bearer");
    assert.equal(body.access_token, "a".repeat(40), "the same token as the existing grant for (alice, test-client)");

    const reused = await exchange(fields);
    assert.equal(reused.status, 403);
    assert.deepEqual(await reused.json(), { error: "invalid_grant", error_description: "Invalid authorization code" });
  });

  it("gives a new user a fresh token, the same on every later grant, and it works on the API", async () => {
    const cookie = await signIn("dave", "dave-pass");
    const tokens: string[] = [];
    for (let i = 0; i < 2; i++) {
      const code = (await approve(cookie)).searchParams.get("code")!;
      const res = await exchange({ client_id: CLIENT.client_id, client_secret: SECRET, code, redirect_uri: CLIENT.redirect_uri, grant_type: "authorization_code" }, true);
      tokens.push(((await res.json()) as { access_token: string }).access_token);
    }
    assert.match(tokens[0], /^[0-9a-f]{40}$/);
    assert.equal(tokens[1], tokens[0]);
    const me = await api.json("GET", "/v1/user/me", tokens[0]);
    assert.equal(me.username, "dave");
  });

  it("denies: 302 with error=access_denied and the state", async () => {
    const cookie = await signIn("bob", "bob-pass");
    const loc = await approve(cookie, "st8", "deny");
    assert.equal(loc.searchParams.get("error"), "access_denied");
    assert.equal(loc.searchParams.get("state"), "st8");
    assert.equal(loc.searchParams.get("code"), null);
  });

  it("refuses a decision without the session's csrf value", async () => {
    const cookie = await signIn("bob", "bob-pass");
    const res = await form("/login/oauth/authorize/decision", { ...CLIENT, csrf: "0".repeat(32), decision: "approve" }, cookie);
    assert.equal(res.status, 403);
  });

  it("answers token-endpoint errors as Gitter did", async () => {
    const cookie = await signIn("carol", "carol-pass");
    const code = (await approve(cookie)).searchParams.get("code")!;
    const good = { client_id: CLIENT.client_id, client_secret: SECRET, code, redirect_uri: CLIENT.redirect_uri, grant_type: "authorization_code" };
    const cases: [Record<string, string>, number, string][] = [
      [{ ...good, client_secret: "wrong" }, 401, "server_error"],
      [{ ...good, client_id: "unknown" }, 401, "server_error"],
      [{ ...good, grant_type: "password" }, 501, "unsupported_grant_type"],
      [{ ...good, code: "" }, 400, "invalid_request"],
      [{ ...good, code: "f".repeat(40) }, 403, "invalid_grant"],
      [{ ...good, redirect_uri: "http://127.0.0.1:9899/other" }, 403, "invalid_grant"],
    ];
    for (const [fields, status, error] of cases) {
      const res = await exchange(fields);
      assert.equal(res.status, status, JSON.stringify(fields));
      assert.equal(((await res.json()) as { error: string }).error, error);
    }
    assert.equal((await exchange(good)).status, 200, "failed attempts did not use up the code");
  });

  it("signs out and asks to sign in again", async () => {
    const cookie = await signIn("alice", "alice-pass");
    const out = await form("/login/oauth/logout", { ...CLIENT }, cookie);
    assert.equal(out.status, 303);
    const page = await (await authorize(CLIENT, cookie)).text();
    assert.match(page, /Sign in to Gitter/);
  });
});

describe("emulator OAuth redirect set at start", () => {
  it("takes the apps' redirect URI from --oauth-redirect (oauthRedirectUri) instead of the fixture's", async () => {
    const opts = parseArgs(["--oauth-redirect", "http://127.0.0.1:19899/oauth/callback", "--state", "/tmp/world.json"]);
    assert.equal(opts.oauthRedirectUri, "http://127.0.0.1:19899/oauth/callback");
    assert.equal(opts.stateFile, "/tmp/world.json");
    assert.throws(() => parseArgs(["--oauth-redirect", "not a url"]), /needs an http\(s\) URL/);
    const api = await startTestEmulator({ oauthRedirectUri: opts.oauthRedirectUri });
    try {
      const authorize = (redirect: string) =>
        fetch(`${api.emu.url}/login/oauth/authorize?${new URLSearchParams({ ...CLIENT, redirect_uri: redirect, state: "s" })}`, { redirect: "manual" });
      assert.equal((await authorize("http://127.0.0.1:19899/oauth/callback")).status, 200);
      assert.equal((await authorize(CLIENT.redirect_uri)).status, 401);
    } finally {
      await api.emu.stop();
    }
  });
});
