// Benchmarks against the no-op homeserver, at one scale (a number of logged-in users with ROOMS_PER_USER rooms
// each): start and restart until every session is connected and caught up, CPU per bridged message in each
// direction, idle CPU, memory, and the realtime connections each user holds on the emulator.
import type { Portal } from "../src/store/store";
import type { HomeserverStub } from "../test/harness/hs-stub";
import { bulkSeed, openSeeder } from "../test/harness/seed";
import { waitCaughtUp, runBridge, type BenchBridge, type RunningBridge } from "./bridge-runner";
import type { EmulatorProcess } from "./emulator-client";
import type { EmulatorStats, Post } from "./emulator-proc";
import { BLOCK, GROUP_ROOMS, layout, type LayoutOptions } from "./layout";
import { cpuDuring, cpuSeconds, memory } from "./procfs";
import { median } from "./stats";

export interface DirectionCost {
  /** When the measured run began and ended, in seconds since the bridge was spawned (to cut its CPU profile). */
  window: [number, number];
  /** Messages bridged (Matrix events sent, or Gitter messages posted). */
  messages: number;
  cpuSeconds: number;
  wallSeconds: number;
  /** CPU the bridge spends when idle at this scale, already taken out of perMessageUs. */
  idleCpuSeconds: number;
  perMessageUs: number;
  /** 1 / perMessage: what one core would bridge per second. */
  perCorePerSecond: number;
}

export interface ScaleResult {
  /** The CPU profile of the first run, when profiling. */
  profile: string | undefined;
  /** A heap snapshot taken once idle after the traffic, when asked for. */
  heapSnapshot: string | undefined;
  users: number;
  portals: number;
  startSeconds: number;
  restartSeconds: number;
  /** Share of one core the bridge uses with nothing to bridge (pings, timers). */
  idleCpuShare: number;
  g2m: DirectionCost;
  m2g: DirectionCost;
  rssBytes: number;
  peakRssBytes: number;
  heapUsedBytes: number;
  /** Memory of C++ objects bound to JavaScript ones (buffers, sockets' native state), outside the JS heap. */
  externalBytes: number;
  emulator: EmulatorStats;
  rateLimitWaits: number;
}

export interface ScaleEnv {
  dir: string;
  emulator: EmulatorProcess;
  hs: HomeserverStub;
  bridge: BenchBridge;
  layout: LayoutOptions;
  /** Users already seeded by an earlier (smaller) scale. */
  seeded: number;
  profileDir?: string;
  heapDir?: string;
  /** Options for node running the bridge (V8 memory flags, say), on both starts. */
  nodeArgs?: string[];
  log(msg: string): void;
}

export const G2M_POSTS = 800;
export const M2G_EVENTS = 4000;
const EVENTS_PER_TXN = 50;

/** Seeds users [from, to) as logged in, with a portal for each of their rooms (cursor: now). */
export async function seedUsers(env: ScaleEnv, from: number, to: number): Promise<void> {
  // Opening the store once migrates the schema the bulk insert writes into.
  await (await openSeeder(env.dir)).store.close();
  {
    const cursor = Math.floor(Date.now() / 1000).toString(16).padStart(8, "0") + "0".repeat(16);
    const logins = [];
    const portals: Portal[] = [];
    for (let i = from; i < to; i++) {
      const mxid = layout.mxid(env.layout, i, "localhost");
      logins.push({ mxid, gitterUserId: layout.userId(i), gitterUsername: layout.username(env.layout, i), token: layout.token(env.layout, i) });
      const block = Math.floor(i / BLOCK);
      for (let k = 0; k < GROUP_ROOMS; k++) {
        portals.push({ mxid, gitterRoomId: layout.groupRoomId(block, k), matrixRoomId: `!g${i}_${k}:localhost`, oneToOne: false, lastGitterMessageId: cursor });
      }
      portals.push({ mxid, gitterRoomId: layout.dmRoomId(i), matrixRoomId: `!d${i}:localhost`, oneToOne: true, lastGitterMessageId: cursor });
    }
    await bulkSeed(env.dir, logins, portals);
  }
}

