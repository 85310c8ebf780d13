// The whole Mattermost stack for e2e tests: the Mattermost emulator in this process (control API on, the bridge's
// OAuth app registered), a real Synapse, and the bridge as a child process configured `network: mattermost`.
// Users log in as a person would: through the OAuth link in a browser (see mm-login.ts) or, by default, with
// `login token <token>` sent to the bot, and are then joined to the portals they wait for.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { LogService, MatrixClient } from "matrix-bot-sdk";
import type { FixtureData } from "../../emulator/mattermost/fixture";
import { startMattermostEmulator, type RunningMmEmulator } from "../../emulator/mattermost/server";
import { MatrixUser } from "./matrix-user";
import { freePort } from "./ports";
import { startBridge, writeBridgeFiles, type BridgeFiles, type BridgeProcess } from "./stack";
import { startSynapse, type SynapseHandle } from "./synapse";

export const MM_BOT = "@mattermost:localhost";
export const MM_CLIENT_ID = "bridgeappbridgeappbridgeap";
const CLIENT_SECRET = "mm-stack-bridge-secret";

/** The ghost of a Mattermost user on this stack's homeserver. */
export const mmGhost = (username: string): string => `@mattermost_${username}:localhost`;

export interface MmStackOptions {
  fixture: FixtureData;
  /** Prefix of the temporary folder and of the Synapse instance name. */
  name: string;
  logLevel?: "debug" | "info";
}

export interface MmMatrixUser {
  matrix: MatrixUser;
  controlRoom: string;
}

export interface MmStack {
  dir: string;
  emulator: RunningMmEmulator;
  synapse: SynapseHandle;
  files: BridgeFiles;
  bridge: BridgeProcess;
  bridgeLines(): string[];
  /** Calls the emulator's control API; rejects on a non-2xx answer. */
  control<T = unknown>(route: string, init?: { method?: string; body?: unknown }): Promise<T>;
  /** Posts `message` as `as` in `channel` ("team/name", "alice,bob" or an id); resolves with the post. */
  postAs(as: string, channel: string, message: string, rootId?: string): Promise<{ id: string; channel_id: string }>;
  /** A Matrix account with its /sync loop running and a control room with the bot, greeted with a login link. */
  newMatrixUser(localpart: string): Promise<MmMatrixUser & { loginLink: string }>;
  /** Logs `user` in with a personal access token sent to the bot, and waits until the bridge says so. */
  loginWithToken(user: MmMatrixUser, token: string, username: string): Promise<void>;
  /** Starts a new bridge process (the old one must have exited) and waits until it listens. */
  restartBridge(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts everything. On failure, whatever was started is stopped again. */
export async function startMmStack(opts: MmStackOptions): Promise<MmStack> {
  LogService.muteModule("MatrixHttpClient");
  const dir = await mkdtemp(path.join(os.tmpdir(), `${opts.name}-`));
  const parts: Parts = { dir, users: [], earlier: [] };
  try {
    await startParts(parts, opts);
    return finish(parts as Required<Parts>);
  } catch (err) {
    await stopParts(parts);
    throw err;
  }
}

interface Parts {
  dir: string;
  users: MatrixUser[];
  earlier: string[][];
  emulator?: RunningMmEmulator;
  synapse?: SynapseHandle;
  files?: BridgeFiles;
  bridge?: BridgeProcess;
}

async function startParts(p: Parts, opts: MmStackOptions): Promise<void> {
  p.emulator = await startMattermostEmulator({ fixture: opts.fixture, control: true, rateLimit: false });
  const hsPort = await freePort();
  p.files = await writeBridgeFiles({
    dir: p.dir,
    homeserverUrl: `http://127.0.0.1:${hsPort}`,
    domain: "localhost",
    mattermostUrl: p.emulator.url,
    mattermostOAuth: { clientId: MM_CLIENT_ID, clientSecret: CLIENT_SECRET },
    logLevel: opts.logLevel,
  });
  p.synapse = await startSynapse({ registrationPath: p.files.registrationPath, port: hsPort, name: `${opts.name}-${process.pid}` });
  await controlCall(p.emulator, "/oauth-apps", {
    method: "POST",
    body: { clientId: MM_CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUri: `http://127.0.0.1:${p.files.webPort}/oauth/callback`, name: "Matrix bridge" },
  });
  p.bridge = startBridge(p.files);
  await p.bridge.waitForLine(/bridge started/, 60_000);
}

function finish(p: Required<Parts>): MmStack {
  const stack: MmStack = {
    dir: p.dir,
    emulator: p.emulator,
    synapse: p.synapse,
    files: p.files,
    bridge: p.bridge,
    bridgeLines: () => [...p.earlier.flat(), ...stack.bridge.lines],
    control: <T>(route: string, init?: { method?: string; body?: unknown }) => controlCall(p.emulator, route, init) as Promise<T>,
    postAs: (as, channel, message, rootId) =>
      controlCall(p.emulator, "/posts", { method: "POST", body: { as, channel, message, ...(rootId ? { root_id: rootId } : {}) } }) as Promise<{ id: string; channel_id: string }>,
    newMatrixUser: async (localpart) => {
      const user = await newMatrixUser(p.synapse, localpart);
      p.users.push(user.matrix);
      return user;
    },
    loginWithToken: async (user, token, username) => {
      await user.matrix.client.sendText(user.controlRoom, `login token ${token}`);
      await user.matrix.waitForMessage(user.controlRoom, MM_BOT, new RegExp(`logged in to \\w+ as ${username}\\b`), 60_000);
    },
    restartBridge: async () => {
      p.earlier.push(stack.bridge.lines);
      stack.bridge = startBridge(p.files);
      await stack.bridge.waitForLine(/bridge started/, 60_000);
    },
    stop: async () => {
      await writeFile(path.join(p.dir, "bridge.log"), stack.bridgeLines().join("\n")).catch(() => undefined);
      await stopParts({ ...p, bridge: stack.bridge });
    },
  };
  return stack;
}

async function newMatrixUser(synapse: SynapseHandle, localpart: string): Promise<MmMatrixUser & { matrix: MatrixUser; loginLink: string }> {
  const account = await synapse.registerUser(localpart, `${localpart}-matrix-pass`);
  const matrix = new MatrixUser(new MatrixClient(synapse.url, account.accessToken), account.userId);
  await matrix.start();
  const controlRoom = await matrix.client.createRoom({ invite: [MM_BOT], is_direct: true, preset: "trusted_private_chat" });
  const greeting = await matrix.waitForMessage(controlRoom, MM_BOT, /log in with/, 60_000);
  const loginLink = /(http:\/\/127\.0\.0\.1:\d+\/login\?state=\S+)/.exec(greeting.body)?.[1];
  if (!loginLink) throw new Error(`no login link in ${greeting.body}`);
  return { matrix, controlRoom, loginLink };
}

async function stopParts(p: Parts): Promise<void> {
  for (const u of p.users) await u.stop().catch(() => undefined);
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
