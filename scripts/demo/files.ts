// The demo folder (.demo/ by default): the bridge's config and registration, written on the first run and
// kept afterwards, and demo.json, which remembers the ports they were written for and the demo Matrix user's
// password. The bridge's data/ is kept only with --keep, together with the emulator's world
// (gitter-emulator.json or mattermost-emulator.json): without it the emulator's network is new on every run (new
// ids, no tokens), so yesterday's portals and tokens would point at nothing.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { ConfigError, loadConfig } from "../../src/config";
import { writeBridgeFiles, type BridgeFiles, type NetworkInput } from "../../test/harness/stack";
import type { DemoNetwork, DemoOptions, DemoPorts } from "./options";

export const DOMAIN = "localhost";
export const MATRIX_LOCALPART = "demo";

export interface DemoState {
  /** Absent in the files of demos from before the choice of network: Gitter. */
  network?: DemoNetwork;
  ports: DemoPorts;
  matrixUser: { localpart: string; password: string };
}

const statePath = (dir: string) => path.join(dir, "demo.json");

/** Where --keep keeps the world of the network's emulator. */
export const emulatorStateFile = (dir: string, network: DemoNetwork): string => path.join(dir, `${network}-emulator.json`);

export async function readState(dir: string): Promise<DemoState | undefined> {
  if (!existsSync(statePath(dir))) return undefined;
  return JSON.parse(await readFile(statePath(dir), "utf8")) as DemoState;
}

export async function writeState(dir: string, state: DemoState): Promise<void> {
  // It holds the demo user's password: readable by its owner only.
  await writeFile(statePath(dir), JSON.stringify(state, null, 2) + "\n", { mode: 0o600 });
}

function samePorts(a: DemoPorts, b: DemoPorts): boolean {
  return a.homeserver === b.homeserver && a.gitter === b.gitter && a.mattermost === b.mattermost && a.appservice === b.appservice && a.web === b.web;
}

/** The state for this run: the earlier password if there is one, this run's ports. */
export function nextState(opts: DemoOptions, previous: DemoState | undefined): DemoState {
  const password = previous?.matrixUser.password ?? randomBytes(9).toString("base64url");
  return { network: opts.network, ports: { ...opts.ports }, matrixUser: { localpart: MATRIX_LOCALPART, password } };
}

/** The bridge's OAuth app on the network's emulator. */
export interface OAuthApp {
  clientId: string;
  clientSecret: string;
}

export interface PreparedFiles {
  files: BridgeFiles;
  /** Whether config.yaml and registration.yaml were (re)written on this run. */
  written: boolean;
}

/** Whether this version of the bridge takes the config an earlier demo wrote (keys come and go). */
function loads(configPath: string): boolean {
  try {
    loadConfig(configPath);
    return true;
  } catch (err) {
    if (err instanceof ConfigError) return false;
    throw err;
  }
}

/**
 * Writes config.yaml and registration.yaml when absent, when the ports changed since they were written, or when
 * this version of the bridge no longer takes the config.
 * Throws if the bridge CLI fails to write them.
 */
export async function prepareBridgeFiles(opts: DemoOptions, previous: DemoState | undefined, app: OAuthApp): Promise<PreparedFiles> {
  const configPath = path.join(opts.dir, "config.yaml");
  const registrationPath = path.join(opts.dir, "registration.yaml");
  const upToDate =
    previous && (previous.network ?? "gitter") === opts.network && samePorts(previous.ports, opts.ports) && existsSync(configPath) && existsSync(registrationPath) && loads(configPath);
  if (upToDate) {
    const files = { dir: opts.dir, configPath, registrationPath, asPort: opts.ports.appservice, webPort: opts.ports.web };
    return { files, written: false };
  }
  const files = await writeBridgeFiles({
    dir: opts.dir,
    homeserverUrl: `http://127.0.0.1:${opts.ports.homeserver}`,
    domain: DOMAIN,
    ...networkInput(opts, app),
    asPort: opts.ports.appservice,
    webPort: opts.ports.web,
    database: "sqlite:./data/bridge.db",
    logLevel: "info",
    permissions: { [DOMAIN]: "user", [`@${MATRIX_LOCALPART}:${DOMAIN}`]: "admin" },
  });
  return { files, written: true };
}

/** The network's section: Gitter's emulator and OAuth app, or Mattermost's emulator and the bridge's OAuth app there. */
function networkInput(opts: DemoOptions, app: OAuthApp): NetworkInput {
  const oauth = { clientId: app.clientId, clientSecret: app.clientSecret };
  if (opts.network === "mattermost") return { mattermostUrl: `http://127.0.0.1:${opts.ports.mattermost}`, mattermostOAuth: oauth };
  return { gitterUrl: `http://127.0.0.1:${opts.ports.gitter}`, ...oauth };
}
