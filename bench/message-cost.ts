// The bridge's CPU per message in each direction, on Gitter and on Mattermost side by side: one user logged in
// with a few portals (seeded), the network's emulator in this process, the homeserver stub answering at once, the
// bridge as a child process (through tsx, as the tests start it). Needs no root.
//
//   npm run bench -- message-cost [--messages 1000] [--runs 3] [--rooms 4] [--alloc 1]
//
// Network -> Matrix: bob posts on the network, round robin over the rooms, until the stub has every ghost send.
// Matrix -> network: the stub pushes alice's messages in transactions of 50, until the network has every post.
// Each run is preceded by a warm-up; the bridge's idle CPU over the run's wall time is taken off. Prints the
// median µs of bridge CPU per message over the runs, and Mattermost's ratio to Gitter, and the requests the
// network's emulator answered per message each way (the bridge is its only client besides the driver's control API).
// --alloc 1 starts the bridge with its inspector on and, after the measured runs, samples what it allocates over one
// more run each way (./alloc-sampler): bytes per message and where, garbage included.
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import YAML from "yaml";
import { configureLogging } from "../src/util/log";
import { startHomeserverStub, type HomeserverStub } from "../test/harness/hs-stub";
import { sample, scrape } from "../test/harness/prom";
import { openSeeder, seedLogins, seedPortals } from "../test/harness/seed";
import { eventually, startBridge, writeBridgeFiles, type BridgeFiles } from "../test/harness/stack";
import { describeMachine, machineLines, table, writeResult } from "./machine";
import { AllocSampler, inspectorUrl, type AllocSummary } from "./alloc-sampler";
import { gitter, mattermost, type CostNetwork, type CostWorld } from "./message-cost-networks";
import { cpuDuring, cpuSeconds } from "./procfs";
import { waitProgress } from "./scale";
import { median, round } from "./stats";

interface Args {
  messages: number;
  runs: number;
  rooms: number;
  /** 1: sample the bridge's allocations over one more run each way. */
  alloc: number;
}

interface NetworkCost {
  network: string;
  /** µs of bridge CPU per message, one value per run. */
  toMatrixUs: number[];
  toNetworkUs: number[];
  /** Requests the emulator answered per message, one value per run. */
  toMatrixRequests: number[];
  toNetworkRequests: number[];
  alloc?: { toMatrix: AllocSummary; toNetwork: AllocSummary };
}

const MXID = "@alice:localhost";
const EVENTS_PER_TXN = 50;
const USAGE = "usage: npm run bench -- message-cost [--messages N] [--runs N] [--rooms N] [--alloc 1]";

function parse(argv: string[]): Args {
  const args: Args = { messages: 1000, runs: 3, rooms: 4, alloc: 0 };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, "");
    const value = Number(argv[i + 1]);
    if (!(key in args) || !Number.isInteger(value) || value < 1) throw new Error(`${USAGE} (bad ${argv[i]})`);
    args[key as keyof Args] = value;
  }
  return args;
}

/** The bridge of `world`, its user and portals seeded, started and connected. */
async function startWorldBridge(dir: string, hs: HomeserverStub, world: CostWorld): Promise<{ files: BridgeFiles; portals: string[] }> {
  const files = await writeBridgeFiles({ dir, homeserverUrl: hs.url, domain: "localhost", ...world.input, logLevel: "warn" });
  const seeder = await openSeeder(dir);
  await seedLogins(seeder, [{ mxid: MXID, ...world.login }]);
  const portals = world.roomIds.map((_, i) => `!p${i}:localhost`);
  await seedPortals(seeder.store, world.roomIds.map((gitterRoomId, i) => ({ mxid: MXID, gitterRoomId, matrixRoomId: portals[i], oneToOne: false, lastGitterMessageId: null })));
  await seeder.store.close();
  return { files, portals };
}

type Traffic = (count: number) => Promise<void>;

/** The two directions' traffic on a running bridge: each resolves once every message crossed. */
function traffic(net: string, world: CostWorld, hs: HomeserverStub, files: BridgeFiles, portals: string[]): { toMatrix: Traffic; toNetwork: Traffic } {
  const hsToken = (YAML.parse(readFileSync(files.registrationPath, "utf8")) as { hs_token: string }).hs_token;
  const asUrl = `http://127.0.0.1:${files.asPort}`;
  let n = 0;
  const toMatrix = async (count: number) => {
    const target = hs.sendCount() + count;
    for (let i = 0; i < count; i++) await world.post(i % portals.length, `to matrix ${++n} with **some** _markdown_`);
    await hs.waitForSends(target, 60_000);
  };
  const toNetwork = async (count: number) => {
    const target = world.ownPosts() + count;
    const events = Array.from({ length: count }, (_, i) => ({
      type: "m.room.message", room_id: portals[i % portals.length], sender: MXID, content: { msgtype: "m.text", body: `to the network ${++n} with *some* **markdown**` },
    }));
    for (let i = 0; i < events.length; i += EVENTS_PER_TXN) await hs.pushTransaction(asUrl, hsToken, events.slice(i, i + EVENTS_PER_TXN));
    await waitProgress(async () => world.ownPosts(), target, `posts on ${net}`, 60_000);
  };
  return { toMatrix, toNetwork };
}