export async function runScale(env: ScaleEnv, users: number): Promise<ScaleResult> {
  env.log(`scale ${users}: seeding users ${env.seeded}..${users}`);
  await seedUsers(env, env.seeded, users);
  env.seeded = users;
  let bridge = await runBridge(env.bridge, { profileDir: env.profileDir, heapDir: env.heapDir, nodeArgs: env.nodeArgs });
  const startSeconds = await waitCaughtUp(bridge, users, () => true, 300_000);
  env.log(`scale ${users}: started and caught up in ${startSeconds.toFixed(1)} s`);
  const g2m = await gitterToMatrix(env, bridge, users);
  const m2g = await matrixToGitter(env, bridge, users);
  const idle = await idleCpu(bridge);
  g2m.idleCpuSeconds = idle * g2m.wallSeconds;
  m2g.idleCpuSeconds = idle * m2g.wallSeconds;
  for (const d of [g2m, m2g]) finishCost(d);
  const steady = await steadyState(env, bridge);
  const heapSnapshot = env.heapDir ? await bridge.heapSnapshot() : undefined;
  const rateLimitWaits = await bridge.metric("gitter_bridge_gitter_rate_limit_waits_total", { reason: "exhausted" }).catch(() => 0);
  const profile = await bridge.stop();

  // Messages posted while the bridge is down must all arrive once it is back: one per block's first room.
  const missed: Post[] = [];
  for (let b = 0; b < layout.blocks(users); b++) missed.push({ user: layout.speaker(env.layout, b), room: layout.groupRoomId(b, 0), text: `while down ${b}` });
  await env.emulator.post(missed, 1000);
  const sendsBefore = env.hs.sendCount();
  bridge = await runBridge(env.bridge, { nodeArgs: env.nodeArgs });
  const restartSeconds = await waitCaughtUp(bridge, users, () => env.hs.sendCount() >= sendsBefore + users, 300_000);
  env.log(`scale ${users}: restarted and caught up in ${restartSeconds.toFixed(1)} s`);
  await bridge.stop();
  return { profile, heapSnapshot, users, portals: users * (GROUP_ROOMS + 1), startSeconds, restartSeconds, idleCpuShare: idle, g2m, m2g, ...steady, rateLimitWaits: Number.isNaN(rateLimitWaits) ? 0 : rateLimitWaits };
}

/** Posts from each block's speaker into its rooms; every post reaches the BLOCK portals of that room. */
async function gitterToMatrix(env: ScaleEnv, bridge: RunningBridge, users: number): Promise<DirectionCost> {
  const blocks = layout.blocks(users);
  const posts = (n: number, tag: string): Post[] =>
    Array.from({ length: n }, (_, j) => {
      const b = j % blocks;
      return { user: layout.speaker(env.layout, b), room: layout.groupRoomId(b, Math.floor(j / blocks) % GROUP_ROOMS), text: `${tag} ${j} with **some** _markdown_ and a https://example.org link` };
    });
  // Warm-up: the first message in a room registers the speaker's ghost and joins it to each portal.
  const warm = posts(Math.min(G2M_POSTS, blocks * GROUP_ROOMS), "warm-up");
  let target = env.hs.sendCount() + warm.length * BLOCK;
  await env.emulator.post(warm, 500);
  await env.hs.waitForSends(target);
  target += G2M_POSTS * BLOCK;
  const from = sinceSpawn(bridge);
  const run = await cpuDuring(bridge.pid, async () => {
    await env.emulator.post(posts(G2M_POSTS, "measured"), 200);
    await env.hs.waitForSends(target);
  });
  env.log(`scale ${users}: gitter->matrix ${G2M_POSTS * BLOCK} sends, ${run.cpu.toFixed(2)} s CPU in ${run.wall.toFixed(1)} s`);
  return cost(G2M_POSTS * BLOCK, run.cpu, run.wall, [from, sinceSpawn(bridge)]);
}

