// A portal's two directions must not wait for each other: after a restart, a room catching up on Gitter messages
// into a slow homeserver must still post the user's new Matrix message to Gitter at once, and the catch-up keeps its
// order. The user's own message coming back from Gitter meanwhile must not be bridged back into Matrix. The bridge
// process runs as an operator runs it, against the Gitter emulator and a no-op homeserver slow to take messages.
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
import { sample, scrape } from "../harness/prom";
import { openSeeder, seedLogins } from "../harness/seed";
import { eventually, startBridge, writeBridgeFiles, type BridgeFiles, type BridgeProcess } from "../harness/stack";

configureLogging({ level: "warn" });

const ALICE = "@alice:localhost";
const TOKEN = "d".repeat(40);
/** Gitter messages waiting for the room when the bridge comes back, and how long the homeserver takes for each. */
const BACKLOG = 15;
const SEND_MS = 400;

describe("a portal's two directions", { timeout: 120_000 }, () => {
  let dir: string;
  let emulator: RunningEmulator;
  let hs: HomeserverStub;
  let files: BridgeFiles;
  let bridge: BridgeProcess | undefined;
  let slow = false;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "portal-directions-"));
    emulator = await startEmulator({
      fixture: {
        users: [{ username: "alice" }, { username: "bob" }],
        rooms: [{ uri: "directions/room", members: ["alice", "bob"] }],
        tokens: [{ user: "alice", clientId: "directions-test", token: TOKEN }],
      },
    });
    hs = await startHomeserverStub({ delayMs: (route) => (slow && route === "send" ? SEND_MS : 0) });
    files = await writeBridgeFiles({ dir, homeserverUrl: hs.url, domain: "localhost", gitterUrl: emulator.url, clientId: "directions-test", clientSecret: "s" });
    const seeder = await openSeeder(dir);
    await seedLogins(seeder, [{ mxid: ALICE, gitterUserId: emulator.state.findUserByName("alice")!.id, gitterUsername: "alice", token: TOKEN }]);
    await seeder.store.close();
  });
  after(async () => {
    await bridge?.kill();
    await hs?.stop();
    await emulator?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function startCaughtUp(): Promise<void> {
    bridge = startBridge(files);
    await bridge.waitForLine(/bridge started/);
    await eventually(async () => {
      const m = await scrape(`http://127.0.0.1:${files.webPort}`);
      return sample(m, "gitter_bridge_connected_users") === 1 && sample(m, "gitter_bridge_rooms_catching_up") === 0;
    }, "alice connected and caught up");
  }

  it("posts a Matrix message to Gitter while the room's Gitter backlog is still going into Matrix", async () => {
    await startCaughtUp();
    await eventually(() => (hs.counts.get("createRoom") ?? 0) === 1, "the portal created");
    assert.equal(await bridge!.stop(), 0);
    const { store } = await openSeeder(dir);
    const [portal] = await store.portals.listPortals(ALICE);
    await store.close();
    assert.ok(portal, "alice's portal");

    const { state } = emulator;
    const [bob, alice] = [state.findUserByName("bob")!.id, state.findUserByName("alice")!.id];
    for (let i = 1; i <= BACKLOG; i++) state.postMessage(bob, portal.gitterRoomId, { text: `backlog ${i}` });
    const backlog = () => hs.sends.filter((s) => String(s.content.body).startsWith("backlog ")).map((s) => String(s.content.body));
    slow = true;
    await startCaughtUp();
    await eventually(() => backlog().length > 0, "the catch-up under way");

    const hsToken = (YAML.parse(readFileSync(files.registrationPath, "utf8")) as { hs_token: string }).hs_token;
    const event = { type: "m.room.message", room_id: portal.matrixRoomId, sender: ALICE, content: { msgtype: "m.text", body: "from matrix" } };
    await hs.pushTransaction(`http://127.0.0.1:${files.asPort}`, hsToken, [event]);
    const onGitter = () => state.chat.allMessages().filter((m) => m.roomId === portal.gitterRoomId && m.fromUserId === alice).map((m) => m.text);
    await eventually(() => onGitter().length === 1, "the Matrix message on Gitter", 30_000);
    const bridgedMeanwhile = backlog().length;
    assert.ok(bridgedMeanwhile < BACKLOG, `posted only after the whole backlog (${bridgedMeanwhile} of ${BACKLOG}) reached Matrix`);

    await eventually(() => backlog().length === BACKLOG, "the whole backlog in Matrix", 30_000);
    assert.deepEqual(backlog(), Array.from({ length: BACKLOG }, (_, i) => `backlog ${i + 1}`), "the catch-up kept its order");
    // Gitter's echo of alice's message went through the same catch-up queue: it must be recognised, not bridged back.
    await new Promise((r) => setTimeout(r, 2 * SEND_MS));
    assert.deepEqual(onGitter(), ["from matrix"]);
    assert.equal(hs.sends.filter((s) => s.content.body === "from matrix").length, 0, "alice's message came back into Matrix");
    assert.equal(await bridge!.stop(), 0);
  });
});
