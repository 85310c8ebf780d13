// Every page the bridge's web server shows a person, reached the way a person reaches it (the real web app, the
// real login service over SQLite; only Gitter's side is a double), rendered in headless Chromium at phone and
// desktop widths, saved as PNGs under test/artifacts/pages/, and checked for legibility.
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import type http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { LOGIN_LINK_TTL_MS, LoginService, type LoginDeps } from "../../src/puppet/login";
import { openStore } from "../../src/store/knex-store";
import type { Store } from "../../src/store/store";
import { configureLogging } from "../../src/util/log";
import { createWebApp } from "../../src/web/app";
import type { LoginErrorKind } from "../../src/web/pages";
import { launchBrowser, type BrowserHandle } from "../harness/browser";
import { assertLegible, PAGE_AUDIT_SCRIPT, type PageAudit } from "../harness/page-audit";

const ARTIFACTS = path.resolve(__dirname, "../artifacts/pages");
// Long enough to overflow a phone screen unless the page wraps it.
const MXID = "@alice.anderswonderland:matrix.departmentofexamples.example.org";
/** Every error page; the Record type makes the compiler name any kind added later and not listed here. */
const ERROR_KINDS: Record<LoginErrorKind, number> = {
  "missing-state": 400,
  "unknown-state": 400,
  "used-state": 400,
  "expired-state": 400,
  denied: 403,
  "gitter-error": 502,
  "links-off": 410,
  internal: 500,
};