/** Each user writes in their one-to-one portal; the homeserver stub delivers the events in transactions of 50. */
async function matrixToGitter(env: ScaleEnv, bridge: RunningBridge, users: number): Promise<DirectionCost> {
  const events = (n: number, tag: string) =>
    Array.from({ length: n }, (_, j) => {
      const i = j % users;
      return { type: "m.room.message", room_id: `!d${i}:localhost`, sender: layout.mxid(env.layout, i, "localhost"), content: { msgtype: "m.text", body: `${tag} ${j} with *some* **markdown**` } };
    });
  const push = async (list: Record<string, unknown>[]) => {
    const before = (await env.emulator.stats()).messages;
    for (let i = 0; i < list.length; i += EVENTS_PER_TXN) await env.hs.pushTransaction(env.bridge.asUrl, env.bridge.hsToken, list.slice(i, i + EVENTS_PER_TXN));
    await waitProgress(async () => (await env.emulator.stats()).messages, before + list.length, "messages on Gitter");
  };
  await push(events(Math.min(users, 500), "warm-up"));
  const from = sinceSpawn(bridge);
  const run = await cpuDuring(bridge.pid, () => push(events(M2G_EVENTS, "measured")));
  env.log(`scale ${users}: matrix->gitter ${M2G_EVENTS} messages, ${run.cpu.toFixed(2)} s CPU in ${run.wall.toFixed(1)} s`);
  return cost(M2G_EVENTS, run.cpu, run.wall, [from, sinceSpawn(bridge)]);
}

const sinceSpawn = (bridge: RunningBridge) => (performance.now() - bridge.spawnedAt) / 1000;

function cost(messages: number, cpu: number, wall: number, window: [number, number]): DirectionCost {
  return { window, messages, cpuSeconds: cpu, wallSeconds: wall, idleCpuSeconds: 0, perMessageUs: 0, perCorePerSecond: 0 };
}

function finishCost(d: DirectionCost): void {
  const busy = Math.max(d.cpuSeconds - d.idleCpuSeconds, 1e-9);
  d.perMessageUs = (busy / d.messages) * 1e6;
  d.perCorePerSecond = d.messages / busy;
}

/** CPU share of one core over 10 s with nothing to bridge. */
async function idleCpu(bridge: RunningBridge): Promise<number> {
  await new Promise((r) => setTimeout(r, 2000));
  const cpu0 = cpuSeconds(bridge.pid);
  await new Promise((r) => setTimeout(r, 10_000));
  return (cpuSeconds(bridge.pid) - cpu0) / 10;
}

type SteadyState = Pick<ScaleResult, "rssBytes" | "peakRssBytes" | "heapUsedBytes" | "externalBytes" | "emulator">;

async function steadyState(env: ScaleEnv, bridge: RunningBridge): Promise<SteadyState> {
  const [rss, heap, external]: number[][] = [[], [], []];
  for (let i = 0; i < 3; i++) {
    rss.push(memory(bridge.pid).rss);
    heap.push(await bridge.metric("nodejs_heap_size_used_bytes"));
    external.push(await bridge.metric("nodejs_external_memory_bytes"));
    await new Promise((r) => setTimeout(r, 1000));
  }
  const emulator = await env.emulator.stats();
  return { rssBytes: median(rss), peakRssBytes: memory(bridge.pid).peakRss, heapUsedBytes: median(heap), externalBytes: median(external), emulator };
}

/** Polls `read` until it reaches `target`; fails only once it has not moved for `stallMs`. */
export async function waitProgress(read: () => Promise<number>, target: number, what: string, stallMs = 30_000): Promise<void> {
  let seen = await read();
  let lastProgress = Date.now();
  while (seen < target) {
    await new Promise((r) => setTimeout(r, 20));
    const now = await read();
    if (now !== seen) [seen, lastProgress] = [now, Date.now()];
    if (Date.now() - lastProgress > stallMs) throw new Error(`${what}: stuck at ${seen} of ${target}`);
  }
}
