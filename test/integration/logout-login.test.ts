// `logout` forgets a login that is not finished yet, through the bridge process, the Gitter emulator's sign-in
// pages and a homeserver stub: an approval waiting for its code, and a login link not used yet, must not log the
// user in after they said logout.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import YAML from "yaml";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import { configureLogging } from "../../src/util/log";
import { startHomeserverStub, type HomeserverStub } from "../harness/hs-stub";
import { walkOAuth } from "../harness/oauth-http";
import { openSeeder } from "../harness/seed";
import { eventually, startBridge, writeBridgeFiles, type BridgeFiles, type BridgeProcess } from "../harness/stack";

configureLogging({ level: "warn" });

const ALICE = "@alice:localhost";
const CONTROL = "!control:localhost";

describe("logout during a login", { timeout: 120_000 }, () => {
  let dir: string;
  let emulator: RunningEmulator;
  let hs: HomeserverStub;
  let files: BridgeFiles;
  let bridge: BridgeProcess;
  let hsToken: string;
  let seq = 0;

  /** Sends `body` to the bot and resolves with its answer. */
  const command = async (body: string): Promise<string> => {
    const before = hs.sends.length;
    await hs.pushTransaction(`http://127.0.0.1:${files.asPort}`, hsToken, [
      { type: "m.room.message", room_id: CONTROL, sender: ALICE, event_id: `$logout-test-${++seq}`, content: { msgtype: "m.text", body } },
    ]);
    const answer = await eventually(() => hs.sends.slice(before).find((s) => s.roomId === CONTROL), `the answer to ${body}`);
    return String(answer.content.body);
  };
  const linkIn = (answer: string) => {
    const link = /https?:\/\/\S+\/login\?state=[\w-]+/.exec(answer)?.[0];
    assert.ok(link, `no login link in: ${answer}`);
    return link;
  };

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "logout-login-"));
    emulator = await startEmulator({ control: true, fixture: { users: [{ username: "alice", password: "alice-pass" }], rooms: [] } });
    hs = await startHomeserverStub();
    files = await writeBridgeFiles({ dir, homeserverUrl: hs.url, domain: "localhost", gitterUrl: emulator.url, clientId: "logout-test", clientSecret: "s" });
    emulator.state.auth.addApp({ clientId: "logout-test", clientSecret: "s", redirectUri: `http://127.0.0.1:${files.webPort}/oauth/callback`, name: "Bridge" });
    hsToken = (YAML.parse(readFileSync(files.registrationPath, "utf8")) as { hs_token: string }).hs_token;
    const seeder = await openSeeder(dir);
    await seeder.store.users.setControlRoom(ALICE, CONTROL);
    await seeder.store.close();
    bridge = startBridge(files);
    await bridge.waitForLine(/bridge started/);
  });
  after(async () => {
    await bridge?.stop();
    await hs?.stop();
    await emulator?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("discards the approval waiting for its code and the unused links, and says so", async () => {
    const approved = await walkOAuth(linkIn(await command("login")), { username: "alice", password: "alice-pass" });
    assert.match(approved.codeMessage ?? "", /^login [A-Z0-9]{4}-[A-Z0-9]{4}$/, approved.html.slice(0, 300));
    const unused = linkIn(await command("login"));
    assert.match(await command("logout"), /not logged in\. Your login links and the Gitter login waiting for its code are discarded/);
    assert.match(await command(approved.codeMessage!), /No Gitter login is waiting/);
    await assert.rejects(walkOAuth(unused, { username: "alice", password: "alice-pass" }), /the bridge's \/login answered 4\d\d/);
    assert.match(await command("status"), /not logged in/i);
    assert.match(await command("logout"), /^You were not logged in\.$/);
  });

  it("still logs in through a link made after the logout", async () => {
    const walk = await walkOAuth(linkIn(await command("login")), { username: "alice", password: "alice-pass" });
    assert.match(await command(walk.codeMessage!), /alice/);
    assert.match(await command("status"), /Logged in to Gitter as alice/i);
    assert.match(await command("logout"), /You are logged out/);
  });
});
