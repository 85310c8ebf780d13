// The whole stack for the message-fidelity e2e tests: the Gitter emulator (in this process, with its control API),
// a real Synapse, the bridge as its own process, and a Matrix user "alice" already logged in to Gitter as alice
// (through the emulator's real OAuth pages, driven with fetch) with her lobby portal joined.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { MatrixClient } from "matrix-bot-sdk";
import YAML from "yaml";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import { MatrixUser } from "../harness/matrix-user";
import { freePort } from "../harness/ports";
import { eventually, startBridge, writeBridgeFiles, type BridgeFiles, type BridgeProcess } from "../harness/stack";
import { startSynapse, type SynapseHandle } from "../harness/synapse";

export const BOT = "@gitter:localhost";
export const ghost = (username: string): string => `@gitter_${username}:localhost`;

export interface GitterLogEntry {
  id: string;
  text: string;
  html: string;
  parentId?: string;
  /** Only in room logs (gitterLog), not on a message just posted. */
  roomId: string;
  deleted: boolean;
  v?: number;
  /** A status (`/me`) message. */
  status?: boolean;
  fromUser: { username: string };
}

export interface FidelityStack {
  emulator: RunningEmulator;
  synapse: SynapseHandle;
  files: BridgeFiles;
  bridge: BridgeProcess;
  alice: MatrixUser;
  /** Alice's Matrix room for gitter-demo/lobby, joined. */
  lobby: string;
  /** Alice's control room with the bot. */
  control: string;
  /** The bridge's public web address (config web.publicUrl). */
  webUrl: string;
  /** Calls the emulator's control API; asserts success and returns the parsed body. */
  gitter(p: string, init?: RequestInit): Promise<unknown>;
  postAs(user: string, room: string, text: string, parentId?: string): Promise<GitterLogEntry>;
  /** Messages stored in a Gitter room (by uri or id), deleted ones included. */
  gitterLog(room: string): Promise<GitterLogEntry[]>;
  /** Polls the Gitter room until a message by `user` matches. */
  waitOnGitter(room: string, user: string, test: (m: GitterLogEntry) => boolean, what: string): Promise<GitterLogEntry>;
  /** An event as alice's client reads it (redacted ones come back without content). */
  event(roomId: string, eventId: string): Promise<{ content: Record<string, unknown>; unsigned?: Record<string, unknown> }>;
  /** Stops the bridge and starts it again on the same files (`bridge` is then the new process). */
  restartBridge(): Promise<void>;
  stop(): Promise<void>;
}

export interface StackOptions {
  /** config media.maxBytes. */
  mediaMaxBytes?: number;
}

export async function startFidelityStack(name: string, opts: StackOptions = {}): Promise<FidelityStack> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `${name}-`));
  // Whatever started is stopped again if a later step fails, so a broken setup never leaves a Synapse running.
  const undo: Array<() => Promise<unknown>> = [() => rm(dir, { recursive: true, force: true })];
  try {
    const emulator = await startEmulator({ fixture: path.resolve(__dirname, "../../fixtures/demo.yaml"), control: true });
    undo.push(() => emulator.stop());
    const hsPort = await freePort();
    const files = await writeBridgeFiles({
      dir,
      homeserverUrl: `http://127.0.0.1:${hsPort}`,
      domain: "localhost",
      gitterUrl: emulator.url,
      clientId: `${name}-client`,
      clientSecret: `${name}-secret`,
    });
    if (opts.mediaMaxBytes !== undefined) await patchConfig(files.configPath, { media: { maxBytes: opts.mediaMaxBytes } });
    const synapse = await startSynapse({ registrationPath: files.registrationPath, port: hsPort });
    undo.push(() => synapse.stop());
    const gitter = controlApi(emulator);
    await gitter("/oauth-apps", {
      method: "POST",
      body: JSON.stringify({ clientId: `${name}-client`, clientSecret: `${name}-secret`, redirectUri: `http://127.0.0.1:${files.webPort}/oauth/callback`, name }),
    });
    const bridge = startBridge(files);
    undo.push(() => bridge.stop());
    await bridge.waitForLine(/bridge started/);
    const account = await synapse.registerUser("alice", "alice-matrix-pass");
    const alice = new MatrixUser(new MatrixClient(synapse.url, account.accessToken), account.userId);
    await alice.start();
    undo.push(() => alice.stop());
    const control = await logIn({ alice, emulator });
    const lobby = await alice.waitForInvite((i) => i.name === "gitter-demo/lobby");
    await alice.client.joinRoom(lobby);
    return withHelpers({ emulator, synapse, files, bridge, alice, gitter, lobby, control, webUrl: `http://127.0.0.1:${files.webPort}` }, undo);
  } catch (err) {
    for (const step of undo.reverse()) await step().catch(() => undefined);
    throw err;
  }
}

