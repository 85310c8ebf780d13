// A bridge configured `network: mattermost`, started as an operator starts it, against the Mattermost emulator and
// the homeserver stub: it registers its own bot and ghosts, answers its bot's commands, resumes a stored Mattermost
// login, and its doctor checks Mattermost's endpoints instead of Gitter's.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import YAML from "yaml";
import { startMattermostEmulator, type RunningMmEmulator } from "../../emulator/mattermost/server";
import { loadRegistration } from "../../src/config/registration";
import { configureLogging } from "../../src/util/log";
import { startHomeserverStub, type HomeserverStub } from "../harness/hs-stub";
import { sample, scrape } from "../harness/prom";
import { openSeeder, seedLogins } from "../harness/seed";
import { eventually, startBridge, writeBridgeFiles, type BridgeFiles, type BridgeProcess } from "../harness/stack";
import { ALICE, MM_FIXTURE } from "./mm-emulator-helpers";

configureLogging({ level: "warn" });

const BOT = "@mattermost:localhost";
const ADMIN = "@admin:localhost";
const USER = "@alice:localhost";
const ROOMS = { [ADMIN]: "!admin-control:localhost", [USER]: "!alice-control:localhost" };
const OLD_LINK = "made-while-the-bridge-had-an-oauth-app";

describe("a bridge serving Mattermost", { timeout: 90_000 }, () => {
  let dir: string;
  let mm: RunningMmEmulator;
  let hs: HomeserverStub;
  let files: BridgeFiles;
  let bridge: BridgeProcess;
  let seq = 0;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "bridge-mattermost-"));
    mm = await startMattermostEmulator({ fixture: MM_FIXTURE, control: true, rateLimit: false });
    hs = await startHomeserverStub();
    const permissions = { localhost: "user", [ADMIN]: "admin" };
    files = await writeBridgeFiles({ dir, homeserverUrl: hs.url, domain: "localhost", mattermostUrl: mm.url, permissions });
    const seeder = await openSeeder(dir);
    await seedLogins(seeder, [{ mxid: USER, gitterUserId: mm.state.userByName("alice")!.id, gitterUsername: "alice", token: ALICE }]);
    for (const [mxid, room] of Object.entries(ROOMS)) await seeder.store.users.setControlRoom(mxid, room);
    // A login link made while the bridge had an OAuth app on the server (it has none now).
    await seeder.store.oauthStates.createState(OLD_LINK, USER, Date.now() + 600_000);
    await seeder.store.close();
    bridge = startBridge(files);
    await bridge.waitForLine(/bridge started/);
  });

  after(async () => {
    await bridge?.stop();
    await hs?.stop();
    await mm?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  /** Sends `line` to the bot as `sender` in their control room and resolves with the bot's answer. */
  async function command(sender: keyof typeof ROOMS, line: string): Promise<string> {
    const before = hs.sends.length;
    const room = ROOMS[sender];
    const hsToken = (YAML.parse(readFileSync(files.registrationPath, "utf8")) as { hs_token: string }).hs_token;
    const event = { type: "m.room.message", room_id: room, sender, event_id: `$mm-${++seq}`, content: { msgtype: "m.text", body: line } };
    await hs.pushTransaction(`http://127.0.0.1:${files.asPort}`, hsToken, [event]);
    const answer = await eventually(() => hs.sends.slice(before).find((s) => s.roomId === room && s.userId === BOT), `the answer to ${line}`);
    return String(answer.content.body);
  }

  it("has a registration of its own: its id, its bot, its ghosts", () => {
    const reg = loadRegistration(files.registrationPath);
    assert.equal(reg.id, "mattermost-bridge");
    assert.equal(reg.sender_localpart, "mattermost");
    assert.deepEqual(reg.namespaces.users.map((ns) => ns.regex), ["^@mattermost_.*:localhost$", "^@mattermost:localhost$"]);
    assert.ok(hs.requests.some((r) => r.includes(`/profile/${encodeURIComponent(BOT)}/displayname`) || r.includes(`/profile/${BOT}/displayname`)), "the bot's name was set");
  });

  it("answers help from its own bot", async () => {
    assert.match(await command(USER, "help"), /^help\b.*$/m);
  });

  it("resumes the stored Mattermost login, and status says it is connected", async () => {
    await eventually(async () => sample(await scrape(`http://127.0.0.1:${files.webPort}`), "gitter_bridge_connected_users") === 1, "alice connected");
    const status = await command(USER, "status");
    assert.match(status, /^Logged in to Mattermost as alice\b/);
    assert.match(status, /Connection: connected\b/);
  });

  it("checks Mattermost's endpoints in its doctor, and no Gitter ones", async () => {
    const report = await command(ADMIN, "doctor");
    assert.match(report, /Mattermost API answers/);
    assert.match(report, /Mattermost login page answers/);
    assert.doesNotMatch(report, /Gitter/);
  });

  it("without an OAuth app on the server, offers the token login and turns off a link made earlier", async () => {
    assert.match(await command(USER, "login"), /login token/);
    const web = `http://127.0.0.1:${files.webPort}`;
    const shown = await fetch(`${web}/login?state=${OLD_LINK}`);
    assert.equal(shown.status, 410);
    assert.match(await shown.text(), /Login links are turned off/);
    const go = await fetch(`${web}/login`, { method: "POST", body: new URLSearchParams({ state: OLD_LINK }), redirect: "manual" });
    assert.equal(go.status, 410, "the browser is sent nowhere");
    assert.equal(go.headers.get("location"), null);
  });
});
