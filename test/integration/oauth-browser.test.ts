// The OAuth round trip in real Chromium: the emulator's sign-in and consent pages, a redirect to a local
// callback, then the code exchange and a REST call with the token it returned.
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import { GitterOAuth, GitterOAuthError } from "../../src/gitter/oauth";
import { GitterRestClient } from "../../src/gitter/rest";
import { launchBrowser, type BrowserHandle } from "../harness/browser";

const FIXTURE = path.join(__dirname, "..", "..", "fixtures", "test.yaml");
const CLIENT_ID = "browser-test";
const CLIENT_SECRET = "browser-test-secret";

let emu: RunningEmulator;
let browser: BrowserHandle;
let callback: http.Server;
let redirectUri: string;
let oauth: GitterOAuth;
/** Query strings the callback received, in order. */
const callbacks: URLSearchParams[] = [];

async function startCallbackServer(): Promise<void> {
  callback = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (url.pathname === "/oauth/callback") callbacks.push(url.searchParams);
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end("<!doctype html><title>done</title><h1>Back at the bridge</h1>");
  });
  await new Promise<void>((resolve) => callback.listen(0, "127.0.0.1", resolve));
  redirectUri = `http://127.0.0.1:${(callback.address() as AddressInfo).port}/oauth/callback`;
}

async function registerApp(): Promise<void> {
  const res = await fetch(`${emu.url}/_emulator/oauth-apps`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUri, name: "Browser test bridge" }),
  });
  assert.equal(res.status, 200);
}

/** Opens the authorize URL, signs in if asked, decides, and waits for the callback; returns its query. */
async function decide(page: Page, state: string, decision: "Approve" | "Deny", signIn: { username: string; password: string }) {
  await page.goto(oauth.authorizeUrl(state));
  // A session cookie from an earlier sign-in in this profile skips the sign-in form.
  if (signIn && (await page.getByLabel("Username").isVisible())) {
    await page.getByLabel("Username").fill(signIn.username);
    await page.getByLabel("Password").fill(signIn.password);
    await page.getByRole("button", { name: "Sign in" }).click();
  }
  await page.getByRole("heading", { name: /Authorize/ }).waitFor();
  await page.getByRole("button", { name: decision }).click();
  await page.waitForURL((url) => url.pathname === "/oauth/callback");
  return new URL(page.url()).searchParams;
}

before(async () => {
  emu = await startEmulator({ port: 0, fixture: FIXTURE, control: true });
  await startCallbackServer();
  await registerApp();
  oauth = new GitterOAuth({ oauthUrl: emu.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUri });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  callback?.closeAllConnections();
  await new Promise<void>((resolve) => (callback ? callback.close(() => resolve()) : resolve()));
  await emu?.stop();
});

describe("OAuth in a real browser", () => {
  it("a wrong password keeps the person on the sign-in page", async () => {
    const page = await browser.newPage();
    await page.goto(oauth.authorizeUrl("wrong-pass"));
    await page.getByLabel("Username").fill("alice");
    await page.getByLabel("Password").fill("not-her-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    assert.match((await page.getByRole("alert").textContent()) ?? "", /Wrong username or password/);
    assert.equal(callbacks.length, 0);
    await page.close();
  });

  it("sign in, approve, land on the callback with code and state; the code buys a working token once", async () => {
    const page = await browser.newPage();
    const state = "state-approve-Ω1";
    const query = await decide(page, state, "Approve", { username: "alice", password: "alice-pass" });
    assert.equal(query.get("state"), state);
    const code = query.get("code");
    assert.match(code ?? "", /^[0-9a-f]{40}$/);
    assert.equal(callbacks.at(-1)?.get("code"), code, "the callback server saw the same redirect");
    assert.equal(await page.getByRole("heading").textContent(), "Back at the bridge");

    const token = await oauth.exchangeCode(code!);
    const me = await new GitterRestClient({ apiUrl: emu.url, token }).getCurrentUser();
    assert.equal(me.username, "alice");
    await assert.rejects(oauth.exchangeCode(code!), (err: unknown) => err instanceof GitterOAuthError && err.reason === "invalid_grant");
    await page.close();
  });

  it("deny sends error=access_denied with the state back to the callback", async () => {
    const page = await browser.newPage();
    const query = await decide(page, "state-deny", "Deny", { username: "alice", password: "alice-pass" });
    assert.equal(query.get("error"), "access_denied");
    assert.equal(query.get("state"), "state-deny");
    assert.equal(query.get("code"), null);
    await page.close();
  });
});
