import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { GitterOAuth, GitterOAuthError } from "../../src/gitter/oauth";
import { freePort } from "../harness/ports";
import { FakeGitter, json } from "./gitter-fake-server";

const SECRET = "s3cr3t-client-secret-value";
const TOKEN = "abcdef0123456789abcdef0123456789abcdef01";
const REDIRECT = "http://127.0.0.1:9/oauth/callback";
const server = new FakeGitter();

function oauth(oauthUrl = server.url): GitterOAuth {
  return new GitterOAuth({ oauthUrl, clientId: "client-1", clientSecret: SECRET, redirectUri: REDIRECT });
}

function expectFailure(reason: string, status?: number) {
  return (err: unknown) => {
    assert.ok(err instanceof GitterOAuthError, String(err));
    assert.equal(err.reason, reason);
    if (status !== undefined) assert.equal(err.status, status);
    assert.ok(!err.message.includes(SECRET) && !err.userMessage.includes(SECRET));
    assert.notEqual(err.userMessage, err.message);
    return true;
  };
}

before(() => server.start());
after(() => server.stop());

describe("GitterOAuth.authorizeUrl", () => {
  it("points at /login/oauth/authorize with client_id, response_type=code, redirect_uri and state", () => {
    const url = new URL(oauth("https://gitter.example").authorizeUrl("st ate/1"));
    assert.equal(url.origin + url.pathname, "https://gitter.example/login/oauth/authorize");
    assert.equal(url.searchParams.get("client_id"), "client-1");
    assert.equal(url.searchParams.get("response_type"), "code");
    assert.equal(url.searchParams.get("redirect_uri"), REDIRECT);
    assert.equal(url.searchParams.get("state"), "st ate/1");
    assert.equal(url.searchParams.get("client_secret"), null);
  });

  it("keeps a path prefix of the web host", () => {
    const url = new URL(oauth("https://example.org/gitter").authorizeUrl("s"));
    assert.equal(url.pathname, "/gitter/login/oauth/authorize");
  });
});

describe("GitterOAuth.exchangeCode", () => {
  it("sends the credentials in the body, asks for JSON, and accepts token_type in any case", async () => {
    server.reset((_req, res) => json(res, 200, { access_token: TOKEN, token_type: "bearer" }, { "Cache-Control": "no-store" }));
    assert.equal(await oauth().exchangeCode("code-1"), TOKEN);
    const [req] = server.seen;
    assert.equal(`${req.method} ${req.url}`, "POST /login/oauth/token");
    assert.equal(req.headers.accept, "application/json");
    assert.equal(req.headers.authorization, undefined, "Gitter does not accept HTTP Basic client auth");
    const form = new URLSearchParams(req.body);
    assert.deepEqual(Object.fromEntries(form), {
      grant_type: "authorization_code",
      code: "code-1",
      redirect_uri: REDIRECT,
      client_id: "client-1",
      client_secret: SECRET,
    });
  });

  it("maps 403 invalid_grant (bad, used or mismatched code) to a clear error", async () => {
    server.reset((_req, res) => json(res, 403, { error: "invalid_grant", error_description: "Invalid authorization code" }));
    await assert.rejects(oauth().exchangeCode("used"), (err: unknown) => {
      expectFailure("invalid_grant", 403)(err);
      assert.equal((err as GitterOAuthError).oauthError, "invalid_grant");
      assert.match((err as GitterOAuthError).message, /403 invalid_grant Invalid authorization code/);
      assert.match((err as GitterOAuthError).userMessage, /expired or was already used/);
      return true;
    });
  });

  it("maps refused client credentials, bad requests and unsupported grants", async () => {
    server.reset((_req, res) => json(res, 401, { error: "server_error", error_description: "Unauthorized" }));
    await assert.rejects(oauth().exchangeCode("c"), expectFailure("client_rejected", 401));
    server.reset((_req, res) => json(res, 400, { error: "invalid_request", error_description: "Missing required parameter: code" }));
    await assert.rejects(oauth().exchangeCode("c"), expectFailure("invalid_request", 400));
    server.reset((_req, res) => json(res, 501, { error: "unsupported_grant_type" }));
    await assert.rejects(oauth().exchangeCode("c"), expectFailure("unsupported_grant_type", 501));
    server.reset((_req, res) => json(res, 500, { error: "server_error" }));
    await assert.rejects(oauth().exchangeCode("c"), expectFailure("server_error", 500));
  });

  it("refuses a response without a bearer token", async () => {
    server.reset((_req, res) => json(res, 200, { access_token: TOKEN, token_type: "mac" }));
    await assert.rejects(oauth().exchangeCode("c"), expectFailure("bad_response"));
    server.reset((_req, res) => json(res, 200, { token_type: "Bearer" }));
    await assert.rejects(oauth().exchangeCode("c"), expectFailure("bad_response"));
  });

  it("keeps an echoed secret out of the error", async () => {
    server.reset((_req, res) => json(res, 401, { error: "invalid_client", error_description: `bad secret ${SECRET}` }));
    await assert.rejects(oauth().exchangeCode("c"), expectFailure("client_rejected", 401));
  });

  it("reports an unreachable Gitter", async () => {
    await assert.rejects(oauth(`http://127.0.0.1:${await freePort()}`).exchangeCode("c"), expectFailure("unreachable"));
  });

  it("never shows the secret when the settings are malformed", () => {
    const secret = "bad\u0001secret";
    assert.throws(
      () => new GitterOAuth({ oauthUrl: "https://gitter.example", clientId: "c", clientSecret: secret, redirectUri: REDIRECT }),
      (err: unknown) => err instanceof GitterOAuthError && !err.message.includes(secret),
    );
  });
});
