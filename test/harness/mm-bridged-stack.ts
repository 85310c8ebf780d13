// The whole stack on Mattermost, with Matrix users already logged in through the bridge and joined to their portals:
// the Mattermost emulator (in this process, control API on, rate limit off), a real Synapse, the bridge as a child
// process serving `network: mattermost`. Each user logs in as a person would on a server without the bridge's OAuth
// app: `login token <token>` to the bot, with a personal access token the emulator issued. The Mattermost twin of
// bridged-stack.ts, for e2e tests about what happens after login (crashes, faults).
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { LogService, MatrixClient } from "matrix-bot-sdk";
import type { FixtureData } from "../../emulator/mattermost/fixture";
import { startMattermostEmulator, type RunningMmEmulator } from "../../emulator/mattermost/server";
import type { BridgedUser } from "./bridged-stack";
import { MatrixUser } from "./matrix-user";
import { freePort } from "./ports";
import { startBridge, writeBridgeFiles, type BridgeFiles, type BridgeProcess } from "./stack";
import { startSynapse, type SynapseHandle } from "./synapse";

export const MM_BOT = "@mattermost:localhost";

export interface MmStackUserSpec {
  /** Matrix localpart; the Matrix password is derived from it. */
  localpart: string;
  mattermostUsername: string;
  /** Channels ("team/name") whose portals to wait for and join. */
  channels: string[];
}

export interface MmBridgedStack {
  dir: string;
  emulator: RunningMmEmulator;
  synapse: SynapseHandle;
  files: BridgeFiles;
  bridge: BridgeProcess;
  /** `portals` maps "team/name" to the user's portal. */
  users: Map<string, BridgedUser>;
  bridgeLines(): string[];
  /** Calls the emulator's control API; rejects on a non-2xx answer. */
  control(p: string, init?: { method?: string; body?: unknown }): Promise<unknown>;
  /** Starts a new bridge process (the old one must have exited) without waiting for it. */
  spawnBridge(): void;
  stop(): Promise<void>;
}

export interface MmStackOptions {
  fixture: FixtureData;
  users: MmStackUserSpec[];
  /** Prefix of the temporary folder and of the Synapse instance name. */
  name: string;
  logLevel?: "debug" | "info";
  /** The bridge's `database` URL; defaults to an SQLite file in the stack's folder. */
  database?: string;
}

type Parts = Partial<MmBridgedStack> & { dir: string; users: Map<string, BridgedUser>; earlier: string[][] };

/** Starts everything and logs every user in. On failure, whatever was started is stopped again. */
export async function startMmBridgedStack(opts: MmStackOptions): Promise<MmBridgedStack> {
  LogService.muteModule("MatrixHttpClient");
  const dir = await mkdtemp(path.join(os.tmpdir(), `${opts.name}-`));
  const p: Parts = { dir, users: new Map(), earlier: [] };
  try {
    p.emulator = await startMattermostEmulator({ fixture: opts.fixture, control: true, rateLimit: false });
    const hsPort = await freePort();
    const homeserverUrl = `http://127.0.0.1:${hsPort}`;
    p.files = await writeBridgeFiles({ dir, homeserverUrl, domain: "localhost", mattermostUrl: p.emulator.url, logLevel: opts.logLevel, database: opts.database });
    p.synapse = await startSynapse({ registrationPath: p.files.registrationPath, port: hsPort, name: `${opts.name}-${process.pid}` });
    p.bridge = startBridge(p.files);
    await p.bridge.waitForLine(/bridge started/);
    const emulator = p.emulator;
    for (const spec of opts.users) p.users.set(spec.localpart, await logIn(p.synapse, emulator, spec));
    return finish(p as Required<Parts>);
  } catch (err) {
    await stopParts(p);
    throw err;
  }
}

async function logIn(synapse: SynapseHandle, emulator: RunningMmEmulator, spec: MmStackUserSpec): Promise<BridgedUser> {
  const account = await synapse.registerUser(spec.localpart, `${spec.localpart}-matrix-pass`);
  const matrix = new MatrixUser(new MatrixClient(synapse.url, account.accessToken), account.userId);
  await matrix.start();
  const controlRoom = await matrix.client.createRoom({ invite: [MM_BOT], is_direct: true, preset: "trusted_private_chat" });
  await matrix.waitForMessage(controlRoom, MM_BOT, /log in/i);
  const { token } = (await controlCall(emulator, "/tokens", { method: "POST", body: { user: spec.mattermostUsername } })) as { token: string };
  await matrix.client.sendText(controlRoom, `login token ${token}`);
  await matrix.waitForMessage(controlRoom, MM_BOT, /Token accepted/, 60_000);
  const portals = new Map<string, string>();
  for (const ref of spec.channels) {
    const name = channelDisplayName(emulator, ref);
    const roomId = await matrix.waitForInvite((i) => i.name === name || i.name?.startsWith(`${name} (`) === true, 60_000);
    await matrix.client.joinRoom(roomId);
    portals.set(ref, roomId);
  }
  return { matrix, controlRoom, portals };
}

function channelDisplayName(emulator: RunningMmEmulator, ref: string): string {
  const [team, name] = ref.split("/");
  const t = [...emulator.state.teams.values()].find((x) => x.name === team);
  const c = [...emulator.state.channels.values()].find((x) => x.team_id === t?.id && x.name === name);
  if (!c) throw new Error(`no channel ${ref} in the fixture`);
  return c.display_name;
}

function finish(p: Required<Parts>): MmBridgedStack {
  const stack: MmBridgedStack = {
    ...p,
    bridgeLines: () => [...p.earlier.flat(), ...stack.bridge.lines],
    control: (route, init) => controlCall(p.emulator, route, init),
    spawnBridge: () => {
      p.earlier.push(stack.bridge.lines);
      stack.bridge = startBridge(p.files);
    },
    stop: async () => {
      await writeFile(path.join(p.dir, "bridge.log"), stack.bridgeLines().join("\n")).catch(() => undefined);
      await stopParts(stack);
    },
  };
  return stack;
}

async function stopParts(p: Partial<MmBridgedStack> & { dir: string; users: Map<string, BridgedUser> }): Promise<void> {
  for (const u of p.users.values()) await u.matrix.stop().catch(() => undefined);
  await p.bridge?.stop().catch(() => undefined);
  await p.synapse?.stop().catch(() => undefined);
  await p.emulator?.stop().catch(() => undefined);
  if (!process.env.KEEP_STACK_DIR) await rm(p.dir, { recursive: true, force: true });
}

async function controlCall(emulator: RunningMmEmulator, route: string, init: { method?: string; body?: unknown } = {}): Promise<unknown> {
  const res = await fetch(`${emulator.url}/_emulator${route}`, {
    method: init.method ?? "GET",
    headers: { "content-type": "application/json" },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${route}: ${res.status} ${text}`);
  return text ? (JSON.parse(text) as unknown) : null;
}
