// The whole stack with Matrix users already logged in to Gitter through the bridge and joined to their portals:
// the emulator (in this process, control API on), a real Synapse, the bridge as a child process. For e2e tests
// and benchmarks that are about what happens after login (faults, crashes, revoked tokens).
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { LogService } from "matrix-bot-sdk";
import YAML from "yaml";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import type { FixtureData } from "../../emulator/fixture";
import type { MatrixUser } from "./matrix-user";
import { sendLoginCode, walkOAuth } from "./oauth-http";
import { freePort } from "./ports";
import { writeBridgeFiles, type BridgeFiles, type BridgeProcess } from "./stack";
import { bridgeControls, controlCall, loginLinkIn, matrixUserWithControlRoom, startListeningBridge, stopStarted } from "./stack-common";
import { startSynapse, type SynapseHandle } from "./synapse";

export const BOT = "@gitter:localhost";
const CLIENT_ID = "stack-bridge";
const CLIENT_SECRET = "stack-bridge-secret";

export interface StackUserSpec {
  /** Matrix localpart; the Matrix password is derived from it. */
  localpart: string;
  gitterUsername: string;
  gitterPassword: string;
  /** Gitter room uris whose portals to wait for and join. */
  rooms: string[];
}

export interface BridgedUser {
  matrix: MatrixUser;
  controlRoom: string;
  /** Gitter room uri -> the user's portal (Matrix room id). */
  portals: Map<string, string>;
}

export interface BridgedStack {
  dir: string;
  emulator: RunningEmulator;
  synapse: SynapseHandle;
  files: BridgeFiles;
  bridge: BridgeProcess;
  users: Map<string, BridgedUser>;
  /** Every line printed by every bridge process so far, for post-mortems. */
  bridgeLines(): string[];
  /** Calls the emulator's control API; rejects on a non-2xx answer. */
  control(p: string, init?: { method?: string; body?: unknown }): Promise<unknown>;
  postAs(user: string, room: string, text: string): Promise<{ id: string }>;
  /** Starts a new bridge process (the old one must have exited) without waiting for it. */
  spawnBridge(): void;
  /** Starts a new bridge process (the old one must have exited) and waits until it listens. */
  restartBridge(): Promise<void>;
  stop(): Promise<void>;
}

export interface StackOptions {
  fixture: FixtureData;
  users: StackUserSpec[];
  /** Prefix of the temporary folder and of the Synapse instance name. */
  name: string;
  logLevel?: "debug" | "info";
  /** The bridge's `database` URL; defaults to an SQLite file in the stack's folder. */
  database?: string;
  /** Extra node flags for every bridge process (e.g. --cpu-prof for a benchmark's profile). */
  bridgeNodeArgs?: string[];
  /** Where Synapse is to reach the bridge's appservice port (`asPort`), e.g. a proxy in the test; default directly. */
  appserviceUrl?: (asPort: number) => Promise<string>;
}

/** Starts everything and logs every user in. On failure, whatever was started is stopped again. */
export async function startBridgedStack(opts: StackOptions): Promise<BridgedStack> {
  // Requests fail on purpose in these tests (Synapse restarts); the client library would print each one.
  LogService.muteModule("MatrixHttpClient");
  const dir = await mkdtemp(path.join(os.tmpdir(), `${opts.name}-`));
  const parts: Partial<BridgedStack> & { dir: string; users: Map<string, BridgedUser> } = { dir, users: new Map() };
  try {
    await startParts(parts, opts);
    return finish(parts as Required<typeof parts>, opts.bridgeNodeArgs);
  } catch (err) {
    await stopParts(parts);
    throw err;
  }
}

async function startParts(p: Partial<BridgedStack> & { dir: string; users: Map<string, BridgedUser> }, opts: StackOptions): Promise<void> {
  p.emulator = await startEmulator({ fixture: opts.fixture, control: true, rateLimit: 100_000 });
  const hsPort = await freePort();
  p.files = await writeBridgeFiles({
    dir: p.dir,
    homeserverUrl: `http://127.0.0.1:${hsPort}`,
    domain: "localhost",
    gitterUrl: p.emulator.url,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    logLevel: opts.logLevel,
    database: opts.database,
  });
  if (opts.appserviceUrl) await pointRegistration(p.files.registrationPath, await opts.appserviceUrl(p.files.asPort));
  p.synapse = await startSynapse({ registrationPath: p.files.registrationPath, port: hsPort, name: `${opts.name}-${process.pid}` });
  await controlCall(p.emulator.url, "/oauth-apps", {
    method: "POST",
    body: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUri: `http://127.0.0.1:${p.files.webPort}/oauth/callback`, name: "Bridge" },
  });
  p.bridge = await startListeningBridge(p.files, opts.bridgeNodeArgs);
  for (const spec of opts.users) p.users.set(spec.localpart, await logIn(p.synapse, spec));
}

/** Rewrites the registration's url, which only the homeserver reads (the bridge listens where its config says). */
async function pointRegistration(file: string, url: string): Promise<void> {
  const registration = YAML.parse(await readFile(file, "utf8")) as Record<string, unknown>;
  await writeFile(file, YAML.stringify({ ...registration, url }));
}

async function logIn(synapse: SynapseHandle, spec: StackUserSpec): Promise<BridgedUser> {
  const { matrix, controlRoom, greeting } = await matrixUserWithControlRoom(synapse, spec.localpart, BOT, /log in with Gitter/);
  const page = await walkOAuth(loginLinkIn(greeting), { username: spec.gitterUsername, password: spec.gitterPassword });
  await sendLoginCode(page, (text) => matrix.client.sendText(controlRoom, text));
  await matrix.waitForMessage(controlRoom, BOT, /logged in to Gitter as/);
  const portals = new Map<string, string>();
  for (const uri of spec.rooms) {
    const roomId = await matrix.waitForInvite((i) => i.name === uri, 60_000);
    await matrix.client.joinRoom(roomId);
    portals.set(uri, roomId);
  }
  return { matrix, controlRoom, portals };
}

type Methods = "bridgeLines" | "control" | "postAs" | "spawnBridge" | "restartBridge" | "stop";

function finish(p: Required<Omit<BridgedStack, Methods>>, nodeArgs?: string[]): BridgedStack {
  const { saveBridgeLog, ...controls } = bridgeControls(() => stack, nodeArgs);
  const stack: BridgedStack = {
    ...p,
    ...controls,
    control: (route, init) => controlCall(p.emulator.url, route, init),
    postAs: (user, room, text) => controlCall(p.emulator.url, "/messages", { method: "POST", body: { user, room, text } }) as Promise<{ id: string }>,
    stop: async () => {
      await saveBridgeLog();
      await stopParts(stack);
    },
  };
  return stack;
}

function stopParts(p: Partial<BridgedStack> & { dir: string; users: Map<string, BridgedUser> }): Promise<void> {
  return stopStarted({ ...p, matrixUsers: [...p.users.values()].map((u) => u.matrix) });
}
