// What the bot answers when a command fails on someone else's side, through the bridge process against the
// Gitter emulator (its control API failing requests on purpose) and a no-op homeserver: the answer names Gitter
// and says to try again, and echoes neither the token nor what Gitter sent.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, afterEach, before, describe, it } from "node:test";
import YAML from "yaml";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import { configureLogging } from "../../src/util/log";
import { startHomeserverStub, type HomeserverStub } from "../harness/hs-stub";
import { sample, scrape } from "../harness/prom";
import { openSeeder, seedLogins } from "../harness/seed";
import { eventually, startBridge, writeBridgeFiles, type BridgeFiles, type BridgeProcess } from "../harness/stack";

configureLogging({ level: "warn" });

const ALICE = "@alice:localhost";
const BOT = "@gitter:localhost";
const CONTROL = "!control:localhost";
const TOKEN = "f".repeat(40);

describe("a command failing on Gitter's side", { timeout: 120_000 }, () => {
  let dir: string;
  let emulator: RunningEmulator;
  let hs: HomeserverStub;
  let files: BridgeFiles;
  let bridge: BridgeProcess;
  let hsToken: string;
  let seq = 0;

  const fault = (body: Record<string, unknown>) =>
    fetch(`${emulator.url}/_emulator/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  /** Sends `line` in alice's control room and resolves with the bot's answer to it. */
  const command = async (line: string): Promise<string> => {
    const before = hs.sends.length;
    const event = { type: "m.room.message", room_id: CONTROL, sender: ALICE, event_id: `$command-${++seq}`, content: { msgtype: "m.text", body: line } };
    await hs.pushTransaction(`http://127.0.0.1:${files.asPort}`, hsToken, [event]);
    const answer = await eventually(() => hs.sends.slice(before).find((s) => s.roomId === CONTROL && s.userId === BOT), `the answer to ${line}`);
    return String(answer.content.body);
  };

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "command-failures-"));
    emulator = await startEmulator({
      control: true,
      fixture: {
        users: [{ username: "alice" }, { username: "bob" }],
        rooms: [{ uri: "failures/room", members: ["alice", "bob"] }],
        tokens: [{ user: "alice", clientId: "failures-test", token: TOKEN }],
      },
    });
    hs = await startHomeserverStub();
    files = await writeBridgeFiles({ dir, homeserverUrl: hs.url, domain: "localhost", gitterUrl: emulator.url, clientId: "failures-test", clientSecret: "s" });
    hsToken = (YAML.parse(readFileSync(files.registrationPath, "utf8")) as { hs_token: string }).hs_token;
    const seeder = await openSeeder(dir);
    await seedLogins(seeder, [{ mxid: ALICE, gitterUserId: emulator.state.findUserByName("alice")!.id, gitterUsername: "alice", token: TOKEN }]);
    await seeder.store.users.setControlRoom(ALICE, CONTROL);
    await seeder.store.close();
    bridge = startBridge(files);
    await bridge.waitForLine(/bridge started/);
    await eventually(async () => {
      const m = await scrape(`http://127.0.0.1:${files.webPort}`);
      return sample(m, "gitter_bridge_connected_users") === 1 && sample(m, "gitter_bridge_rooms_catching_up") === 0;
    }, "alice connected and caught up");
  });

  afterEach(async () => {
    await fetch(`${emulator.url}/_emulator/faults`, { method: "DELETE" });
  });

  after(async () => {
    await bridge?.stop();
    await hs?.stop();
    await emulator?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("answers `list` during a Gitter 503 with Gitter not answering and a retry, not a bridge failure", async () => {
    // More than the client's attempts: the answer comes once its retries are spent.
    assert.equal((await fault({ mode: "before", status: 503, count: 50, method: "GET", path: "^/rooms$" })).status, 200);
    const text = await command("list");
    assert.match(text, /Gitter is not answering at the moment \(503\)/);
    assert.match(text, /try again/i);
    assert.doesNotMatch(text, /bridge's side/);
    assert.doesNotMatch(text, /Injected fault|ffff/, "neither Gitter's body nor the token");
  });

  it("answers `search` while Gitter drops the connection with Gitter not answering and a retry", async () => {
    assert.equal((await fault({ mode: "drop", count: 50, method: "GET", path: "^/rooms$" })).status, 200);
    const text = await command("search failures");
    assert.match(text, /^Sorry, `search` did not work: Gitter is not answering at the moment\. Try again in a moment\.$/);
  });

  it("answers `list` as usual once Gitter is back", async () => {
    assert.match(await command("list"), /failures\/room/);
  });
});
