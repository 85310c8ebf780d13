// The stack both Synapse benchmarks measure, on Gitter or Mattermost: the network's emulator in this process, a real
// Synapse, the bridge as a child process, and one Matrix user ("alice") logged in to the network with a portal per
// room. The network's people ("poster1".."posterN") are members of every room. Each network's part is in
// bench-networks.ts (the emulator's rate limit is out of the way: the bridge sends alice's messages with her token).
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import YAML from "yaml";
import { sample, scrape } from "../test/harness/prom";
import { eventually } from "../test/harness/stack";
import { startNetwork, type BenchNetwork, type NetworkStack, type PostSource } from "./bench-networks";

export const USER = "alice";

export interface BenchStackOptions {
  name: string;
  /** Room names as the network's control API takes them (a Gitter uri, a Mattermost "team/channel"). */
  rooms: string[];
  posters: number;
  /** Gitter unless given. */
  network?: BenchNetwork;
  /** Write a V8 CPU profile of the bridge process into this folder when it exits. */
  profileDir?: string;
}

export interface BenchStack {
  network: BenchNetwork;
  stack: NetworkStack;
  posters: string[];
  /** Room name -> alice's portal. */
  portals: Map<string, string>;
  aliceToken: string;
  /** The running bridge process's pid (a restart changes it). */
  bridgePid: number;
  synapsePid: number;
  /** How the emulator's rate limit was set, for the report. */
  rateLimit: string;
  /** Posts `text` as the network's user `poster` in `room`, through the emulator's control API. */
  postAs(poster: string, room: string, text: string): Promise<void>;
  /** Every post the emulator creates, by text (stopped with the stack). */
  posts: PostWatch;
  stop(): Promise<void>;
}

export async function startBenchStack(opts: BenchStackOptions): Promise<BenchStack> {
  const posters = Array.from({ length: opts.posters }, (_, i) => `poster${i + 1}`);
  const bridgeNodeArgs = opts.profileDir ? ["--cpu-prof", `--cpu-prof-dir=${opts.profileDir}`] : undefined;
  const network = opts.network ?? "gitter";
  const spec = { name: opts.name, user: USER, posters, rooms: opts.rooms, logLevel: "info" as const, bridgeNodeArgs };
  const { stack, driver, posts, rateLimit } = await startNetwork(network, spec);
  const watch = new PostWatch(posts);
  try {
    const alice = stack.users.get(USER)!;
    // The harness's own /sync loop (2 s polls, every room) would add Synapse work the benchmark does not ask for.
    await alice.matrix.stop();
    const aliceToken = alice.matrix.client.accessToken;
    const bridgePid = stack.bridge.proc.pid;
    if (bridgePid === undefined) throw new Error("the bridge process has no pid");
    const stop = () => (watch.stop(), stack.stop());
    const synapsePid = await stack.synapse.pid();
    return { network, stack, posters, portals: alice.portals, aliceToken, bridgePid, synapsePid, rateLimit, postAs: driver.postAs, posts: watch, stop };
  } catch (err) {
    watch.stop();
    await stack.stop();
    throw err;
  }
}

/**
 * Restarts the bridge with `sqlite.synchronous` set to `level` in its config and waits until alice's session is
 * connected and every room caught up; updates `b.bridgePid`. (The metrics keep their gitter_bridge_ prefix on
 * either network.)
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

/** Notes when each post's text was first created on the emulator (its own events, in this process). */
export class PostWatch {
  readonly seenAt = new Map<string, number>();
  private readonly waiters = new Set<(text: string, at: number) => void>();
  private readonly unsubscribe: () => void;

  constructor(source: PostSource) {
    this.unsubscribe = source((text) => {
      if (this.seenAt.has(text)) return;
      const at = performance.now();
      this.seenAt.set(text, at);
      for (const w of [...this.waiters]) w(text, at);
    });
  }

  stop(): void {
    this.unsubscribe();
  }

  /** Resolves with the time the last of `count` texts starting with `prefix` was posted. */
  waitForCount(prefix: string, count: number, timeoutMs: number): Promise<number> {
    return countUntil(this.seenAt, this.waiters, (t) => t.startsWith(prefix), count, timeoutMs, `${prefix}* on the network`);
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
