// What a restart asks of the homeserver, through the bridge process against the Gitter emulator and a no-op
// homeserver that counts requests: nothing per portal whose bridge info is known to be in place, and the state
// put right once where it is not known (a portal from an older bridge).
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import { configureLogging } from "../../src/util/log";
import { startHomeserverStub, type HomeserverStub } from "../harness/hs-stub";
import { sample, scrape } from "../harness/prom";
import { openSeeder, seedLogins } from "../harness/seed";
import { eventually, startBridge, writeBridgeFiles, type BridgeFiles, type BridgeProcess } from "../harness/stack";

configureLogging({ level: "warn" });

const ALICE = "@alice:localhost";
const TOKEN = "b".repeat(40);
/** How long after a session is live a request it was going to make has surely arrived (the positive case shows it). */
const SETTLE_MS = 1000;

describe("what a restart asks of the homeserver", { timeout: 90_000 }, () => {
  let dir: string;
  let emulator: RunningEmulator;
  let hs: HomeserverStub;
  let files: BridgeFiles;
  let bridge: BridgeProcess | undefined;

  const count = (route: string) => hs.counts.get(route) ?? 0;

  /** Starts the bridge and waits until alice's session is connected and caught up. */
  async function start(): Promise<void> {
    bridge = startBridge(files);
    await bridge.waitForLine(/bridge started/);
    const webUrl = `http://127.0.0.1:${files.webPort}`;
    await eventually(async () => {
      const m = await scrape(webUrl);
      return sample(m, "gitter_bridge_connected_users") === 1 && sample(m, "gitter_bridge_rooms_catching_up") === 0;
    }, "alice connected and caught up");
  }

  async function restart(): Promise<void> {
    assert.equal(await bridge?.stop(), 0);
    await start();
  }

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "bridge-restart-"));
    emulator = await startEmulator({
      fixture: {
        users: [{ username: "alice" }, { username: "bob" }],
        rooms: [
          { uri: "restart/one", members: ["alice", "bob"] },
          { uri: "restart/two", members: ["alice", "bob"] },
        ],
        tokens: [{ user: "alice", clientId: "restart-test", token: TOKEN }],
      },
    });
    hs = await startHomeserverStub();
    files = await writeBridgeFiles({ dir, homeserverUrl: hs.url, domain: "localhost", gitterUrl: emulator.url, clientId: "restart-test", clientSecret: "s" });
    const seeder = await openSeeder(dir);
    await seedLogins(seeder, [{ mxid: ALICE, gitterUserId: emulator.state.findUserByName("alice")!.id, gitterUsername: "alice", token: TOKEN }]);
    await seeder.store.close();
  });

  after(async () => {
    await bridge?.stop();
    await hs?.stop();
    await emulator?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("creates each portal with its bridge info in the initial state, and a restart reads and writes no state", async () => {
    await start();
    await eventually(() => count("createRoom") === 2, "both portals created");
    await restart();
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    assert.equal(count("createRoom"), 2);
    assert.deepEqual([count("getState"), count("state")], [0, 0], "no state request for portals whose bridge info is known");
  });

  it("puts the bridge info right once where it is not known, then stops asking", async () => {
    assert.equal(await bridge?.stop(), 0);
    bridge = undefined;
    // As an older bridge left it: the portal row holds no record of the bridge info.
    const { store } = await openSeeder(dir);
    try {
      const [one] = await store.portals.listPortals(ALICE);
      await store.portals.putPortal({ ...one!, bridgeInfoHash: null });
    } finally {
      await store.close();
    }
    await start();
    // The stub has no state: both events are read, found missing and written.
    await eventually(() => count("getState") === 2 && count("state") === 2, "both bridge info events read and written");
    await restart();
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    assert.deepEqual([count("getState"), count("state")], [2, 2], "recorded once written: the next start asks nothing");
  });
});