async function patchConfig(configPath: string, patch: Record<string, unknown>): Promise<void> {
  const config = YAML.parse(await readFile(configPath, "utf8")) as Record<string, unknown>;
  await writeFile(configPath, YAML.stringify({ ...config, ...patch }));
}

function controlApi(emulator: RunningEmulator): FidelityStack["gitter"] {
  return async (p, init) => {
    const res = await fetch(`${emulator.url}/_emulator${p}`, { ...init, headers: { "content-type": "application/json" } });
    const text = await res.text();
    assert.ok(res.ok, `${p}: ${res.status} ${text}`);
    return text ? (JSON.parse(text) as unknown) : null;
  };
}

/** Control room, login link, the bridge's Continue button, Gitter's sign-in and consent pages as a browser would post them, then the code. */
async function logIn(stack: { alice: MatrixUser; emulator: RunningEmulator }): Promise<string> {
  const { alice } = stack;
  const control = await alice.client.createRoom({ invite: [BOT], is_direct: true, preset: "trusted_private_chat" });
  const greeting = await alice.waitForMessage(control, BOT, /log in with Gitter/);
  const link = /(http:\/\/127\.0\.0\.1:\d+\/login\?state=\S+)/.exec(greeting.body)![1]!;
  const linkPage = await (await fetch(link)).text();
  const state = /name="state" value="([^"]+)"/.exec(linkPage)![1]!;
  const continued = await fetch(new URL("login", link), {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ state }).toString(),
  });
  const toGitter = continued.headers.get("location")!;
  const params = Object.fromEntries(new URL(toGitter, stack.emulator.url).searchParams);
  const post = (p: string, form: Record<string, string>, cookie = "") =>
    fetch(`${stack.emulator.url}${p}`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie },
      body: new URLSearchParams(form).toString(),
    });
  const signedIn = await post("/login/oauth/authorize/login", { ...params, username: "alice", password: "alice-pass" });
  const cookie = (signedIn.headers.get("set-cookie") ?? "").split(";")[0]!;
  const consent = await (await fetch(new URL(signedIn.headers.get("location")!, stack.emulator.url), { headers: { cookie } })).text();
  const csrf = /name="csrf" value="([^"]+)"/.exec(consent)![1]!;
  const decided = await post("/login/oauth/authorize/decision", { ...params, csrf, decision: "approve" }, cookie);
  const page = await (await fetch(decided.headers.get("location")!)).text();
  await alice.client.sendText(control, /<code id="login-code">([^<]+)<\/code>/.exec(page)![1]!);
  await alice.waitForMessage(control, BOT, /logged in to Gitter as alice/);
  return control;
}

function withHelpers(
  base: Omit<FidelityStack, "postAs" | "gitterLog" | "waitOnGitter" | "event" | "restartBridge" | "stop">,
  undo: Array<() => Promise<unknown>>,
): FidelityStack {
  const gitterLog = async (room: string) => (await base.gitter(`/messages?room=${encodeURIComponent(room)}`)) as GitterLogEntry[];
  const stack: FidelityStack = {
    ...base,
    postAs: async (user, room, text, parentId) =>
      (await base.gitter("/messages", { method: "POST", body: JSON.stringify({ user, room, text, parentId }) })) as GitterLogEntry,
    gitterLog,
    waitOnGitter: (room, user, test, what) =>
      eventually(async () => (await gitterLog(room)).find((m) => m.fromUser.username === user && test(m)), what),
    event: (roomId, eventId) =>
      base.alice.client.doRequest("GET", `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/event/${encodeURIComponent(eventId)}`),
    restartBridge: async () => {
      await stack.bridge.stop();
      stack.bridge = startBridge(base.files);
      await stack.bridge.waitForLine(/bridge started/);
    },
    stop: async () => {
      for (const step of undo.reverse()) await step().catch(() => undefined);
    },
  };
  // Stops whichever bridge process is current, right after the users' sync loops (the last step pushed).
  undo.splice(undo.length - 1, 0, () => stack.bridge.stop());
  return stack;
}
