// What the whole-stack harnesses (bridged-stack.ts for Gitter, mm-stack.ts for Mattermost) do the same way on either
// network: calling an emulator's control API, running the bridge process again and again while keeping every line
// each one printed, the Matrix user with a control room, and stopping whatever was started.
import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { MatrixClient } from "matrix-bot-sdk";
import { MatrixUser } from "./matrix-user";
import { startBridge, type BridgeFiles, type BridgeProcess } from "./stack";
import type { SynapseHandle } from "./synapse";

export interface ControlInit {
  method?: string;
  body?: unknown;
}

/** Calls the control API of the emulator at `emulatorUrl`; rejects on a non-2xx answer. */
export async function controlCall(emulatorUrl: string, route: string, init: ControlInit = {}): Promise<unknown> {
  const res = await fetch(`${emulatorUrl}/_emulator${route}`, {
    method: init.method ?? "GET",
    headers: { "content-type": "application/json" },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${route}: ${res.status} ${text}`);
  return text ? (JSON.parse(text) as unknown) : null;
}

/** Starts a bridge process and waits until it listens. */
export async function startListeningBridge(files: BridgeFiles, nodeArgs?: string[], timeoutMs?: number): Promise<BridgeProcess> {
  const bridge = startBridge(files, {}, { nodeArgs });
  await bridge.waitForLine(/bridge started/, timeoutMs);
  return bridge;
}

/** The part of a running stack the bridge controls work on; a restart replaces `bridge`. */
export interface RunningBridge {
  dir: string;
  files: BridgeFiles;
  bridge: BridgeProcess;
}

export interface BridgeControls {
  /** Every line printed by every bridge process so far, for post-mortems. */
  bridgeLines(): string[];
  /** Starts a new bridge process (the old one must have exited) without waiting for it. */
  spawnBridge(): void;
  /** Starts a new bridge process (the old one must have exited) and waits until it listens. */
  restartBridge(): Promise<void>;
  /** Writes every line to bridge.log in the stack's folder (kept with KEEP_STACK_DIR). */
  saveBridgeLog(): Promise<void>;
}

/** The bridge controls of `stack()`, the stack being built (read only when a control is called). */
export function bridgeControls(stack: () => RunningBridge, nodeArgs?: string[]): BridgeControls {
  const earlier: string[][] = [];
  const controls: BridgeControls = {
    bridgeLines: () => [...earlier.flat(), ...stack().bridge.lines],
    spawnBridge: () => {
      const s = stack();
      earlier.push(s.bridge.lines);
      s.bridge = startBridge(s.files, {}, { nodeArgs });
    },
    restartBridge: async () => {
      controls.spawnBridge();
      await stack().bridge.waitForLine(/bridge started/, 60_000);
    },
    saveBridgeLog: async () => {
      await writeFile(path.join(stack().dir, "bridge.log"), controls.bridgeLines().join("\n")).catch(() => undefined);
    },
  };
  return controls;
}

/** A new Matrix account with its /sync loop running, and a direct room with `bot` where the bot greeted it. */
export async function matrixUserWithControlRoom(synapse: SynapseHandle, localpart: string, bot: string, greeting: RegExp): Promise<{ matrix: MatrixUser; controlRoom: string; greeting: string }> {
  const account = await synapse.registerUser(localpart, `${localpart}-matrix-pass`);
  const matrix = new MatrixUser(new MatrixClient(synapse.url, account.accessToken), account.userId);
  await matrix.start();
  const controlRoom = await matrix.client.createRoom({ invite: [bot], is_direct: true, preset: "trusted_private_chat" });
  const message = await matrix.waitForMessage(controlRoom, bot, greeting, 60_000);
  return { matrix, controlRoom, greeting: message.body };
}

/** The login link in the bot's greeting. */
export function loginLinkIn(greeting: string): string {
  const link = /(http:\/\/127\.0\.0\.1:\d+\/login\?state=\S+)/.exec(greeting)?.[1];
  if (!link) throw new Error(`no login link in ${greeting}`);
  return link;
}

/** Whatever of a stack was started, in the order it is stopped. */
export interface StartedParts {
  dir: string;
  matrixUsers: Iterable<MatrixUser>;
  bridge?: BridgeProcess;
  synapse?: SynapseHandle;
  emulator?: { stop(): Promise<unknown> };
}

/** Stops the Matrix users, the bridge, Synapse and the emulator, then removes the folder unless KEEP_STACK_DIR. */
export async function stopStarted(p: StartedParts): Promise<void> {
  for (const u of p.matrixUsers) await u.stop().catch(() => undefined);
  await p.bridge?.stop().catch(() => undefined);
  await p.synapse?.stop().catch(() => undefined);
  await p.emulator?.stop().catch(() => undefined);
  if (!process.env.KEEP_STACK_DIR) await rm(p.dir, { recursive: true, force: true });
}
