// The whole user journey on real parts: Synapse, the Gitter emulator, the bridge as its own process, a
// Matrix user on a real client library, and the emulator's login page in headless Chromium.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { MatrixClient } from "matrix-bot-sdk";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import { launchBrowser, type BrowserHandle } from "../harness/browser";
import { freePort } from "../harness/ports";
import { MatrixUser } from "../harness/matrix-user";
import { eventually, startBridge, writeBridgeFiles, type BridgeFiles, type BridgeProcess } from "../harness/stack";
import { startSynapse, type SynapseHandle } from "../harness/synapse";

const BOT = "@gitter:localhost";

describe("user journey", { timeout: 240_000 }, () => {
  let dir: string;
  let emulator: RunningEmulator;
  let synapse: SynapseHandle;
  let files: BridgeFiles;
  let bridge: BridgeProcess;
  let browser: BrowserHandle;
  let alice: MatrixUser;
  let control: string;
  const portals = new Map<string, string>(); // Gitter room name -> Matrix room id

  const gitter = (p: string, init?: RequestInit) =>
    fetch(`${emulator.url}/_emulator${p}`, { ...init, headers: { "content-type": "application/json" } }).then(async (r) => {
      const text = await r.text();
      assert.ok(r.ok, `${p}: ${r.status} ${text}`);
      return text ? JSON.parse(text) : null;
    });
  const postAs = (user: string, room: string, text: string) =>
    gitter("/messages", { method: "POST", body: JSON.stringify({ user, room, text }) });

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "journey-"));
    emulator = await startEmulator({ fixture: path.resolve(__dirname, "../../fixtures/demo.yaml"), control: true });
    const hsPort = await freePort();
    files = await writeBridgeFiles({
      dir,
      homeserverUrl: `http://127.0.0.1:${hsPort}`,
      domain: "localhost",
      gitterUrl: emulator.url,
      clientId: "journey-test",
      clientSecret: "journey-secret",
    });
    synapse = await startSynapse({ registrationPath: files.registrationPath, port: hsPort });
    await gitter("/oauth-apps", {
      method: "POST",
      body: JSON.stringify({ clientId: "journey-test", clientSecret: "journey-secret", redirectUri: `http://127.0.0.1:${files.webPort}/oauth/callback`, name: "Journey bridge" }),
    });
    bridge = startBridge(files);
    await bridge.waitForLine(/bridge started/);
    const account = await synapse.registerUser("alice", "alice-matrix-pass");
    alice = new MatrixUser(new MatrixClient(synapse.url, account.accessToken), account.userId);
    await alice.start();
    browser = await launchBrowser();
  });

  after(async () => {
    await alice?.stop();
    await browser?.close();
    await bridge?.stop();
    await synapse?.stop();
    await emulator?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("greets a new direct chat with a login link", async () => {
    control = await alice.client.createRoom({ invite: [BOT], is_direct: true, preset: "trusted_private_chat" });
    const greeting = await alice.waitForMessage(control, BOT, /log in with Gitter/);
    assert.match(greeting.body, /http:\/\/127\.0\.0\.1:\d+\/login\?state=/);
  });

  it("logs in through the bridge's page, Gitter's consent page in a real browser, and the code sent from Matrix", async () => {
    const link = /(http:\/\/127\.0\.0\.1:\d+\/login\?state=\S+)/.exec(alice.messages(control).at(-1)!.body)![1];
    const page = await browser.newPage();
    await page.goto(link);
    assert.match((await page.textContent("main")) ?? "", /linking Gitter to the Matrix account @alice:localhost/);
    await page.click("text=Continue to Gitter");
    await page.fill("#username", "alice");
    await page.fill("#password", "alice-pass");
    await page.click("button[type=submit]");
    await page.click("button[value=approve]");
    await page.waitForURL(/\/oauth\/callback/);
    const text = await page.textContent("main");
    assert.match(text ?? "", /One more step/);
    assert.match(text ?? "", /alice/);
    assert.doesNotMatch(await page.content(), /[0-9a-f]{40}/, "the page never shows a token");
    await alice.client.sendText(control, (await page.textContent("#login-code"))!);
    await alice.waitForMessage(control, BOT, /logged in to Gitter as alice/);
  });

  it("invites the user to a private room per Gitter room, one-to-one chats as direct chats", async () => {
    const want = ["gitter-demo/lobby", "gitter-demo/dev", "gitter-demo/help", "secret-society/council"];
    for (const name of want) portals.set(name, await alice.waitForInvite((i) => i.name === name));
    const dm = await alice.waitForInvite((i) => i.isDirect && i.inviter === "@gitter_bob:localhost");
    portals.set("bob", dm);
    for (const roomId of portals.values()) await alice.client.joinRoom(roomId);
    const lobby = portals.get("gitter-demo/lobby")!;
    const joinRule = await alice.client.getRoomStateEvent(lobby, "m.room.join_rules", "");
    assert.equal(joinRule.join_rule, "invite");
  });

  it("brings Gitter messages in from ghosts with names", async () => {
    const lobby = portals.get("gitter-demo/lobby")!;
    await postAs("bob", "gitter-demo/lobby", "hello from **Gitter**");
    const msg = await alice.waitForMessage(lobby, "@gitter_bob:localhost", /hello from/);
    assert.equal(msg.body, "hello from **Gitter**");
    assert.match(msg.formatted ?? "", /<strong>Gitter<\/strong>/);
    const profile = await alice.client.getUserProfile("@gitter_bob:localhost");
    assert.equal(profile.displayname, "Bob Brown (Gitter)");
    assert.match(profile.avatar_url ?? "", /^mxc:\/\//);
  });

  it("sends the user's formatted message to Gitter as the user, once", async () => {
    const lobby = portals.get("gitter-demo/lobby")!;
    await alice.client.sendMessage(lobby, {
      msgtype: "m.text",
      body: "hi *there* bob",
      format: "org.matrix.custom.html",
      formatted_body: 'hi <em>there</em> <a href="https://matrix.to/#/@gitter_bob:localhost">Bob Brown</a>',
    });
    const sent = await eventually(async () => {
      const log = (await gitter("/messages?room=gitter-demo/lobby")) as Array<{ text: string; fromUser: { username: string } }>;
      return log.find((m) => m.fromUser.username === "alice" && m.text.startsWith("hi "));
    }, "the message on Gitter");
    assert.equal(sent.text, "hi *there* @bob");
    await new Promise((r) => setTimeout(r, 1500));
    const echoes = alice.messages(lobby).filter((m) => m.body.includes("there"));
    assert.equal(echoes.length, 1, "the Gitter echo is not bridged back");
  });

  it("answers list, gjoin, gpart and invite in the control room", async () => {
    await alice.client.sendText(control, "list");
    const list = await alice.waitForMessage(control, BOT, /Your Gitter rooms/);
    assert.match(list.body, /^\* gitter-demo\/lobby$/m);

    await alice.client.sendText(control, "gjoin https://gitter.im/gitter-demo/random");
    await alice.waitForMessage(control, BOT, /Joined gitter-demo\/random/);
    const random = await alice.waitForInvite((i) => i.name === "gitter-demo/random");
    await alice.client.joinRoom(random);

    await alice.client.sendText(control, "gpart gitter-demo/dev");
    await alice.waitForMessage(control, BOT, /Left gitter-demo\/dev/);
    await alice.waitForMembership(portals.get("gitter-demo/dev")!, "leave");
    await alice.client.sendText(control, "invite gitter-demo/dev");
    await alice.waitForMessage(control, BOT, /You are not in gitter-demo\/dev/);

    const help = portals.get("gitter-demo/help")!;
    await alice.client.leaveRoom(help);
    await alice.waitForMembership(help, "leave");
    await alice.client.sendText(control, "invite gitter-demo/help");
    await alice.waitForMessage(control, BOT, /Invited you/);
    await alice.waitForMembership(help, "invite"); // back into the same room, its history kept
    await alice.client.sendText(control, "invite gitter-demo/lobby");
    await alice.waitForMessage(control, BOT, /already in the Matrix room for gitter-demo\/lobby/);

    await alice.client.sendText(control, "gjoin");
    await alice.waitForMessage(control, BOT, /^Usage: gjoin/);
  });

  it("loses and duplicates nothing across a bridge restart", async () => {
    const lobby = portals.get("gitter-demo/lobby")!;
    const before = alice.messages(lobby).length;
    assert.equal(await bridge.stop(), 0, "the bridge stops cleanly on SIGTERM");
    for (let i = 1; i <= 3; i++) await postAs("carol", "gitter-demo/lobby", `while down ${i}`);
    bridge = startBridge(files);
    await bridge.waitForLine(/bridge started/);
    await alice.waitForMessage(lobby, "@gitter_carol:localhost", /while down 3/);
    await postAs("carol", "gitter-demo/lobby", "after restart");
    await alice.waitForMessage(lobby, "@gitter_carol:localhost", /after restart/);
    const after = alice.messages(lobby).slice(before).map((m) => m.body);
    assert.deepEqual(after, ["while down 1", "while down 2", "while down 3", "after restart"]);
  });

  it("logs out, leaving the portals behind cleanly", async () => {
    await alice.client.sendText(control, "logout");
    await alice.waitForMessage(control, BOT, /You are logged out/);
    await alice.waitForMembership(portals.get("gitter-demo/lobby")!, "leave");
    await alice.client.sendText(control, "list");
    await alice.waitForMessage(control, BOT, /log in first/);
  });
});
