// The bridge under test: files written and the process started exactly as an operator would (the stack
// harness), plus what the benchmark reads from it: /metrics, CPU and memory from /proc, a CPU profile on demand.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdir, readdir } from "node:fs/promises";
import path from "node:path";
import YAML from "yaml";
import { sample, scrape } from "../test/harness/prom";
import { eventually, startBridge, writeBridgeFiles, type BridgeFiles, type BridgeProcess } from "../test/harness/stack";

export interface BenchBridgeSetup {
  dir: string;
  homeserverUrl: string;
  gitterUrl: string;
  clientId: string;
  database?: string;
}

export interface BenchBridge {
  files: BridgeFiles;
  hsToken: string;
  webUrl: string;
  asUrl: string;
}

export async function prepareBridge(setup: BenchBridgeSetup): Promise<BenchBridge> {
  const files = await writeBridgeFiles({
    dir: setup.dir,
    homeserverUrl: setup.homeserverUrl,
    domain: "localhost",
    gitterUrl: setup.gitterUrl,
    clientId: setup.clientId,
    clientSecret: "bench-secret",
    database: setup.database,
    logLevel: "info",
  });
  const registration = YAML.parse(readFileSync(files.registrationPath, "utf8")) as { hs_token: string };
  return { files, hsToken: registration.hs_token, webUrl: `http://127.0.0.1:${files.webPort}`, asUrl: `http://127.0.0.1:${files.asPort}` };
}

export interface RunningBridge {
  proc: BridgeProcess;
  pid: number;
  webUrl: string;
  /** performance.now() when the process was spawned. */
  spawnedAt: number;
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  /** Writes a heap snapshot (only when started with `heapDir`) and resolves with its path once complete. */
  heapSnapshot(): Promise<string>;
  /** Stops with SIGTERM; returns the CPU profile written, if profiling. */
  stop(): Promise<string | undefined>;
}

const ROOT = path.resolve(__dirname, "..");
/** The compiled bridge, as the Docker image runs it (tsx would add its own costs to every function). */
export const BUILT_ENTRY = path.join(ROOT, "dist/src/index.js");

/** Compiles the bridge into dist/ (what `npm run build` makes of src/ and migrations/). Throws on errors. */
export function buildBridge(): void {
  // typescript's "exports" do not include bin/tsc: reach it from the package's folder.
  const tsc = path.join(path.dirname(require.resolve("typescript/package.json")), "bin/tsc");
  execFileSync(process.execPath, [tsc, "-p", path.join(ROOT, "bench/tsconfig.build.json")], { stdio: "inherit" });
}

/**
 * Starts the compiled bridge; with `profileDir`, under `--cpu-prof` (the profile is written when it stops); with
 * `heapDir`, ready to write a heap snapshot on SIGUSR2.
 */
export async function runBridge(bridge: BenchBridge, opts: { profileDir?: string; heapDir?: string; nodeArgs?: string[] } = {}): Promise<RunningBridge> {
  const nodeArgs: string[] = [...(opts.nodeArgs ?? [])];
  if (opts.profileDir) {
    await mkdir(opts.profileDir, { recursive: true });
    nodeArgs.push("--cpu-prof", `--cpu-prof-dir=${opts.profileDir}`);
  }
  if (opts.heapDir) {
    await mkdir(opts.heapDir, { recursive: true });
    nodeArgs.push("--heapsnapshot-signal=SIGUSR2", `--diagnostic-dir=${opts.heapDir}`);
  }
  const spawnedAt = performance.now();
  const proc = startBridge(bridge.files, {}, { nodeArgs, entry: BUILT_ENTRY });
  await proc.waitForLine(/bridge started/, 120_000);
  return {
    proc,
    pid: proc.proc.pid!,
    webUrl: bridge.webUrl,
    spawnedAt,
    metric: async (name, labels) => sample(await scrape(bridge.webUrl), name, labels) ?? NaN,
    heapSnapshot: () => heapSnapshot(proc, bridge.webUrl, opts.heapDir),
    stop: async () => {
      const code = await proc.stop();
      if (code !== 0) throw new Error(`the bridge exited with ${code}; last lines:\n${proc.lines.slice(-10).join("\n")}`);
      if (!opts.profileDir) return undefined;
      // One profile per thread; the main thread's carries ".0." after the pid (the other is tsx's loader).
      const profiles = (await readdir(opts.profileDir)).filter((f) => /\.\d+\.0\.\d+\.cpuprofile$/.test(f)).sort();
      return profiles.length ? path.join(opts.profileDir, profiles[profiles.length - 1]) : undefined;
    },
  };
}

/** The bridge writes the snapshot on its main thread: once /metrics answers again, the file is complete. */
async function heapSnapshot(proc: BridgeProcess, webUrl: string, dir: string | undefined): Promise<string> {
  if (!dir) throw new Error("the bridge was not started with a heap snapshot folder");
  const before = new Set(await readdir(dir));
  proc.proc.kill("SIGUSR2");
  await eventually(async () => (await readdir(dir)).some((f) => !before.has(f)), "a heap snapshot file", 60_000);
  await scrape(webUrl);
  const made = (await readdir(dir)).filter((f) => !before.has(f) && f.endsWith(".heapsnapshot"));
  if (made.length !== 1) throw new Error(`expected one new heap snapshot in ${dir}, found ${made.length}`);
  return path.join(dir, made[0]);
}

/**
 * Waits until every one of `users` sessions is connected and every watched room has caught up, the sessions
 * were all resumed (so every portal is watched) and `extra` holds. Returns seconds since the spawn.
 */
export async function waitCaughtUp(bridge: RunningBridge, users: number, extra: () => boolean | Promise<boolean>, timeoutMs: number): Promise<number> {
  await eventually(
    async () => {
      // A session that failed to resume may still connect, with no rooms: that is a failed run, not a fast one.
      const failed = bridge.proc.lines.find((l) => l.includes('"could not resume a session"'));
      if (failed) throw new Error(`a session failed to resume: ${failed}`);
      if (!bridge.proc.lines.some((l) => l.includes('"sessions resumed"'))) return false;
      const m = await scrape(bridge.webUrl);
      return sample(m, "gitter_bridge_connected_users") === users && sample(m, "gitter_bridge_rooms_catching_up") === 0 && (await extra());
    },
    `${users} sessions connected and caught up`,
    timeoutMs,
  );
  return (performance.now() - bridge.spawnedAt) / 1000;
}
