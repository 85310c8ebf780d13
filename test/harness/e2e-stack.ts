// One call to stand up what an e2e test talks to: the emulator (in this process, control API on, demo
// fixture by default), a fresh Synapse, and the bridge as its own process with an OAuth app registered for it.
// Also the moves most e2e tests repeat: act on Gitter through the control API, make a Matrix user, log them in.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { MatrixClient } from "matrix-bot-sdk";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import { MatrixUser } from "./matrix-user";
import { sendLoginCode, walkOAuth } from "./oauth-http";
import { freePort } from "./ports";
import { startBridge, writeBridgeFiles, type BridgeFiles, type BridgeProcess } from "./stack";
import { startSynapse, type SynapseHandle } from "./synapse";

export const DOMAIN = "localhost";
export const BOT = `@gitter:${DOMAIN}`;
export const ghost = (username: string): string => `@gitter_${username}:${DOMAIN}`;

/** A message as the control API's log shows it. */
export interface LoggedMessage {
  id: string;
  text: string;
  status?: boolean;
  fromUser: { username: string; displayName: string; avatarUrl: string };
}

export interface StackOptions {
  /** Names the temp folder (and shows in failures). */
  name: string;
  fixture?: string;
  maxPortalMembers?: number;
}

export interface Stack {
  emulator: RunningEmulator;
  synapse: SynapseHandle;
  files: BridgeFiles;
  /** The running bridge process (replaced by restartBridge). */
  readonly bridge: BridgeProcess;
  /** Stops the bridge with SIGTERM, if it runs (asserting a clean exit), and starts it again on the same files. */
  restartBridge(): Promise<void>;
  /** Calls the emulator's control API (`/_emulator${p}`); expects 2xx and returns the parsed JSON. */
  gitter<T = unknown>(p: string, method?: string, body?: unknown): Promise<T>;
  /** Posts on Gitter as `user` (username) in `room` (uri). */
  postAs(user: string, room: string, text: string, extra?: { status?: boolean }): Promise<LoggedMessage>;
  /** Everything said in a Gitter room, oldest first. */
  gitterLog(room: string): Promise<LoggedMessage[]>;
  /** Registers a Matrix user on the Synapse and starts their sync loop (stopped by stop()). */
  matrixUser(localpart: string): Promise<MatrixUser>;
  /**
   * Opens a direct chat with the bot, follows the login link through Gitter's pages as `gitterUser`
   * (password `<name>-pass`, as in the demo fixture), sends the code the last page shows and waits for the bot
   * to confirm. Returns the control room.
   */
  logIn(user: MatrixUser, gitterUser: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startStack(opts: StackOptions): Promise<Stack> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `${opts.name}-`));
  const users: MatrixUser[] = [];
  let emulator: RunningEmulator | undefined;
  let synapse: SynapseHandle | undefined;
  const ref: { bridge?: BridgeProcess } = {};
  const stop = async () => {
    await Promise.all(users.map((u) => u.stop()));
    await ref.bridge?.stop();
    await synapse?.stop();
    await emulator?.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    emulator = await startEmulator({ fixture: opts.fixture ?? path.resolve(__dirname, "../../fixtures/demo.yaml"), control: true });
    const hsPort = await freePort();
    const clientId = `${opts.name}-client`;
    const files = await writeBridgeFiles({
      dir,
      homeserverUrl: `http://127.0.0.1:${hsPort}`,
      domain: DOMAIN,
      gitterUrl: emulator.url,
      clientId,
      clientSecret: `${opts.name}-secret`,
      maxPortalMembers: opts.maxPortalMembers,
    });
    emulator.state.auth.addApp({ clientId, clientSecret: `${opts.name}-secret`, redirectUri: `http://127.0.0.1:${files.webPort}/oauth/callback`, name: opts.name });
    synapse = await startSynapse({ registrationPath: files.registrationPath, port: hsPort });
    ref.bridge = startBridge(files);
    await ref.bridge.waitForLine(/bridge started/);
    return assemble({ emulator, synapse, files, ref: ref as { bridge: BridgeProcess }, users, stop });
  } catch (err) {
    await stop();
    throw err;
  }
}

function assemble(parts: {
  emulator: RunningEmulator;
  synapse: SynapseHandle;
  files: BridgeFiles;
  ref: { bridge: BridgeProcess };
  users: MatrixUser[];
  stop: () => Promise<void>;
}): Stack {
  const { emulator, synapse, files, ref, users, stop } = parts;
  const gitter = async <T>(p: string, method = "GET", body?: unknown): Promise<T> => {
    const res = await fetch(`${emulator.url}/_emulator${p}`, {
      method,
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    assert.ok(res.ok, `${method} ${p}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : null) as T;
  };
  return {
    emulator,
    synapse,
    files,
    get bridge() {
      return ref.bridge;
    },
    restartBridge: async () => {
      const running = ref.bridge.proc.exitCode === null && ref.bridge.proc.signalCode === null;
      if (running) assert.equal(await ref.bridge.stop(), 0, "the bridge stops cleanly on SIGTERM");
      ref.bridge = startBridge(files);
      await ref.bridge.waitForLine(/bridge started/);
    },
    stop,
    gitter,
    postAs: (user, room, text, extra = {}) => gitter<LoggedMessage>("/messages", "POST", { user, room, text, ...extra }),
    gitterLog: (room) => gitter<LoggedMessage[]>(`/messages?room=${encodeURIComponent(room)}`),
    matrixUser: async (localpart) => {
      const account = await synapse.registerUser(localpart, `${localpart}-matrix-pass`);
      const user = new MatrixUser(new MatrixClient(synapse.url, account.accessToken), account.userId);
      await user.start();
      users.push(user);
      return user;
    },
    logIn: async (user, gitterUser) => {
      const control = await user.client.createRoom({ invite: [BOT], is_direct: true, preset: "trusted_private_chat" });
      const greeting = await user.waitForMessage(control, BOT, /log in with Gitter/);
      const link = /(http:\/\/127\.0\.0\.1:\d+\/login\?state=\S+)/.exec(greeting.body)?.[1];
      assert.ok(link, `no login link in ${greeting.body}`);
      const walk = await walkOAuth(link, { username: gitterUser, password: `${gitterUser}-pass` });
      assert.equal(walk.status, 200, walk.html);
      assert.equal(walk.account, user.userId, "the login page names the account being linked");
      await sendLoginCode(walk, (text) => user.client.sendText(control, text));
      await user.waitForMessage(control, BOT, new RegExp(`logged in to Gitter as ${gitterUser}\\b`));
      return control;
    },
  };
}
