// The stack both Synapse benchmarks measure: the emulator in this process, a real Synapse, the bridge as a
// child process, and one Matrix user ("alice") logged in to Gitter with a portal per room. Gitter people
// ("poster1".."posterN") are members of every room. The emulator's rate limit is lifted, because the bridge
// sends alice's messages with alice's own token and 100 requests a minute would measure the limit instead.
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import YAML from "yaml";
import type { FixtureData } from "../emulator/fixture";
import type { LiveEvent, LiveSource } from "../emulator/live";
import { startBridgedStack, type BridgedStack } from "../test/harness/bridged-stack";
import { sample, scrape } from "../test/harness/prom";
import { eventually } from "../test/harness/stack";

export const USER = "alice";
/** What the benchmark sets the emulator's rate limit to (requests per 60 s per token). */
export const LIFTED_RATE_LIMIT = 1_000_000_000;

export interface BenchStackOptions {
  name: string;
  rooms: string[];
  posters: number;
  /** Write a V8 CPU profile of the bridge process into this folder when it exits. */
  profileDir?: string;
}

export interface BenchStack {
  stack: BridgedStack;
  posters: string[];
  /** Gitter room uri -> alice's portal. */
  portals: Map<string, string>;
  aliceToken: string;
  /** The running bridge process's pid (a restart changes it). */
  bridgePid: number;
  synapsePid: number;
}

function fixture(rooms: string[], posters: string[]): FixtureData {
  const users = [USER, ...posters];
  return {
    users: users.map((u) => ({ username: u, displayName: u, password: `${u}-pass` })),
    rooms: rooms.map((uri) => ({ uri, members: users })),
  };
}

export async function startBenchStack(opts: BenchStackOptions): Promise<BenchStack> {
  const posters = Array.from({ length: opts.posters }, (_, i) => `poster${i + 1}`);
  const bridgeNodeArgs = opts.profileDir ? ["--cpu-prof", `--cpu-prof-dir=${opts.profileDir}`] : undefined;
  const stack = await startBridgedStack({
    name: opts.name,
    fixture: fixture(opts.rooms, posters),
    users: [{ localpart: USER, gitterUsername: USER, gitterPassword: `${USER}-pass`, rooms: opts.rooms }],
    bridgeNodeArgs,
  });
  try {
    await stack.control("/rate-limit", { method: "PUT", body: { limit: LIFTED_RATE_LIMIT, windowSeconds: 60 } });
    const alice = stack.users.get(USER)!;
    // The harness's own /sync loop (2 s polls, every room) would add Synapse work the benchmark does not ask for.
    await alice.matrix.stop();
    const aliceToken = alice.matrix.client.accessToken;
    const bridgePid = stack.bridge.proc.pid;
    if (bridgePid === undefined) throw new Error("the bridge process has no pid");
    return { stack, posters, portals: alice.portals, aliceToken, bridgePid, synapsePid: await stack.synapse.pid() };
  } catch (err) {
    await stack.stop();
    throw err;
  }
}

/**
 * Restarts the bridge with `sqlite.synchronous` set to `level` in its config and waits until alice's session is
 * connected and every room caught up; updates `b.bridgePid`.
 */
export async function restartWithSynchronous(b: BenchStack, level: string): Promise<void> {
  const file = b.stack.files.configPath;
  const config = YAML.parse(await readFile(file, "utf8")) as Record<string, unknown>;
  await writeFile(file, YAML.stringify({ ...config, sqlite: { synchronous: level } }));
  await b.stack.bridge.stop();
  await b.stack.restartBridge();
  const pid = b.stack.bridge.proc.pid;
  if (pid === undefined) throw new Error("the bridge process has no pid");
  b.bridgePid = pid;
  const webUrl = `http://127.0.0.1:${b.stack.files.webPort}`;
  await eventually(async () => {
    const m = await scrape(webUrl);
    return sample(m, "gitter_bridge_connected_users") === 1 && sample(m, "gitter_bridge_rooms_catching_up") === 0;
  }, "alice connected and caught up after the restart", 60_000);
}

export function profileFolder(name: string): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), `${name}-profile-`));
}

/** Runs `n` tasks with at most `width` in flight, in index order per lane (lane = index % width). */
export async function lanes(n: number, width: number, task: (i: number) => Promise<void>): Promise<void> {
  const lane = async (first: number) => {
    for (let i = first; i < n; i += width) await task(i);
  };
  await Promise.all(Array.from({ length: Math.min(width, n) }, (_, k) => lane(k)));
}

/** Notes when each message text was first posted on the emulator (its own live events, in this process). */
export class GitterWatch {
  readonly seenAt = new Map<string, number>();
  private readonly waiters = new Set<(text: string, at: number) => void>();
  private readonly listener = (e: LiveEvent) => {
    if (e.kind !== "chat" || e.operation !== "create" || typeof e.model.text !== "string") return;
    if (this.seenAt.has(e.model.text)) return;
    const at = performance.now();
    this.seenAt.set(e.model.text, at);
    for (const w of [...this.waiters]) w(e.model.text, at);
  };

  constructor(private readonly source: LiveSource) {
    source.on("live", this.listener);
  }

  stop(): void {
    this.source.off("live", this.listener);
  }

  /** Resolves with the time the last of `count` texts starting with `prefix` was posted. */
  waitForCount(prefix: string, count: number, timeoutMs: number): Promise<number> {
    return countUntil(this.seenAt, this.waiters, (t) => t.startsWith(prefix), count, timeoutMs, `${prefix}* on Gitter`);
  }
}

/**
 * Counts the entries of `seen` whose key `match`es, then each new one reported to the waiter it adds
 * to `waiters`; resolves with the latest time once `count` are there. Never rescans `seen` after the start.
 */
export function countUntil(
  seen: Map<string, number>,
  waiters: Set<(key: string, at: number) => void>,
  match: (key: string) => boolean,
  count: number,
  timeoutMs: number,
  what: string,
): Promise<number> {
  let n = 0;
  let last = 0;
  for (const [key, at] of seen) if (match(key)) (n++, (last = Math.max(last, at)));
  if (n >= count) return Promise.resolve(last);
  return new Promise((resolve, reject) => {
    const waiter = (key: string, at: number) => {
      if (!match(key)) return;
      n++;
      last = Math.max(last, at);
      if (n < count) return;
      waiters.delete(waiter);
      clearTimeout(timer);
      resolve(last);
    };
    const timer = setTimeout(() => (waiters.delete(waiter), reject(new Error(`timed out: ${n}/${count} of ${what}`))), timeoutMs);
    waiters.add(waiter);
  });
}
