// The Mattermost emulator's OAuth 2.0 provider over real HTTP: sign-in and consent pages, the code grant, refresh
// rotation, and the token endpoint's errors.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { read, startMm, type MmApi } from "./mm-emulator-helpers";

const CLIENT = "bridgeappbridgeappbridgeap";
const SECRET = "bridge-secret";
const REDIRECT = "http://127.0.0.1:9/oauth/callback";
let api: MmApi;

before(async () => {
  api = await startMm();
});
after(async () => {
  await api.emu.stop();
});

function authorizeUrl(client = CLIENT, redirect = REDIRECT, state = "st-1"): string {
  return `${api.emu.url}/oauth/authorize?${new URLSearchParams({ response_type: "code", client_id: client, redirect_uri: redirect, state })}`;
}

function form(data: Record<string, string>, cookie?: string): RequestInit {
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
  if (cookie) headers.cookie = cookie;
  return { method: "POST", headers, body: new URLSearchParams(data).toString(), redirect: "manual" };
}

/** Signs in through the login form and returns the session cookie. */
async function signIn(login: string, password: string): Promise<string> {
  const res = await fetch(`${api.emu.url}/oauth/login`, form({ login_id: login, password, response_type: "code", client_id: CLIENT, redirect_uri: REDIRECT, state: "st-1" }));
  assert.equal(res.status, 303);
  const cookie = res.headers.get("set-cookie")!.split(";")[0];
  assert.match(cookie, /^MMAUTHTOKEN=/);
  return cookie;
}

async function codeFor(login: string, password: string): Promise<string> {
  const cookie = await signIn(login, password);
  const res = await fetch(`${api.emu.url}/oauth/authorize`, form({ response_type: "code", client_id: CLIENT, redirect_uri: REDIRECT, state: "st-1", allow: "true" }, cookie));
  assert.equal(res.status, 302);
  const to = new URL(res.headers.get("location")!);
  assert.equal(to.searchParams.get("state"), "st-1");
  return to.searchParams.get("code")!;
}

function token(data: Record<string, string>): Promise<Response> {
  return fetch(`${api.emu.url}/oauth/access_token`, form({ client_id: CLIENT, client_secret: SECRET, ...data }));
}

describe("Mattermost emulator: OAuth pages", () => {
  it("shows a sign-in form, then the consent page, and refuses a wrong password", async () => {
    const login = await fetch(authorizeUrl());
    assert.equal(login.status, 200);
    assert.match(await login.text(), /<form method="post" action="\/oauth\/login">/);
    const wrong = await fetch(`${api.emu.url}/oauth/login`, form({ login_id: "alice", password: "nope", response_type: "code", client_id: CLIENT, redirect_uri: REDIRECT }));
    assert.equal(wrong.status, 401);
    const cookie = await signIn("alice", "alice-pw");
    const consent = await fetch(authorizeUrl(), { headers: { cookie } });
    const html = await consent.text();
    assert.match(html, /Matrix bridge would like to connect/);
    assert.match(html, /name="allow" value="true"/);
  });

  it("refuses a redirect_uri other than the registered one, and an unknown app", async () => {
    assert.equal((await fetch(authorizeUrl(CLIENT, "http://evil.example/cb"))).status, 400);
    assert.equal((await fetch(authorizeUrl("x".repeat(26)))).status, 404);
  });

  it("sends a denial back with error=access_denied", async () => {
    const cookie = await signIn("bob", "bob-pw");
    const res = await fetch(`${api.emu.url}/oauth/authorize`, form({ response_type: "code", client_id: CLIENT, redirect_uri: REDIRECT, state: "s2", allow: "false" }, cookie));
    const to = new URL(res.headers.get("location")!);
    assert.equal(to.searchParams.get("error"), "access_denied");
    assert.equal(to.searchParams.get("state"), "s2");
    assert.equal(to.searchParams.get("code"), null);
  });

  it("gives a trusted app its code without asking", async () => {
    await api.control("POST", "/oauth-apps", { clientId: "t".repeat(26), clientSecret: "s", redirectUri: "http://127.0.0.1:9/t", trusted: true });
    const cookie = await signIn("carol", "carol-pw");
    const res = await fetch(authorizeUrl("t".repeat(26), "http://127.0.0.1:9/t"), { headers: { cookie }, redirect: "manual" });
    assert.equal(res.status, 302);
    assert.ok(new URL(res.headers.get("location")!).searchParams.get("code"));
  });
});

