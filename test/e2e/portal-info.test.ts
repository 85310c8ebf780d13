// What a portal tells clients and what the bridge tells its operator, on real parts: bridge info state in the
// portals (set at creation, put back on start), and the bridge's debug log of bridged messages.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { isDeepStrictEqual } from "node:util";
import { MatrixClient } from "matrix-bot-sdk";
import YAML from "yaml";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import { launchBrowser } from "../harness/browser";
import { freePort } from "../harness/ports";
import { MatrixUser } from "../harness/matrix-user";
import { openSeeder } from "../harness/seed";
import { eventually, startBridge, writeBridgeFiles, type BridgeFiles, type BridgeProcess } from "../harness/stack";
import { startSynapse, type SynapseHandle } from "../harness/synapse";

const BOT = "@gitter:localhost";
const ALICE = "@alice:localhost";
const TYPES = ["m.bridge", "uk.half-shot.bridge"];

interface GitterRoomJson {
  id: string;
  name: string;
  uri?: string;
  oneToOne: boolean;
  user?: { username: string };
}

describe("portal bridge info and message logs", { timeout: 240_000 }, () => {
  let dir: string;
  let emulator: RunningEmulator;
  let synapse: SynapseHandle;
  let files: BridgeFiles;
  let bridge: BridgeProcess;
  let alice: MatrixUser;
  let gitterRooms: GitterRoomJson[];
  let aliceGitterToken: string;
  const portals = new Map<string, string>(); // "lobby" | "bob" -> Matrix room id

  const control = (p: string, body?: unknown) =>
    fetch(`${emulator.url}/_emulator${p}`, {
      method: body === undefined ? "GET" : "POST",
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then(async (r) => {
      assert.ok(r.ok, `${p}: ${r.status}`);
      return r.json() as Promise<Record<string, unknown>>;
    });

  function expected(room: GitterRoomJson): Record<string, unknown> {
    const channelPath = room.uri ?? room.user!.username;
    return {
      bridgebot: BOT,
      creator: ALICE,
      protocol: { id: "gitter", displayname: "Gitter", external_url: "https://gitter.im" },
      ...(room.uri ? { network: { id: "gitter-demo", displayname: "gitter-demo", external_url: "https://gitter.im/gitter-demo" } } : {}),
      channel: { id: room.id, displayname: room.name, external_url: `https://gitter.im/${channelPath}` },
    };
  }

  async function bridgeInfo(roomId: string): Promise<Array<{ type: string; state_key: string; content: unknown }>> {
    const state = (await alice.client.getRoomState(roomId)) as Array<{ type: string; state_key: string; content: unknown }>;
    return state.filter((e) => TYPES.includes(e.type)).sort((a, b) => a.type.localeCompare(b.type));
  }

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "portal-info-"));
    emulator = await startEmulator({ fixture: path.resolve(__dirname, "../../fixtures/demo.yaml"), control: true });
    const hsPort = await freePort();
    const app = { clientId: "info-test", clientSecret: "info-test-secret" };
    files = await writeBridgeFiles({ dir, homeserverUrl: `http://127.0.0.1:${hsPort}`, domain: "localhost", gitterUrl: emulator.url, ...app, logLevel: "debug" });
    synapse = await startSynapse({ registrationPath: files.registrationPath, port: hsPort });
    await control("/oauth-apps", { ...app, redirectUri: `http://127.0.0.1:${files.webPort}/oauth/callback` });
    bridge = startBridge(files);
    await bridge.waitForLine(/bridge started/);
    const account = await synapse.registerUser("alice", "alice-matrix-pass");
    alice = new MatrixUser(new MatrixClient(synapse.url, account.accessToken), account.userId);
    await alice.start();
    await logIn();
    // The emulator, like Gitter, keeps one token per user and app: this is the token the bridge holds.
    aliceGitterToken = String((await control("/tokens", { user: "alice", clientId: app.clientId })).access_token);
    const res = await fetch(`${emulator.url}/v1/rooms`, { headers: { authorization: `Bearer ${aliceGitterToken}` } });
    gitterRooms = (await res.json()) as GitterRoomJson[];
  });

  async function logIn(): Promise<void> {
    const controlRoom = await alice.client.createRoom({ invite: [BOT], is_direct: true, preset: "trusted_private_chat" });
    const greeting = await alice.waitForMessage(controlRoom, BOT, /log in with Gitter/);
    const link = /(http:\/\/127\.0\.0\.1:\d+\/login\?state=\S+)/.exec(greeting.body)![1];
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await page.goto(link);
      await page.click("button[type=submit]");
      await page.fill("#username", "alice");
      await page.fill("#password", "alice-pass");
      await page.click("button[type=submit]");
      await page.click("button[value=approve]");
      await page.waitForURL(/\/oauth\/callback/);
      await alice.client.sendText(controlRoom, (await page.textContent("#login-code"))!);
    } finally {
      await browser.close();
    }
    await alice.waitForMessage(controlRoom, BOT, /logged in to Gitter as alice/);
  }

  after(async () => {
    await alice?.stop();
    await bridge?.stop();
    await synapse?.stop();
    await emulator?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("sets m.bridge and uk.half-shot.bridge in each new portal, one state key per Gitter room", async () => {
    portals.set("lobby", await alice.waitForInvite((i) => i.name === "gitter-demo/lobby"));
    portals.set("bob", await alice.waitForInvite((i) => i.isDirect && i.inviter === "@gitter_bob:localhost"));
    const lobbyRoom = gitterRooms.find((r) => r.uri === "gitter-demo/lobby")!;
    const bobRoom = gitterRooms.find((r) => r.oneToOne && r.user?.username === "bob")!;
    for (const [key, room] of [["lobby", lobbyRoom], ["bob", bobRoom]] as const) {
      const roomId = portals.get(key)!;
      await alice.client.joinRoom(roomId);
      const events = await bridgeInfo(roomId);
      assert.deepEqual(events.map((e) => [e.type, e.state_key]), [
        ["m.bridge", `gitter://gitter/${room.id}`],
        ["uk.half-shot.bridge", `gitter://gitter/${room.id}`],
      ]);
      for (const e of events) assert.deepEqual(e.content, expected(room), `${key} ${e.type}`);
    }
  });

  it("puts the bridge info back on start where an older bridge left it missing or stale", async () => {
    const lobby = portals.get("lobby")!;
    const key = (await bridgeInfo(lobby))[0].state_key;
    // Only the bridge may change a portal's state: alice cannot touch the bridge info.
    await assert.rejects(alice.client.sendStateEvent(lobby, TYPES[0], key, {}), /M_FORBIDDEN|403/);
    // The bot spoils both events here, as an older bridge would have left them.
    const reg = YAML.parse(await readFile(files.registrationPath, "utf8")) as { as_token: string };
    const bot = new MatrixClient(synapse.url, reg.as_token);
    for (const type of TYPES) await bot.sendStateEvent(lobby, type, key, {});
    assert.deepEqual((await bridgeInfo(lobby)).map((e) => e.content), [{}, {}]);
    assert.equal(await bridge.stop(), 0);
    // An older bridge kept no record of the bridge info it wrote; this one reads the state where it has none.
    const { store } = await openSeeder(dir);
    try {
      for (const p of await store.portals.listPortals(ALICE)) await store.portals.putPortal({ ...p, bridgeInfoHash: null });
    } finally {
      await store.close();
    }
    bridge = startBridge(files);
    await bridge.waitForLine(/bridge started/);
    const lobbyRoom = gitterRooms.find((r) => r.uri === "gitter-demo/lobby")!;
    await eventually(async () => {
      const events = await bridgeInfo(lobby);
      return events.length === 2 && events.every((e) => isDeepStrictEqual(e.content, expected(lobbyRoom)));
    }, "the bridge info back in the lobby");
  });

  it("logs exactly one debug line per bridged message in each direction, as JSON, without tokens", async () => {
    const lobby = portals.get("lobby")!;
    const posted = await control("/messages", { user: "bob", room: "gitter-demo/lobby", text: "log probe from Gitter" });
    const seen = await alice.waitForMessage(lobby, "@gitter_bob:localhost", /log probe from Gitter/);
    const eventId = await alice.client.sendText(lobby, "log probe from Matrix");
    await eventually(async () => {
      const log = (await control("/messages?room=gitter-demo/lobby")) as unknown as Array<{ text: string }>;
      return log.some((m) => m.text === "log probe from Matrix");
    }, "the message on Gitter");
    const gitterId = String(posted.id);
    const mentioning = (id: string) => bridge.lines.filter((l) => l.includes(id));
    await eventually(() => mentioning(gitterId).length > 0 && mentioning(eventId).length > 0, "both log lines");
    await new Promise((r) => setTimeout(r, 500)); // a duplicate line, if one were coming, would be written by now
    assert.deepEqual(oneLine(mentioning(gitterId)), { level: "debug", msg: "bridged to Matrix", event: seen.eventId });
    assert.deepEqual(oneLine(mentioning(eventId)), { level: "debug", msg: "bridged to Gitter", event: eventId });

    const reg = YAML.parse(await readFile(files.registrationPath, "utf8")) as { as_token: string; hs_token: string };
    for (const line of bridge.lines) {
      assert.doesNotThrow(() => JSON.parse(line), `not JSON: ${line}`);
      for (const secret of [reg.as_token, reg.hs_token, aliceGitterToken, "info-test-secret"]) assert.ok(!line.includes(secret), `a secret in: ${line}`);
    }
  });
});

function oneLine(lines: string[]): { level: unknown; msg: unknown; event: unknown } {
  assert.equal(lines.length, 1, lines.join("\n"));
  const record = JSON.parse(lines[0]) as Record<string, unknown>;
  return { level: record.level, msg: record.msg, event: record.event };
}
