// `npm run demo` (scripts/demo.ts) as a child process, for the e2e tests of the demo on either network: starting it,
// reading its banner, logging in with the credentials it prints, and leaving nothing running after a test.
import assert from "node:assert/strict";
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { rm } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import { MatrixClient } from "matrix-bot-sdk";
import { MatrixUser } from "./matrix-user";
import { freePort } from "./ports";
import { alive } from "./processes";

const ROOT = path.resolve(__dirname, "../..");
const SYNAPSE = path.join(ROOT, "scripts/synapse.sh");
const run = promisify(execFile);

export interface Demo {
  proc: ChildProcess;
  out: () => string;
  err: () => string;
  exited: Promise<number | null>;
}

export function startDemo(args: string[], env: Record<string, string> = {}): Demo {
  const proc = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "scripts/demo.ts"), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  proc.stdout!.on("data", (c) => (out += c));
  proc.stderr!.on("data", (c) => (err += c));
  const exited = new Promise<number | null>((r) => proc.on("exit", (code) => r(code)));
  return { proc, out: () => out, err: () => err, exited };
}

/** Resolves with stdout once it matches `re`; rejects if the demo exits first or the time runs out. */
export function waitForOutput(demo: Demo, re: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`no ${re} within ${timeoutMs} ms:\n${demo.out()}\n${demo.err()}`)), timeoutMs);
    const check = () => re.test(demo.out()) && finish();
    const onExit = (code: number | null) => finish(new Error(`the demo exited (${code}) before ${re}:\n${demo.out()}\n${demo.err()}`));
    const finish = (error?: Error) => {
      clearTimeout(timer);
      demo.proc.stdout!.off("data", check);
      demo.proc.off("exit", onExit);
      if (error) reject(error);
      else resolve(demo.out());
    };
    demo.proc.stdout!.on("data", check);
    demo.proc.once("exit", onExit);
    check();
  });
}

/** The banner, once everything is up. */
export const waitForBanner = (demo: Demo): Promise<string> => waitForOutput(demo, /Press Ctrl-C to stop everything/, 200_000);

/** Ctrl-C, and the demo must exit 0. */
export async function interruptDemo(demo: Demo): Promise<void> {
  demo.proc.kill("SIGINT");
  assert.equal(await demo.exited, 0, `the demo exits 0 after SIGINT:\n${demo.out()}\n${demo.err()}`);
}

export function field(banner: string, re: RegExp, what: string): string {
  const m = re.exec(banner);
  assert.ok(m, `the banner shows ${what}:\n${banner}`);
  return m[1];
}

/** The Matrix credentials the banner prints. */
export function bannerCredentials(banner: string): { homeserver: string; username: string; password: string } {
  return {
    homeserver: field(banner, /^\s+homeserver\s+(\S+)$/m, "the homeserver URL"),
    username: field(banner, /^\s+username\s+(\S+)\s+\(@/m, "the Matrix username"),
    password: field(banner, /^\s+password\s+(\S+)$/m, "the Matrix password"),
  };
}

/** Logs in to the demo's homeserver with a password, and starts the user's /sync loop. */
export async function logInToMatrix(homeserver: string, user: string, password: string): Promise<MatrixUser> {
  const res = await fetch(`${homeserver}/_matrix/client/v3/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ type: "m.login.password", identifier: { type: "m.id.user", user }, password }),
  });
  const body = (await res.json()) as { user_id: string; access_token: string };
  assert.equal(res.status, 200, `the printed password logs in: ${JSON.stringify(body)}`);
  const matrix = new MatrixUser(new MatrixClient(homeserver, body.access_token), body.user_id);
  await matrix.start();
  return matrix;
}

export { alive };

export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

export async function distinctPorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}

/** The data folder of the demo's Synapse instance. */
export async function synapseDataDir(instance: string): Promise<string> {
  return (await run("bash", [SYNAPSE, "info", instance])).stdout.trim();
}

export interface DemoLeftovers {
  demo?: Demo;
  bridgePid?: number;
  instance: string;
  /** The demo's --dir. */
  dir: string;
}

/** After a test, passed or failed: stops the demo the polite way first (it stops its own children), then by force. */
export async function cleanUpDemo(p: DemoLeftovers): Promise<void> {
  const { demo } = p;
  if (demo && demo.proc.exitCode === null) {
    demo.proc.kill("SIGINT");
    const timer = setTimeout(() => demo.proc.kill("SIGKILL"), 30_000);
    await demo.exited;
    clearTimeout(timer);
  }
  if (p.bridgePid && alive(p.bridgePid)) process.kill(p.bridgePid, "SIGKILL");
  const dataDir = await synapseDataDir(p.instance);
  await run("bash", [SYNAPSE, "stop", p.instance]).catch(() => undefined);
  await rm(dataDir, { recursive: true, force: true });
  await rm(p.dir, { recursive: true, force: true });
}