describe("Mattermost emulator: OAuth tokens", () => {
  it("exchanges a code once for a bearer token with expires_in and a refresh token", async () => {
    const code = await codeFor("alice", "alice-pw");
    const res = await token({ grant_type: "authorization_code", code, redirect_uri: REDIRECT });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("cache-control"), "no-store");
    const t = await read(res);
    assert.equal(t.token_type, "bearer");
    assert.ok(t.expires_in > 2_500_000 && t.expires_in <= 720 * 3600);
    assert.match(t.refresh_token, /^[a-z0-9]{26}$/);
    assert.equal((await api.json("GET", "/api/v4/users/me", t.access_token)).username, "alice");
    const again = await token({ grant_type: "authorization_code", code, redirect_uri: REDIRECT });
    assert.equal(again.status, 400);
    assert.equal((await read(again)).id, "api.oauth.get_access_token.expired_code.app_error");
  });

  it("gives back the same unexpired token to a second grant for the same user and app", async () => {
    const t1 = await read(await token({ grant_type: "authorization_code", code: await codeFor("bob", "bob-pw"), redirect_uri: REDIRECT }));
    const t2 = await read(await token({ grant_type: "authorization_code", code: await codeFor("bob", "bob-pw"), redirect_uri: REDIRECT }));
    assert.equal(t2.access_token, t1.access_token);
    assert.equal(t2.refresh_token, t1.refresh_token);
  });

  it("rotates both tokens on refresh and ends the old access token", async () => {
    await api.control("PUT", "/oauth-token-seconds", { seconds: 60 });
    const t1 = await read(await token({ grant_type: "authorization_code", code: await codeFor("carol", "carol-pw"), redirect_uri: REDIRECT }));
    assert.ok(t1.expires_in <= 60);
    const t2 = await read(await token({ grant_type: "refresh_token", refresh_token: t1.refresh_token }));
    assert.notEqual(t2.access_token, t1.access_token);
    assert.notEqual(t2.refresh_token, t1.refresh_token);
    assert.equal((await api.call("GET", "/api/v4/users/me", t1.access_token)).status, 401);
    assert.equal((await api.call("GET", "/api/v4/users/me", t2.access_token)).status, 200);
    const reused = await token({ grant_type: "refresh_token", refresh_token: t1.refresh_token });
    assert.equal((await read(reused)).id, "api.oauth.get_access_token.refresh_token.app_error");
  });

  it("answers the token endpoint's errors as the server does", async () => {
    const cases: [Record<string, string>, number, string][] = [
      [{ grant_type: "password" }, 400, "api.oauth.get_access_token.bad_grant.app_error"],
      [{ grant_type: "authorization_code", client_id: "short" }, 400, "api.oauth.get_access_token.bad_client_id.app_error"],
      [{ grant_type: "authorization_code", client_secret: "" }, 400, "api.oauth.get_access_token.bad_client_secret.app_error"],
      [{ grant_type: "authorization_code" }, 400, "api.oauth.get_access_token.missing_code.app_error"],
      [{ grant_type: "refresh_token" }, 400, "api.oauth.get_access_token.missing_refresh_token.app_error"],
      [{ grant_type: "authorization_code", code: "x", client_secret: "wrong" }, 403, "api.oauth.get_access_token.credentials.app_error"],
    ];
    for (const [data, status, id] of cases) {
      const res = await token(data);
      assert.equal(res.status, status, id);
      assert.equal((await read(res)).id, id);
    }
  });
});
