// What a bridge serving Mattermost asks the server for each post it bridges to Matrix, counted at the emulator: a
// post carries only its author's id, and the author is looked up once while the websocket is connected, not once
// per post (src/mattermost/network-user-cache.ts). The bridge runs as an operator starts it, against the homeserver
// stub, with alice's login and one portal seeded.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import type { IncomingMessage } from "node:http";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { startMattermostEmulator, type RunningMmEmulator } from "../../emulator/mattermost/server";
import { configureLogging } from "../../src/util/log";
import { startHomeserverStub, type HomeserverStub } from "../harness/hs-stub";
import { sample, scrape } from "../harness/prom";
import { openSeeder, seedLogins, seedPortals } from "../harness/seed";
import { eventually, startBridge, writeBridgeFiles, type BridgeProcess } from "../harness/stack";
import { ALICE, MM_FIXTURE } from "./mm-emulator-helpers";

configureLogging({ level: "warn" });

const USER = "@alice:localhost";
const PORTAL = "!dev:localhost";

describe("a bridge serving Mattermost, posts to Matrix", { timeout: 90_000 }, () => {
  let dir: string;
  let mm: RunningMmEmulator;
  let hs: HomeserverStub;
  let bridge: BridgeProcess;
  let channel: string;
  /** Every request the emulator received, as `METHOD path`. */
  const requests: string[] = [];

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "bridge-mattermost-requests-"));
    mm = await startMattermostEmulator({ fixture: MM_FIXTURE, control: true, rateLimit: false });
    mm.server.on("request", (req: IncomingMessage & { originalUrl?: string }) => requests.push(`${req.method} ${req.originalUrl ?? req.url}`));
    hs = await startHomeserverStub();
    const files = await writeBridgeFiles({ dir, homeserverUrl: hs.url, domain: "localhost", mattermostUrl: mm.url, logLevel: "warn" });
    const acme = [...mm.state.teams.values()].find((t) => t.name === "acme")!;
    channel = [...mm.state.channels.values()].find((c) => c.team_id === acme.id && c.name === "dev")!.id;
    const seeder = await openSeeder(dir);
    await seedLogins(seeder, [{ mxid: USER, gitterUserId: mm.state.userByName("alice")!.id, gitterUsername: "alice", token: ALICE }]);
    await seedPortals(seeder.store, [{ mxid: USER, gitterRoomId: channel, matrixRoomId: PORTAL, oneToOne: false, lastGitterMessageId: null }]);
    await seeder.store.close();
    bridge = startBridge(files);
    const web = `http://127.0.0.1:${files.webPort}`;
    const connected = async () => sample(await scrape(web), "gitter_bridge_connected_users") === 1;
    await eventually(() => connected().catch(() => false), "alice connected", 60_000);
  });

  after(async () => {
    await bridge?.stop();
    await hs?.stop();
    await mm?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function bridged(texts: string[]): Promise<void> {
    const target = hs.sendCount() + texts.length;
    for (const message of texts) await fetch(`${mm.url}/_emulator/posts`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ as: "bob", channel, message }) }).then((r) => r.arrayBuffer());
    await hs.waitForSends(target, 30_000);
  }

  it("looks bob up for his first post, not for the next ones", async () => {
    const bob = `GET /api/v4/users/${mm.state.userByName("bob")!.id}`;
    await bridged(["first"]);
    const afterFirst = requests.filter((r) => r === bob).length;
    assert.ok(afterFirst <= 1, `bob looked up ${afterFirst} times for one post`);
    await bridged(["second", "third", "fourth", "fifth"]);
    assert.equal(requests.filter((r) => r === bob).length, afterFirst);
  });
});
