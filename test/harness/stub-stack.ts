// The bridge process as an operator runs it, against the Gitter emulator and the homeserver stub (no Synapse): for
// integration tests that drive the bridge through homeserver transactions and read what it sent back. Users may be
// seeded as logged in, with control rooms.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import YAML from "yaml";
import type { FixtureData } from "../../emulator/fixture";
import type { Portal } from "../../src/store/store";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import { startHomeserverStub, type HomeserverStub, type HomeserverStubOptions } from "./hs-stub";
import { sample, scrape } from "./prom";
import { openSeeder, seedLogins } from "./seed";
import { eventually, startBridge, writeBridgeFiles, type BridgeFiles, type BridgeProcess } from "./stack";

export const BOT = "@gitter:localhost";

export interface StubStackOptions {
  /** Names the temporary folder and the OAuth client. */
  name: string;
  fixture: FixtureData;
  hs?: HomeserverStubOptions;
  /** Users logged in before the bridge starts (their tokens must be in the fixture for `<name>-client`). */
  logins?: { mxid: string; username: string; token: string }[];
  /** Control rooms by Matrix user. */
  controlRooms?: Record<string, string>;
  /** Registers the bridge as an OAuth app of the emulator, for tests that log in through the pages. */
  oauthApp?: boolean;
  /** Waits until every seeded login is connected and caught up. */
  waitConnected?: boolean;
}

export interface StubStack {
  dir: string;
  emulator: RunningEmulator;
  hs: HomeserverStub;
  files: BridgeFiles;
  bridge: BridgeProcess;
  clientId: string;
  /** Hands the bridge one homeserver transaction (with ephemeral events, when given). */
  push(events: Record<string, unknown>[], ephemeral?: Record<string, unknown>[]): Promise<void>;
  /** Sends `line` as `sender` in `room` and resolves with the bot's answer there. */
  command(sender: string, room: string, line: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startStubStack(opts: StubStackOptions): Promise<StubStack> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `${opts.name}-`));
  const clientId = `${opts.name}-client`;
  const emulator = await startEmulator({ control: true, fixture: opts.fixture });
  const hs = await startHomeserverStub(opts.hs);
  const files = await writeBridgeFiles({ dir, homeserverUrl: hs.url, domain: "localhost", gitterUrl: emulator.url, clientId, clientSecret: "s" });
  if (opts.oauthApp) emulator.state.auth.addApp({ clientId, clientSecret: "s", redirectUri: `http://127.0.0.1:${files.webPort}/oauth/callback`, name: "Bridge" });
  await seed(dir, emulator, opts);
  const bridge = startBridge(files);
  await bridge.waitForLine(/bridge started/);
  if (opts.waitConnected) await connected(files, opts.logins?.length ?? 0);
  const hsToken = (YAML.parse(readFileSync(files.registrationPath, "utf8")) as { hs_token: string }).hs_token;
  let seq = 0;
  const push = (events: Record<string, unknown>[], ephemeral?: Record<string, unknown>[]) => hs.pushTransaction(`http://127.0.0.1:${files.asPort}`, hsToken, events, ephemeral);
  const command = async (sender: string, room: string, line: string): Promise<string> => {
    const before = hs.sends.length;
    await push([{ type: "m.room.message", room_id: room, sender, event_id: `$${opts.name}-${++seq}`, content: { msgtype: "m.text", body: line } }]);
    const answer = await eventually(() => hs.sends.slice(before).find((s) => s.roomId === room && s.userId === BOT), `the answer to ${line}`);
    return String(answer.content.body);
  };
  const stop = async () => {
    await bridge.stop();
    await hs.stop();
    await emulator.stop();
    await rm(dir, { recursive: true, force: true });
  };
  return { dir, emulator, hs, files, bridge, clientId, push, command, stop };
}

async function seed(dir: string, emulator: RunningEmulator, opts: StubStackOptions): Promise<void> {
  const seeder = await openSeeder(dir);
  const logins = (opts.logins ?? []).map((l) => ({ mxid: l.mxid, gitterUserId: emulator.state.findUserByName(l.username)!.id, gitterUsername: l.username, token: l.token }));
  if (logins.length) await seedLogins(seeder, logins);
  for (const [mxid, room] of Object.entries(opts.controlRooms ?? {})) await seeder.store.users.setControlRoom(mxid, room);
  await seeder.store.close();
}

async function connected(files: BridgeFiles, users: number): Promise<void> {
  await eventually(async () => {
    const m = await scrape(`http://127.0.0.1:${files.webPort}`);
    return sample(m, "gitter_bridge_connected_users") === users && sample(m, "gitter_bridge_rooms_catching_up") === 0;
  }, "the users connected and caught up");
}

/** The first portal of `mxid` the bridge of the stack in `dir` stored; fails if there is none yet. */
export async function firstPortal(dir: string, mxid: string): Promise<Portal> {
  const { store } = await openSeeder(dir);
  try {
    const [row] = await store.portals.listPortals(mxid);
    assert.ok(row, `${mxid}'s portal`);
    return row;
  } finally {
    await store.close();
  }
}