/** A warm-up each way, then `runs` measured runs; the idle CPU over each run's wall time taken off. */
async function runs(pid: number, net: string, args: Args, t: { toMatrix: Traffic; toNetwork: Traffic; requests: () => number }, log: (line: string) => void): Promise<NetworkCost> {
  const cost: NetworkCost = { network: net, toMatrixUs: [], toNetworkUs: [], toMatrixRequests: [], toNetworkRequests: [] };
  await t.toMatrix(Math.min(100, args.messages));
  await t.toNetwork(Math.min(100, args.messages));
  const idle = await idleShare(pid);
  for (let r = 1; r <= args.runs; r++) {
    const r0 = t.requests();
    const a = await cpuDuring(pid, () => t.toMatrix(args.messages));
    const r1 = t.requests();
    const b = await cpuDuring(pid, () => t.toNetwork(args.messages));
    cost.toMatrixRequests.push((r1 - r0) / args.messages);
    cost.toNetworkRequests.push((t.requests() - r1) / args.messages);
    cost.toMatrixUs.push(perMessageUs(a.cpu - idle * a.wall, args.messages));
    cost.toNetworkUs.push(perMessageUs(b.cpu - idle * b.wall, args.messages));
    log(`${net} run ${r}: ->matrix ${round(cost.toMatrixUs.at(-1)!, 0)} µs/msg (${a.wall.toFixed(1)} s), ->${net} ${round(cost.toNetworkUs.at(-1)!, 0)} µs/msg (${b.wall.toFixed(1)} s)`);
  }
  return cost;
}

/** One more run each way with the bridge's allocations sampled (not counted in the CPU figures). */
async function sampleAllocations(sampler: AllocSampler, args: Args, t: { toMatrix: Traffic; toNetwork: Traffic }): Promise<NetworkCost["alloc"]> {
  await sampler.start();
  await t.toMatrix(args.messages);
  const toMatrix = await sampler.stop();
  await sampler.start();
  await t.toNetwork(args.messages);
  return { toMatrix, toNetwork: await sampler.stop() };
}

async function measure(net: CostNetwork, args: Args, log: (line: string) => void): Promise<NetworkCost> {
  const world = await net.start(args.rooms);
  const hs = await startHomeserverStub();
  const dir = await mkdtemp(path.join(os.tmpdir(), `message-cost-${net.name}-`));
  try {
    const { files, portals } = await startWorldBridge(dir, hs, world);
    const bridge = startBridge(files, {}, { nodeArgs: args.alloc ? ["--inspect=127.0.0.1:0"] : [] });
    try {
      // At log level warn the bridge prints no "bridge started": its metrics say when alice is connected.
      const web = `http://127.0.0.1:${files.webPort}`;
      const connected = async () => sample(await scrape(web), "gitter_bridge_connected_users") === 1;
      await eventually(() => connected().catch(() => false), "alice connected", 60_000);
      const t = { ...traffic(net.name, world, hs, files, portals), requests: world.requests };
      const cost = await runs(bridge.proc.pid!, net.name, args, t, log);
      if (!args.alloc) return cost;
      const sampler = await AllocSampler.open(inspectorUrl(await bridge.waitForLine(/Debugger listening on ws:/)));
      try {
        return { ...cost, alloc: await sampleAllocations(sampler, args, t) };
      } finally {
        sampler.close();
      }
    } finally {
      await bridge.stop();
    }
  } finally {
    await hs.stop();
    await world.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

const perMessageUs = (cpuSeconds: number, messages: number) => (Math.max(cpuSeconds, 0) / messages) * 1e6;

/** The bridge's CPU share of one core over 5 s with nothing to bridge. */
async function idleShare(pid: number): Promise<number> {
  await new Promise((r) => setTimeout(r, 1000));
  const cpu0 = cpuSeconds(pid);
  await new Promise((r) => setTimeout(r, 5000));
  return (cpuSeconds(pid) - cpu0) / 5;
}

/** Runs the benchmark; resolves with the process exit code. */
export async function run(argv: string[]): Promise<number> {
  const args = parse(argv);
  configureLogging({ level: "warn" });
  const log = (line: string) => console.log(line);
  const machine = await describeMachine();
  const costs: NetworkCost[] = [];
  for (const net of [gitter, mattermost]) costs.push(await measure(net, args, log));
  const base = costs[0];
  const rows: Array<Array<string | number>> = [["network", "network->Matrix µs/msg", "ratio", "requests/msg", "Matrix->network µs/msg", "ratio", "requests/msg"]];
  for (const c of costs) {
    const [tm, tn] = [median(c.toMatrixUs), median(c.toNetworkUs)];
    const [qm, qn] = [round(median(c.toMatrixRequests), 2), round(median(c.toNetworkRequests), 2)];
    rows.push([c.network, round(tm, 0), round(tm / median(base.toMatrixUs), 2), qm, round(tn, 0), round(tn / median(base.toNetworkUs), 2), qn]);
  }
  for (const c of costs) if (c.alloc) console.log(allocLines(c.network, args.messages, c.alloc));
  console.log(["", ...machineLines(machine), `${args.messages} messages each way per run, ${args.runs} runs, ${args.rooms} rooms; medians`, "", table(rows), ""].join("\n"));
  console.log(`result: ${await writeResult("message-cost", { machine, args, costs })}`);
  return 0;
}

function allocLines(net: string, messages: number, alloc: NonNullable<NetworkCost["alloc"]>): string {
  const kib = (bytes: number) => `${round(bytes / messages / 1024, 1)} KiB/msg`;
  const top = (s: AllocSummary) => s.byArea.slice(0, 8).map((l) => `${l.name} ${round(l.share * 100, 1)}%`).join(", ");
  return [
    `${net} ->matrix allocated ${kib(alloc.toMatrix.bytes)}: ${top(alloc.toMatrix)}`,
    `${net} ->${net} allocated ${kib(alloc.toNetwork.bytes)}: ${top(alloc.toNetwork)}`,
  ].join("\n");
}
