// The Mattermost OAuth client against the emulator's provider: the authorize URL a person signs in at, the code
// exchanged once, refresh rotating both tokens, the token endpoint's errors sorted by the server's ids, and no
// secret or token in an error or the log.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { MattermostOAuth, MattermostOAuthError } from "../../src/mattermost/oauth";
import { MattermostClient } from "../../src/mattermost/rest";
import { MattermostTokenInvalidError } from "../../src/mattermost/errors";
import { configureLogging } from "../../src/util/log";
import { startMm, type MmApi } from "./mm-emulator-helpers";

const CLIENT = "bridgeappbridgeappbridgeap";
const SECRET = "bridge-secret";
const REDIRECT = "http://127.0.0.1:9/oauth/callback";
const logLines: string[] = [];
let api: MmApi;

before(async () => {
  configureLogging({ sink: { write: (line) => void logLines.push(line) }, level: "debug" });
  api = await startMm({ rateLimit: false });
});
after(async () => {
  configureLogging({ sink: undefined, level: "info" });
  await api.emu.stop();
});

const oauth = (secret = SECRET) => new MattermostOAuth({ serverUrl: api.emu.url, clientId: CLIENT, clientSecret: secret, redirectUri: REDIRECT });

function form(data: Record<string, string>, cookie?: string): RequestInit {
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
  if (cookie) headers.cookie = cookie;
  return { method: "POST", headers, body: new URLSearchParams(data).toString(), redirect: "manual" };
}

/** What a person's browser does: open the client's authorize URL, sign in, allow; returns the redirect's query. */
async function approve(client: MattermostOAuth, login: string, password: string): Promise<URLSearchParams> {
  const url = new URL(client.authorizeUrl("state-1"));
  assert.equal((await fetch(url)).status, 200, "the sign-in page");
  const params = Object.fromEntries(url.searchParams);
  const signIn = await fetch(`${api.emu.url}/oauth/login`, form({ ...params, login_id: login, password }));
  const cookie = signIn.headers.get("set-cookie")!.split(";")[0];
  const res = await fetch(`${api.emu.url}/oauth/authorize`, form({ ...params, allow: "true" }, cookie));
  assert.equal(res.status, 302);
  const to = new URL(res.headers.get("location")!);
  assert.equal(to.origin + to.pathname, REDIRECT);
  return to.searchParams;
}

const failure = (p: Promise<unknown>) => p.then(() => assert.fail("expected a failure"), (e: unknown) => e);

describe("Mattermost OAuth client", () => {
  it("exchanges the code once for tokens that work, with their expiry", async () => {
    const client = oauth();
    const query = await approve(client, "alice", "alice-pw");
    assert.equal(query.get("state"), "state-1");
    const tokens = await client.exchangeCode(query.get("code")!);
    assert.ok(tokens.refreshToken);
    assert.ok(tokens.expiresAt! > Date.now() + 3600_000);
    assert.equal(client.needsRefresh(tokens), false);
    assert.equal((await new MattermostClient({ serverUrl: api.emu.url, token: tokens.accessToken }).me()).username, "alice");
    const again = await failure(client.exchangeCode(query.get("code")!));
    assert.ok(again instanceof MattermostOAuthError);
    assert.equal(again.reason, "invalid_grant");
  });

  it("refreshes into a new pair and the old access token stops working", async () => {
    await api.control("PUT", "/oauth-token-seconds", { seconds: 60 });
    const client = oauth();
    const first = await client.exchangeCode((await approve(client, "bob", "bob-pw")).get("code")!);
    assert.equal(client.needsRefresh(first), true, "a token expiring within the margin needs a refresh");
    const second = await client.refresh(first.refreshToken!);
    assert.notEqual(second.accessToken, first.accessToken);
    assert.notEqual(second.refreshToken, first.refreshToken);
    assert.equal((await new MattermostClient({ serverUrl: api.emu.url, token: second.accessToken }).me()).username, "bob");
    const old = await failure(new MattermostClient({ serverUrl: api.emu.url, token: first.accessToken }).me());
    assert.ok(old instanceof MattermostTokenInvalidError);
    const reused = await failure(client.refresh(first.refreshToken!));
    assert.ok(reused instanceof MattermostOAuthError && reused.reason === "invalid_grant");
    await api.control("PUT", "/oauth-token-seconds", { seconds: 720 * 3600 });
  });

  it("sorts the token endpoint's refusals by the server's ids, never showing a secret", async () => {
    const query = await approve(oauth(), "carol", "carol-pw");
    const code = query.get("code")!;
    const wrongSecret = await failure(oauth("not-the-secret").exchangeCode(code));
    assert.ok(wrongSecret instanceof MattermostOAuthError);
    assert.equal(wrongSecret.reason, "client_rejected");
    assert.equal(wrongSecret.errorId, "api.oauth.get_access_token.credentials.app_error");
    const empty = await failure(oauth().exchangeCode(""));
    assert.ok(empty instanceof MattermostOAuthError && empty.reason === "invalid_request");
    const gone = await failure(new MattermostOAuth({ serverUrl: "http://127.0.0.1:9", clientId: CLIENT, clientSecret: SECRET, redirectUri: REDIRECT }).exchangeCode(code));
    assert.ok(gone instanceof MattermostOAuthError && gone.reason === "unreachable");
    for (const err of [wrongSecret, empty, gone] as MattermostOAuthError[]) {
      for (const secret of [SECRET, "not-the-secret", code]) {
        assert.ok(!err.message.includes(secret) && !err.userMessage.includes(secret), `${err.message} shows a secret`);
      }
    }
    for (const line of logLines) assert.ok(!line.includes(SECRET) && !line.includes(code), `a log line shows a secret: ${line}`);
  });
});
