// The whole Mattermost stack for e2e tests: the Mattermost emulator in this process (control API on, rate limit off,
// the bridge's OAuth app registered unless asked not to), a real Synapse, and the bridge as a child process configured
// `network: mattermost`. Users log in as a person would: through the OAuth link in a browser (see mm-login.ts) or with
// `login token <token>` sent to the bot, and are then joined to the portals they wait for. The users given in the
// options are logged in with a personal access token the emulator issued, for tests about what happens after login
// (crashes, faults); the Mattermost twin of bridged-stack.ts.
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { LogService } from "matrix-bot-sdk";
import type { FixtureData } from "../../emulator/mattermost/fixture";
import { startMattermostEmulator, type RunningMmEmulator } from "../../emulator/mattermost/server";
import type { BridgedUser } from "./bridged-stack";
import type { MatrixUser } from "./matrix-user";
import { freePort } from "./ports";
import { writeBridgeFiles, type BridgeFiles, type BridgeProcess } from "./stack";
import { bridgeControls, controlCall, loginLinkIn, matrixUserWithControlRoom, startListeningBridge, stopStarted, type ControlInit } from "./stack-common";
import { startSynapse, type SynapseHandle } from "./synapse";

export const MM_BOT = "@mattermost:localhost";
export const MM_CLIENT_ID = "bridgeappbridgeappbridgeap";
const CLIENT_SECRET = "mm-stack-bridge-secret";

/** The ghost of a Mattermost user on this stack's homeserver. */
export const mmGhost = (username: string): string => `@mattermost_${username}:localhost`;

export interface MmStackUserSpec {
  /** Matrix localpart; the Matrix password is derived from it. */
  localpart: string;
  mattermostUsername: string;
  /** Channels ("team/name") whose portals to wait for and join. */
  channels: string[];
}

