// The whole login by link on a Mattermost bridge, in headless Chromium: the bridge process started as an operator
// starts it (`network: mattermost`, its OAuth app registered on the Mattermost emulator), the link from the bot, the
// bridge's page naming the Matrix account and Mattermost, the emulator's sign-in and consent pages, back to the
// bridge's code page naming Mattermost, and the code sent to the bot logging the person in. Every bridge page says
// Mattermost, never Gitter, and passes the same legibility audit as a Gitter bridge's pages.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import YAML from "yaml";
import { startMattermostEmulator, type RunningMmEmulator } from "../../emulator/mattermost/server";
import { configureLogging } from "../../src/util/log";
import { launchBrowser, type BrowserHandle } from "../harness/browser";
import { startHomeserverStub, type HomeserverStub } from "../harness/hs-stub";
import { assertLegible, PAGE_AUDIT_SCRIPT, type PageAudit } from "../harness/page-audit";
import { openSeeder } from "../harness/seed";
import { eventually, startBridge, writeBridgeFiles, type BridgeFiles, type BridgeProcess } from "../harness/stack";
import { MM_FIXTURE } from "./mm-emulator-helpers";

configureLogging({ level: "warn" });

const BOT = "@mattermost:localhost";
const USER = "@alice:localhost";
const CONTROL = "!alice-control:localhost";
const APP = { clientId: "webpageswebpageswebpagesaa", clientSecret: "web-pages-secret" };

describe("the login pages of a Mattermost bridge, in a browser", { timeout: 180_000 }, () => {
  let dir: string;
  let mm: RunningMmEmulator;
  let hs: HomeserverStub;
  let files: BridgeFiles;
  let bridge: BridgeProcess;
  let browser: BrowserHandle;
  let seq = 0;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "web-pages-mattermost-"));
    mm = await startMattermostEmulator({ fixture: MM_FIXTURE, control: true, rateLimit: false });
    hs = await startHomeserverStub();
    files = await writeBridgeFiles({ dir, homeserverUrl: hs.url, domain: "localhost", mattermostUrl: mm.url, mattermostOAuth: APP });
    const redirectUri = `http://127.0.0.1:${files.webPort}/oauth/callback`;
    const res = await fetch(`${mm.url}/_emulator/oauth-apps`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...APP, redirectUri, name: "Matrix bridge" }),
    });
    assert.equal(res.status, 201);
    const seeder = await openSeeder(dir);
    await seeder.store.users.setControlRoom(USER, CONTROL);
    await seeder.store.close();
    bridge = startBridge(files);
    await bridge.waitForLine(/bridge started/);
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await bridge?.stop();
    await hs?.stop();
    await mm?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Sends `line` to the bot as Alice in her control room and resolves with its answer. */
  async function command(line: string): Promise<string> {
    const hsToken = (YAML.parse(readFileSync(files.registrationPath, "utf8")) as { hs_token: string }).hs_token;
    const before = hs.sends.length;
    const event = { event_id: `$web-pages-${++seq}`, type: "m.room.message", room_id: CONTROL, sender: USER, content: { msgtype: "m.text", body: line } };
    await hs.pushTransaction(`http://127.0.0.1:${files.asPort}`, hsToken, [event]);
    const sent = await eventually(() => hs.sends.slice(before).find((s) => s.roomId === CONTROL && s.userId === BOT), `the answer to ${line}`);
    return String(sent.content.body);
  }

  /** The page as it stands, audited at phone width, and its text. */
  async function audited(page: Page, name: string): Promise<string> {
    await page.setViewportSize({ width: 375, height: 740 });
    assertLegible(name, (await page.evaluate(PAGE_AUDIT_SCRIPT)) as PageAudit);
    const text = (await page.textContent("body")) ?? "";
    assert.doesNotMatch(text + (await page.title()), /Gitter/, `${name}: never names Gitter`);
    return text;
  }

  it("walks the link from the bot through Mattermost's consent back to the code that logs Alice in", async () => {
    const link = /https?:\/\/\S+/.exec(await command("login"))![0];
    const page = await browser.newPage();
    await page.goto(link);
    assert.equal(await page.title(), "Link your Mattermost account · Mattermost bridge");
    const confirm = await audited(page, "confirm-account");
    assert.ok(confirm.includes(`You are linking Mattermost to the Matrix account ${USER}.`), confirm);
    assert.match(confirm, /hand your Mattermost account to them/);

    await page.getByRole("button", { name: "Continue to Mattermost" }).click();
    await page.getByLabel("Email or Username").fill("alice");
    await page.getByLabel("Password").fill("alice-pw");
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByRole("heading", { name: "Matrix bridge would like to connect to your Mattermost account" }).waitFor();
    await page.getByRole("button", { name: "Allow" }).click();
    await page.waitForURL((url) => url.port === String(files.webPort) && url.pathname === "/oauth/callback");

    assert.equal(await page.title(), "One more step, in Matrix · Mattermost bridge");
    const done = await audited(page, "code");
    assert.match(done, /Mattermost approved the login of alice\./);
    assert.match(done, new RegExp(`send this message to ${BOT} from ${USER}`));
    const code = (await page.locator("#login-code").textContent())!;
    await page.close();

    // The answer to the code, and the login announced when the session starts (on its own time, so in either
    // order): `status` is answered by the bot's next message only after both.
    const accepting = hs.sends.length;
    const answered = command(code);
    const botSaid = (pattern: RegExp) => hs.sends.slice(accepting).some((s) => s.userId === BOT && pattern.test(String(s.content.body)));
    await eventually(() => botSaid(/^Code accepted: your Matrix account now uses the Mattermost account alice\.$/), "the code accepted");
    await eventually(() => botSaid(/^You are logged in to Mattermost as alice\./), "the login announced");
    await answered;
    assert.match(await command("status"), /^Logged in to Mattermost as alice\b/);
  });

  it("names Mattermost on the error pages too", async () => {
    const page = await browser.newPage();
    const link = new URL(/https?:\/\/\S+/.exec(await command("login"))![0]);
    const denied = new URL("/oauth/callback", link);
    denied.search = new URLSearchParams({ state: link.searchParams.get("state")!, error: "access_denied" }).toString();
    const res = await page.goto(denied.toString());
    assert.equal(res?.status(), 403);
    assert.equal(await page.title(), "Login cancelled · Mattermost bridge");
    assert.match(await audited(page, "denied"), /did not allow the bridge to use your Mattermost account/);
    assert.equal((await page.goto(new URL("/no/such/page", link).toString()))?.status(), 404);
    assert.equal(await page.title(), "Page not found · Mattermost bridge");
    await audited(page, "not-found");
    await page.close();
  });
});
