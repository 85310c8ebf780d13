// The bridge process against the Gitter emulator and a no-op homeserver: /metrics counts what it bridges in
// each direction (with lag), failures by reason and connected users; /ready follows the homeserver.
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
const TOKEN = "a".repeat(40);

describe("bridge metrics and readiness", { timeout: 90_000 }, () => {
  let dir: string;
  let emulator: RunningEmulator;
  let hs: HomeserverStub;
  let files: BridgeFiles;
  let bridge: BridgeProcess;
  let webUrl: string;
  let hsToken: string;
  let portalRoom: string;

  const metrics = async (name: string, labels: Record<string, string> = {}) => sample(await scrape(webUrl), name, labels);
  const gitterLog = async () =>
    (await (await fetch(`${emulator.url}/_emulator/messages?room=metrics/room`)).json()) as Array<{ text: string; fromUser: { username: string } }>;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "bridge-metrics-"));
    emulator = await startEmulator({
      control: true,
      fixture: {
        users: [{ username: "alice" }, { username: "bob", displayName: "Bob Brown" }],
        rooms: [{ uri: "metrics/room", members: ["alice", "bob"] }],
        tokens: [{ user: "alice", clientId: "metrics-test", token: TOKEN }],
      },
    });
    hs = await startHomeserverStub();
    files = await writeBridgeFiles({ dir, homeserverUrl: hs.url, domain: "localhost", gitterUrl: emulator.url, clientId: "metrics-test", clientSecret: "s" });
    hsToken = (YAML.parse(readFileSync(files.registrationPath, "utf8")) as { hs_token: string }).hs_token;
    const seeder = await openSeeder(dir);
    const alice = emulator.state.findUserByName("alice")!;
    await seedLogins(seeder, [{ mxid: ALICE, gitterUserId: alice.id, gitterUsername: "alice", token: TOKEN }]);
    await seeder.store.close();
    bridge = startBridge(files);
    await bridge.waitForLine(/bridge started/);
    webUrl = `http://127.0.0.1:${files.webPort}`;
  });

  after(async () => {
    await bridge?.stop();
    await hs?.stop();
    await emulator?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("reports the resumed user as connected once their rooms are live", async () => {
    await eventually(async () => (await metrics("gitter_bridge_connected_users")) === 1, "one connected user");
    await eventually(async () => (await metrics("gitter_bridge_rooms_catching_up")) === 0, "rooms caught up");
    const created = await eventually(() => hs.counts.get("createRoom"), "the portal created on the homeserver");
    assert.equal(created, 1);
    const { store } = await openSeeder(dir);
    try {
      portalRoom = (await store.portals.listPortals(ALICE))[0].matrixRoomId;
    } finally {
      await store.close();
    }
    assert.equal(await metrics("gitter_bridge_messages_total", { direction: "gitter-to-matrix" }), 0);
  });

  it("counts a Gitter message bridged into Matrix, with its lag", async () => {
    const posted = await fetch(`${emulator.url}/_emulator/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ user: "bob", room: "metrics/room", text: "hello from gitter" }),
    });
    assert.equal(posted.status, 200);
    const sent = await eventually(() => hs.sends.find((s) => s.content.body === "hello from gitter"), "the message on the homeserver");
    assert.equal(sent.roomId, portalRoom);
    assert.equal(sent.userId, "@gitter_bob:localhost");
    await eventually(async () => (await metrics("gitter_bridge_messages_total", { direction: "gitter-to-matrix" })) === 1, "the counter");
    assert.equal(await metrics("gitter_bridge_message_lag_seconds_count", { direction: "gitter-to-matrix" }), 1);
  });

  it("counts the user's Matrix message bridged to Gitter, and refusals by reason", async () => {
    const event = (body: string) => ({ type: "m.room.message", room_id: portalRoom, sender: ALICE, content: { msgtype: "m.text", body } });
    await hs.pushTransaction(`http://127.0.0.1:${files.asPort}`, hsToken, [event("hello from matrix"), event("x".repeat(20_000))]);
    await eventually(async () => (await gitterLog()).some((m) => m.fromUser.username === "alice" && m.text === "hello from matrix"), "the message on Gitter");
    await eventually(async () => (await metrics("gitter_bridge_messages_total", { direction: "matrix-to-gitter" })) === 1, "the counter");
    assert.equal(await metrics("gitter_bridge_message_lag_seconds_count", { direction: "matrix-to-gitter" }), 1);
    await eventually(
      async () => (await metrics("gitter_bridge_message_failures_total", { direction: "matrix-to-gitter", reason: "too_long" })) === 1,
      "the refusal counted",
    );
    assert.equal(await metrics("gitter_bridge_inbox_pending_events"), 0);
    // The echo of alice's own message comes back over Faye and is dropped, not bridged again.
    assert.equal(await metrics("gitter_bridge_messages_total", { direction: "gitter-to-matrix" }), 1);
  });

  it("is ready while the database and homeserver answer, and not once the homeserver is gone", async () => {
    const ready = await fetch(`${webUrl}/ready`);
    assert.equal(ready.status, 200);
    const body = (await ready.json()) as { checks: Record<string, { ok: boolean }> };
    assert.deepEqual(Object.keys(body.checks).sort(), ["database", "homeserver"]);
    await hs.stop();
    const down = await fetch(`${webUrl}/ready`);
    assert.equal(down.status, 503);
    const detail = (await down.json()) as { ready: boolean; checks: Record<string, { ok: boolean; error?: string }> };
    assert.equal(detail.checks.database.ok, true);
    assert.equal(detail.checks.homeserver.ok, false);
    assert.match(detail.checks.homeserver.error ?? "", /failed/);
    assert.equal((await fetch(`${webUrl}/health`)).status, 200, "the process itself is still up");
  });
});
