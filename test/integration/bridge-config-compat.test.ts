// A bridge from before `network:` existed, upgraded in place: its config names no network and has no mattermost
// section, its registration is the one that version generated, its database was made by the store of the schema
// as it stands. The new version starts on them as they are: the login resumes, the portal stays where it was, the
// Gitter ghosts keep their ids, and nothing in the database migrates.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import YAML from "yaml";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import { configureLogging } from "../../src/util/log";
import { startHomeserverStub, type HomeserverStub } from "../harness/hs-stub";
import { sample, scrape } from "../harness/prom";
import { openSeeder, seedLogins, seedPortals } from "../harness/seed";
import { eventually, startBridge, writeBridgeFiles, type BridgeFiles, type BridgeProcess } from "../harness/stack";

configureLogging({ level: "warn" });

const ALICE = "@alice:localhost";
const TOKEN = "c".repeat(40);
const PORTAL = "!made-before:localhost";

/** The registration the bridge generated before it served more than one network, for this homeserver. */
function registrationBefore(url: string): Record<string, unknown> {
  return {
    id: "gitter-bridge",
    url,
    as_token: randomBytes(32).toString("hex"),
    hs_token: randomBytes(32).toString("hex"),
    sender_localpart: "gitter",
    rate_limited: false,
    namespaces: {
      users: [
        { exclusive: true, regex: "^@gitter_.*:localhost$" },
        { exclusive: true, regex: "^@gitter:localhost$" },
      ],
      aliases: [],
      rooms: [],
    },
    receive_ephemeral: true,
    "de.sorunome.msc2409.push_ephemeral": true,
  };
}

describe("a config and database made before network: existed", { timeout: 90_000 }, () => {
  let dir: string;
  let emulator: RunningEmulator;
  let hs: HomeserverStub;
  let files: BridgeFiles;
  let bridge: BridgeProcess;
  let roomId: string;
  let migrationsBefore: string[];

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "bridge-config-compat-"));
    emulator = await startEmulator({
      control: true,
      fixture: {
        users: [{ username: "alice" }, { username: "bob" }],
        rooms: [{ uri: "compat/room", members: ["alice", "bob"] }],
        tokens: [{ user: "alice", clientId: "compat-test", token: TOKEN }],
      },
    });
    hs = await startHomeserverStub();
    files = await writeBridgeFiles({ dir, homeserverUrl: hs.url, domain: "localhost", gitterUrl: emulator.url, clientId: "compat-test", clientSecret: "s" });
    writeFileSync(files.registrationPath, YAML.stringify(registrationBefore(`http://127.0.0.1:${files.asPort}`)), { mode: 0o600 });
    roomId = emulator.state.rooms.findByUri("compat/room")!.id;
    const seeder = await openSeeder(dir);
    await seedLogins(seeder, [{ mxid: ALICE, gitterUserId: emulator.state.findUserByName("alice")!.id, gitterUsername: "alice", token: TOKEN }]);
    await seedPortals(seeder.store, [{ mxid: ALICE, gitterRoomId: roomId, matrixRoomId: PORTAL, oneToOne: false, lastGitterMessageId: null }]);
    migrationsBefore = (await seeder.store.migrationStatus()).applied;
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

  it("is a config without network or mattermost keys", () => {
    const config = YAML.parse(readFileSync(files.configPath, "utf8")) as Record<string, unknown>;
    assert.deepEqual(["network", "mattermost"].filter((k) => k in config), []);
    assert.ok("gitter" in config);
  });

  it("resumes the login, and bridges into the portal it had, from the Gitter ghost it had", async () => {
    await eventually(async () => {
      const m = await scrape(`http://127.0.0.1:${files.webPort}`);
      return sample(m, "gitter_bridge_connected_users") === 1 && sample(m, "gitter_bridge_rooms_catching_up") === 0;
    }, "alice connected and caught up");
    const res = await fetch(`${emulator.url}/_emulator/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ user: "bob", room: "compat/room", text: "still here" }),
    });
    assert.equal(res.status, 200);
    const sent = await eventually(() => hs.sends.find((s) => s.content.body === "still here"), "bob's message in Matrix");
    assert.deepEqual([sent.roomId, sent.userId], [PORTAL, "@gitter_bob:localhost"]);
    assert.equal(hs.counts.get("createRoom") ?? 0, 0, "no portal made anew");
  });

  it("leaves the database's schema and rows as they were", async () => {
    assert.equal(await bridge.stop(), 0);
    const { store } = await openSeeder(dir);
    try {
      const status = await store.migrationStatus();
      assert.deepEqual([status.current, status.applied], [true, migrationsBefore]);
      const portals = await store.portals.listPortals(ALICE);
      assert.deepEqual(portals.map((p) => [p.gitterRoomId, p.matrixRoomId]), [[roomId, PORTAL]]);
      assert.equal((await store.users.getUser(ALICE))?.gitterUsername, "alice");
    } finally {
      await store.close();
    }
  });
});