export interface MmStackOptions {
  fixture: FixtureData;
  /** Prefix of the temporary folder and of the Synapse instance name. */
  name: string;
  logLevel?: "debug" | "info";
  /** Users logged in with a personal access token and joined to their portals before the stack is returned. */
  users?: MmStackUserSpec[];
  /** The bridge's `database` URL; defaults to an SQLite file in the stack's folder. */
  database?: string;
  /** false: a server without the bridge's OAuth app (no `oauth` in the config, tokens are the only login). */
  oauthApp?: boolean;
  /** Extra node flags for every bridge process (e.g. --cpu-prof for a benchmark's profile). */
  bridgeNodeArgs?: string[];
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
  /** The users of the options by Matrix localpart; `portals` maps "team/name" to the user's portal. */
  users: Map<string, BridgedUser>;
  /** Every line printed by every bridge process so far, for post-mortems. */
  bridgeLines(): string[];
  /** Calls the emulator's control API; rejects on a non-2xx answer. */
  control<T = unknown>(route: string, init?: ControlInit): Promise<T>;
  /** Posts `message` as `as` in `channel` ("team/name", "alice,bob" or an id); resolves with the post. */
  postAs(as: string, channel: string, message: string, rootId?: string): Promise<{ id: string; channel_id: string }>;
  /** A Matrix account with its /sync loop running and a control room with the bot, greeted with a login link. */
  newMatrixUser(localpart: string): Promise<MmMatrixUser & { loginLink: string }>;
  /** Logs `user` in with a personal access token sent to the bot, and waits until the bridge says so. */
  loginWithToken(user: MmMatrixUser, token: string, username: string): Promise<void>;
  /** Starts a new bridge process (the old one must have exited) without waiting for it. */
  spawnBridge(): void;
  /** Starts a new bridge process (the old one must have exited) and waits until it listens. */
  restartBridge(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts everything and logs the users of the options in. On failure, whatever was started is stopped again. */
export async function startMmStack(opts: MmStackOptions): Promise<MmStack> {
  LogService.muteModule("MatrixHttpClient");
  const dir = await mkdtemp(path.join(os.tmpdir(), `${opts.name}-`));
  const parts: Parts = { dir, matrixUsers: [], users: new Map() };
  try {
    await startParts(parts, opts);
    for (const spec of opts.users ?? []) parts.users.set(spec.localpart, await logIn(parts as Required<Parts>, spec));
    return finish(parts as Required<Parts>, opts.bridgeNodeArgs);
  } catch (err) {
    await stopStarted(parts);
    throw err;
  }
}

interface Parts {
  dir: string;
  /** Every Matrix user started, to stop them with the stack. */
  matrixUsers: MatrixUser[];
  users: Map<string, BridgedUser>;
  emulator?: RunningMmEmulator;
  synapse?: SynapseHandle;
  files?: BridgeFiles;
  bridge?: BridgeProcess;
}

async function startParts(p: Parts, opts: MmStackOptions): Promise<void> {
  const oauth = opts.oauthApp ?? true;
  p.emulator = await startMattermostEmulator({ fixture: opts.fixture, control: true, rateLimit: false });
  const hsPort = await freePort();
  p.files = await writeBridgeFiles({
    dir: p.dir,
    homeserverUrl: `http://127.0.0.1:${hsPort}`,
    domain: "localhost",
    mattermostUrl: p.emulator.url,
    ...(oauth ? { mattermostOAuth: { clientId: MM_CLIENT_ID, clientSecret: CLIENT_SECRET } } : {}),
    logLevel: opts.logLevel,
    database: opts.database,
  });
  p.synapse = await startSynapse({ registrationPath: p.files.registrationPath, port: hsPort, name: `${opts.name}-${process.pid}` });
  if (oauth) {
    await controlCall(p.emulator.url, "/oauth-apps", {
      method: "POST",
      body: { clientId: MM_CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUri: `http://127.0.0.1:${p.files.webPort}/oauth/callback`, name: "Matrix bridge" },
    });
  }
  p.bridge = await startListeningBridge(p.files, opts.bridgeNodeArgs, 60_000);
}

/** A Matrix user logged in with a personal access token, joined to the portals of `spec.channels`. */
async function logIn(p: Required<Parts>, spec: MmStackUserSpec): Promise<BridgedUser> {
  const { matrix, controlRoom } = await matrixUserWithControlRoom(p.synapse, spec.localpart, MM_BOT, /log in/i);
  p.matrixUsers.push(matrix);
  const { token } = (await controlCall(p.emulator.url, "/tokens", { method: "POST", body: { user: spec.mattermostUsername } })) as { token: string };
  await matrix.client.sendText(controlRoom, `login token ${token}`);
  await matrix.waitForMessage(controlRoom, MM_BOT, /Token accepted/, 60_000);
  const portals = new Map<string, string>();
  for (const ref of spec.channels) {
    const name = channelDisplayName(p.emulator, ref);
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

function finish(p: Required<Parts>, nodeArgs?: string[]): MmStack {
  const { saveBridgeLog, ...controls } = bridgeControls(() => stack, nodeArgs);
  const stack: MmStack = {
    dir: p.dir,
    emulator: p.emulator,
    synapse: p.synapse,
    files: p.files,
    bridge: p.bridge,
    users: p.users,
    ...controls,
    control: <T>(route: string, init?: ControlInit) => controlCall(p.emulator.url, route, init) as Promise<T>,
    postAs: (as, channel, message, rootId) =>
      controlCall(p.emulator.url, "/posts", { method: "POST", body: { as, channel, message, ...(rootId ? { root_id: rootId } : {}) } }) as Promise<{ id: string; channel_id: string }>,
    newMatrixUser: async (localpart) => {
      const { matrix, controlRoom, greeting } = await matrixUserWithControlRoom(p.synapse, localpart, MM_BOT, /log in with/);
      p.matrixUsers.push(matrix);
      return { matrix, controlRoom, loginLink: loginLinkIn(greeting) };
    },
    loginWithToken: async (user, token, username) => {
      await user.matrix.client.sendText(user.controlRoom, `login token ${token}`);
      await user.matrix.waitForMessage(user.controlRoom, MM_BOT, new RegExp(`logged in to \\w+ as ${username}\\b`), 60_000);
    },
    stop: async () => {
      await saveBridgeLog();
      await stopStarted({ ...p, bridge: stack.bridge });
    },
  };
  return stack;
}