describe("the bridge's web pages in a browser", { timeout: 120_000 }, () => {
  let store: Store;
  let server: http.Server;
  let base: string;
  /** The same pages from a bridge with no OAuth app (its links are turned off). */
  let linkless: http.Server;
  let browser: BrowserHandle;
  let now = Date.now();
  /** Page name -> path to open; filled in `before`, in the order a person could meet them. */
  const pages = new Map<string, { path: string; status: number; base?: string }>();

  const stateOf = (link: string) => new URL(link).searchParams.get("state")!;

  before(async () => {
    configureLogging({ level: "error" });
    store = await openStore("sqlite::memory:");
    const deps: LoginDeps = {
      store,
      publicUrl: "http://bridge.example",
      encrypt: (token) => `sealed:${token.length}`,
      decrypt: () => assert.fail("no code is sent here"),
      botMxid: "@gitter:matrix.departmentofexamples.example.org",
      identify: async () => ({ gitterUserId: "5f00", gitterUsername: "alice" }),
      onLogin: async () => undefined,
      now: () => now,
    };
    const login = new LoginService({
      ...deps,
      oauth: {
        authorizeUrl: (state) => `https://gitter.example/login/oauth/authorize?state=${state}`,
        exchangeCode: async (code) => (code === "good" ? { accessToken: "0123456789abcdef0123456789abcdef01234567" } : Promise.reject(new Error("invalid_grant"))),
      },
    });
    server = createWebApp({ login, networkName: "Gitter" }).listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    linkless = createWebApp({ login: new LoginService(deps), networkName: "Gitter" }).listen(0, "127.0.0.1");
    await new Promise((resolve) => linkless.once("listening", resolve));
    browser = await launchBrowser();
    await mkdir(ARTIFACTS, { recursive: true });

    const fresh = async () => stateOf(await login.createLink(MXID));
    const success = await fresh();
    pages.set("confirm-account", { path: `/login?state=${success}`, status: 200 });
    pages.set("success", { path: `/oauth/callback?state=${success}&code=good`, status: 200 });
    pages.set("used-state", { path: `/oauth/callback?state=${success}&code=good`, status: ERROR_KINDS["used-state"] });
    pages.set("missing-state", { path: "/login", status: ERROR_KINDS["missing-state"] });
    pages.set("unknown-state", { path: "/oauth/callback?state=nobody-made-this&code=x", status: ERROR_KINDS["unknown-state"] });
    pages.set("denied", { path: `/oauth/callback?state=${await fresh()}&error=access_denied`, status: ERROR_KINDS.denied });
    pages.set("gitter-error", { path: `/oauth/callback?state=${await fresh()}&code=bad`, status: ERROR_KINDS["gitter-error"] });
    // A link made while the bridge had an OAuth app, opened once it has none.
    const linklessBase = `http://127.0.0.1:${(linkless.address() as AddressInfo).port}`;
    pages.set("links-off", { path: `/login?state=${await fresh()}`, status: ERROR_KINDS["links-off"], base: linklessBase });
    now -= LOGIN_LINK_TTL_MS + 60_000; // a link asked for eleven minutes ago (the last link made: making one prunes)
    pages.set("expired-state", { path: `/oauth/callback?state=${await fresh()}&code=good`, status: ERROR_KINDS["expired-state"] });
    now += LOGIN_LINK_TTL_MS + 60_000;
    pages.set("not-found", { path: "/no/such/page", status: 404 });
  });

  after(async () => {
    await browser?.close();
    server?.closeAllConnections();
    linkless?.closeAllConnections();
    await new Promise<void>((resolve) => (linkless ? linkless.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await store?.close();
  });

  /** Opens `path` once at phone width, audits it, and saves a screenshot at phone and at desktop width. */
  async function render(name: string, pagePath: string, status: number, from = base): Promise<{ audit: PageAudit; text: string }> {
    const page = await browser.newPage();
    try {
      const requests: string[] = [];
      page.on("request", (r) => requests.push(r.url()));
      await page.setViewportSize({ width: 375, height: 740 });
      const res = await page.goto(from + pagePath);
      assert.equal(res?.status(), status, `${name}: status`);
      assert.ok((await res!.body()).length < 6000, `${name}: the page stays small`);
      const audit = (await page.evaluate(PAGE_AUDIT_SCRIPT)) as PageAudit;
      const text = (await page.textContent("body")) ?? "";
      await page.screenshot({ path: path.join(ARTIFACTS, `${name}-375.png`), fullPage: true });
      await page.setViewportSize({ width: 1280, height: 740 });
      await page.screenshot({ path: path.join(ARTIFACTS, `${name}-1280.png`), fullPage: true });
      assert.deepEqual(requests, [from + pagePath], `${name}: nothing but the page itself is loaded`);
      return { audit, text };
    } finally {
      await page.close();
    }
  }

  it("renders the login link's page legibly, naming the Matrix account before the button to Gitter", async () => {
    const { path: p, status } = pages.get("confirm-account")!;
    const { audit, text } = await render("confirm-account", p, status);
    assertLegible("confirm-account", audit);
    assert.equal(audit.heading?.text, "Link your Gitter account");
    assert.ok(text.includes(`You are linking Gitter to the Matrix account ${MXID}.`), "names the Matrix account");
    assert.match(text, /Only continue if that is you\.[\s\S]*Continue to Gitter/);
  });

  it("renders the page after Gitter legibly, with the code and who must send it to whom", async () => {
    const { path: p, status } = pages.get("success")!;
    const { audit, text } = await render("success", p, status);
    assertLegible("success", audit);
    assert.equal(audit.heading?.text, "One more step, in Matrix");
    assert.ok(text.includes(MXID), "names the Matrix account");
    assert.match(text, /send this message to @gitter:matrix\.departmentofexamples\.example\.org from/);
    assert.match(text, /login [A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}/);
    assert.doesNotMatch(text, /0123456789abcdef/, "never the token");
  });

  it("renders every login error page legibly, each telling the person what to do next", async () => {
    const seen = new Set<string>();
    for (const [name, { path: p, status, base: from }] of pages) {
      if (name === "success" || name === "confirm-account" || name === "not-found") continue;
      const { audit, text } = await render(name, p, status, from);
      assertLegible(name, audit);
      assert.match(text, /login|again|operator/i, `${name}: says what to do`);
      seen.add(audit.heading!.text);
    }
    // The last error: the store fails under the login service, as a lost database would.
    await store.close();
    const { audit } = await render("internal", `/oauth/callback?state=${"s".repeat(32)}&code=x`, ERROR_KINDS.internal);
    assertLegible("internal", audit);
    seen.add(audit.heading!.text);
    assert.equal(seen.size, Object.keys(ERROR_KINDS).length, `each error has its own heading: ${[...seen].join(" | ")}`);
  });

  it("renders the 404 page legibly", async () => {
    const { path: p, status } = pages.get("not-found")!;
    const { audit } = await render("not-found", p, status);
    assertLegible("not-found", audit);
    assert.equal(audit.heading?.text, "Page not found");
  });
});
