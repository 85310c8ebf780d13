// Starts a real Synapse (from the cached Debian sid chroot, see scripts/synapse.sh) for e2e tests, the local
// demo and benchmarks. Needs root. Each instance has its own name and data folder; the registration file is
// copied in and listed in app_service_config_files.
import { execFile } from "node:child_process";
import { createHmac } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import YAML from "yaml";
import { freePort } from "./ports";

const run = promisify(execFile);
const SCRIPT = path.resolve(__dirname, "../../scripts/synapse.sh");

export interface MatrixAccount {
  userId: string;
  accessToken: string;
}

export interface SynapseHandle {
  url: string;
  domain: string;
  name: string;
  /** The instance's data folder on the host (homeserver.yaml, homeserver.log). */
  dataDir: string;
  registerUser(localpart: string, password: string, admin?: boolean): Promise<MatrixAccount>;
  /** Stops and starts the same instance again (same data, same port). */
  restart(): Promise<void>;
  stop(): Promise<void>;
  /** Process id of the running Synapse, for CPU measurements. */
  pid(): Promise<number>;
}

export interface SynapseOptions {
  /** Path of the appservice registration file to load. */
  registrationPath: string;
  /** Instance name: also the data folder name. Reusing a name reuses its database. */
  name?: string;
  port?: number;
  /** Wipe the instance's data first (default true), so tests start from an empty homeserver. */
  fresh?: boolean;
}

async function script(...args: string[]): Promise<string> {
  const { stdout } = await run("bash", [SCRIPT, ...args], { maxBuffer: 1 << 20 });
  return stdout.trim();
}

export async function provisionSynapse(): Promise<void> {
  await script("provision");
}

export async function startSynapse(opts: SynapseOptions): Promise<SynapseHandle> {
  const name = opts.name ?? `test-${process.pid}-${Date.now().toString(36)}`;
  const port = opts.port ?? (await freePort());
  const dataDir = await script("info", name);
  if (opts.fresh !== false) await run("rm", ["-rf", dataDir]);
  const start = () => script("start", name, path.resolve(opts.registrationPath), String(port));
  await start();
  const url = `http://127.0.0.1:${port}`;
  const secret = await sharedSecret(dataDir);
  return {
    url,
    domain: "localhost",
    name,
    dataDir,
    registerUser: (localpart, password, admin = false) => registerUser(url, secret, localpart, password, admin),
    restart: async () => {
      await script("stop", name);
      await start();
    },
    stop: async () => {
      await script("stop", name);
    },
    pid: async () => Number((await readFile(path.join(dataDir, "pid"), "utf8")).trim()),
  };
}

async function sharedSecret(dataDir: string): Promise<string> {
  const config = YAML.parse(await readFile(path.join(dataDir, "homeserver.yaml"), "utf8")) as Record<string, unknown>;
  const secret = config.registration_shared_secret;
  if (typeof secret !== "string") throw new Error("homeserver.yaml has no registration_shared_secret");
  return secret;
}

/** Registers a user through Synapse's shared-secret admin API (no open registration needed). */
async function registerUser(
  url: string,
  secret: string,
  localpart: string,
  password: string,
  admin: boolean,
): Promise<MatrixAccount> {
  const endpoint = `${url}/_synapse/admin/v1/register`;
  const { nonce } = (await (await fetch(endpoint)).json()) as { nonce: string };
  const mac = createHmac("sha1", secret)
    .update([nonce, localpart, password, admin ? "admin" : "notadmin"].join("\0"))
    .digest("hex");
  const res = await fetch(endpoint, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ nonce, username: localpart, password, admin, mac }),
  });
  const body = (await res.json()) as { user_id?: string; access_token?: string; error?: string };
  if (!res.ok || !body.user_id || !body.access_token) {
    throw new Error(`registering ${localpart} failed: ${res.status} ${body.error ?? ""}`);
  }
  return { userId: body.user_id, accessToken: body.access_token };
}
