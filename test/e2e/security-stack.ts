// The stack the security e2e tests share: the Gitter emulator in process (with its control API), a real Synapse,
// the bridge as its own process at debug level, Matrix users, and a real browser for Gitter's login pages.
// It keeps everything a test needs to hunt for leaked secrets: every line any bridge process printed, the
// OAuth codes the browser carried, and the login links the bot handed out.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { MatrixClient } from "matrix-bot-sdk";
import type { Page } from "playwright-core";
import YAML from "yaml";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import { launchBrowser, type BrowserHandle } from "../harness/browser";
import { MatrixUser } from "../harness/matrix-user";
import { freePort } from "../harness/ports";
import { startBridge, writeBridgeFiles, type BridgeFiles, type BridgeProcess } from "../harness/stack";
import { startSynapse, type SynapseHandle } from "../harness/synapse";

export const BOT = "@gitter:localhost";
export const CLIENT_ID = "security-test";
export const CLIENT_SECRET = "security-client-secret-5f3c9d";
export const LINK = /(http:\/\/127\.0\.0\.1:\d+\/login\?state=\S+)/;

export interface GitterMessageRow {
  id: string;
  text: string;
  html: string;
  fromUser: { username: string };
}

export class SecurityStack {
  bridge!: BridgeProcess;
  /** Every line of every bridge process this stack started, restarts included. */
  readonly bridgeLines: string[] = [];
  readonly oauthCodes: string[] = [];
  readonly loginLinks: string[] = [];
  private readonly users: MatrixUser[] = [];
  private readonly browsers: BrowserHandle[] = [];

  private constructor(
    readonly dir: string,
    readonly emulator: RunningEmulator,
    readonly synapse: SynapseHandle,
    readonly files: BridgeFiles,
  ) {}

  static async start(opts: { permissions?: Record<string, string> } = {}): Promise<SecurityStack> {
    const dir = await mkdtemp(path.join(os.tmpdir(), "security-e2e-"));
    const emulator = await startEmulator({ fixture: path.resolve(__dirname, "../../fixtures/demo.yaml"), control: true, rateLimit: 100_000 });
    const hsPort = await freePort();
    const files = await writeBridgeFiles({
      dir,
      homeserverUrl: `http://127.0.0.1:${hsPort}`,
      domain: "localhost",
      gitterUrl: emulator.url,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      logLevel: "debug",
      permissions: opts.permissions,
    });
    const synapse = await startSynapse({ registrationPath: files.registrationPath, port: hsPort });
    const stack = new SecurityStack(dir, emulator, synapse, files);
    await stack.gitter("/oauth-apps", {
      method: "POST",
      body: JSON.stringify({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUri: `http://127.0.0.1:${files.webPort}/oauth/callback`, name: "Security bridge" }),
    });
    await stack.startBridge();
    return stack;
  }

  /** Starts (or restarts) the bridge process and waits until it is up. */
  async startBridge(): Promise<void> {
    this.bridge = this.spawnBridge();
    await this.bridge.waitForLine(/bridge started/, 60_000);
  }

  /** A bridge process whose lines are also kept in bridgeLines; the caller decides what to wait for. */
  spawnBridge(): BridgeProcess {
    const bridge = startBridge(this.files);
    const onData = (chunk: Buffer) => this.bridgeLines.push(...chunk.toString().split("\n").filter(Boolean));
    bridge.proc.stdout!.on("data", onData);
    bridge.proc.stderr!.on("data", onData);
    return bridge;
  }

  async registration(): Promise<{ as_token: string; hs_token: string }> {
    return YAML.parse(await readFile(this.files.registrationPath, "utf8")) as { as_token: string; hs_token: string };
  }

  /** Calls the emulator's control API; fails the test on an error answer. */
  async gitter<T = unknown>(p: string, init?: RequestInit): Promise<T> {
    const r = await fetch(`${this.emulator.url}/_emulator${p}`, { ...init, headers: { "content-type": "application/json" } });
    const text = await r.text();
    assert.ok(r.ok, `${p}: ${r.status} ${text}`);
    return (text ? JSON.parse(text) : null) as T;
  }

  postAs(user: string, room: string, text: string): Promise<GitterMessageRow> {
    return this.gitter("/messages", { method: "POST", body: JSON.stringify({ user, room, text }) });
  }

  gitterLog(room: string): Promise<GitterMessageRow[]> {
    return this.gitter(`/messages?room=${encodeURIComponent(room)}`);
  }

  /** Registers a Matrix user on Synapse and starts following their /sync. */
  async matrixUser(localpart: string): Promise<MatrixUser> {
    const account = await this.synapse.registerUser(localpart, `${localpart}-matrix-pass`);
    const user = new MatrixUser(new MatrixClient(this.synapse.url, account.accessToken), account.userId);
    await user.start();
    this.users.push(user);
    return user;
  }

  /** Opens a direct chat with the bot; resolves with the room and the bot's first message. */
  async openControlRoom(user: MatrixUser, greeting = /log in with Gitter/): Promise<{ roomId: string; body: string }> {
    const roomId = await user.client.createRoom({ invite: [BOT], is_direct: true, preset: "trusted_private_chat" });
    const first = await user.waitForMessage(roomId, BOT, greeting);
    const link = LINK.exec(first.body)?.[1];
    if (link) this.loginLinks.push(link);
    return { roomId, body: first.body };
  }

  async newBrowserPage(): Promise<Page> {
    if (this.browsers.length === 0) this.browsers.push(await launchBrowser());
    return this.browsers[0]!.newPage();
  }

  /**
   * Follows a login link in `page`: reads the Matrix account the bridge's page names, continues to Gitter, signs
   * in as `gitterUser` if Gitter asks, approves, and returns the account named and the text of the bridge's
   * result page (with the login code, if any, in `codeMessage`). The OAuth code the browser carried is kept for
   * the leak hunt.
   */
  async completeLogin(page: Page, link: string, gitterUser: string): Promise<{ named: string; text: string; codeMessage?: string }> {
    await page.goto(link);
    const named = (await page.textContent("main strong")) ?? "";
    await page.click("button[type=submit]");
    if ((await page.locator("#username").count()) > 0) {
      await page.fill("#username", gitterUser);
      await page.fill("#password", `${gitterUser}-pass`);
      await page.click("button[type=submit]");
    }
    await page.click("button[value=approve]");
    await page.waitForURL(/\/oauth\/callback/);
    const code = new URL(page.url()).searchParams.get("code");
    if (code) this.oauthCodes.push(code);
    const codeMessage = (await page.locator("#login-code").count()) > 0 ? ((await page.textContent("#login-code")) ?? undefined) : undefined;
    return { named, text: (await page.textContent("main")) ?? "", ...(codeMessage ? { codeMessage } : {}) };
  }

  /** The Gitter token the bridge holds for `gitterUser` (the emulator gives one token per user and app). */
  gitterToken(gitterUser: string): string {
    return this.emulator.state.issueToken(this.emulator.state.findUserByName(gitterUser)!.id, CLIENT_ID);
  }

  async stop(): Promise<void> {
    for (const u of this.users) await u.stop().catch(() => undefined);
    for (const b of this.browsers) await b.close();
    await this.bridge?.stop();
    await this.synapse.stop();
    await this.emulator.stop();
    await rm(this.dir, { recursive: true, force: true });
  }
}
