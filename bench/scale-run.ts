// The scale benchmark: a number of logged-in users with ROOMS_PER_USER rooms each, against the Gitter emulator
// (its own process) and a no-op homeserver stub, so what is measured is the bridge. Needs no root.
//
//   npm run bench -- scale [--users 1000] [--rate-limit 100] [--profile] [--heap] [--keep] [--node-option OPT]...
//
// Prints start and restart times (until every session is connected and caught up), CPU per bridged message in
// each direction, idle CPU, memory and the realtime connections per user, then the whole result as JSON.
// --profile runs the bridge under --cpu-prof and prints where each direction's CPU went; --heap takes a heap
// snapshot once idle after the traffic and prints what the live heap holds; --node-option passes an option to
// node running the bridge (e.g. --node-option=--optimize-for-size), and may repeat; --keep keeps the
// temporary folder (database, logs, profiles). The bridge runs compiled (dist/), as the Docker image does.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { configureLogging } from "../src/util/log";
import { startHomeserverStub } from "../test/harness/hs-stub";
import { buildBridge, prepareBridge } from "./bridge-runner";
import { startEmulatorProcess } from "./emulator-client";
import { BLOCK } from "./layout";
import { heapMarkdown, summarizeHeap } from "./heap";
import { profileMarkdown, summarizeProfile } from "./profile";
import { runScale, type ScaleResult } from "./scale";

interface Args {
  users: number;
  rateLimit: number;
  profile: boolean;
  heap: boolean;
  keep: boolean;
  nodeOptions: string[];
}

const USAGE = "usage: npm run bench -- scale [--users N] [--rate-limit N] [--profile] [--heap] [--keep] [--node-option=OPT]...";

function parse(argv: string[]): Args {
  const args: Args = { users: 1000, rateLimit: 100, profile: false, heap: false, keep: false, nodeOptions: [] };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag.startsWith("--node-option=")) {
      args.nodeOptions.push(flag.slice("--node-option=".length));
      continue;
    }
    const name = flag.replace(/^--/, "");
    if (name === "profile" || name === "heap" || name === "keep") {
      args[name] = true;
      continue;
    }
    const value = Number(argv[++i]);
    if (!Number.isInteger(value) || value < 1) throw new Error(`${USAGE} (bad ${flag})`);
    if (flag === "--users") args.users = value;
    else if (flag === "--rate-limit") args.rateLimit = value;
    else throw new Error(`${USAGE} (unknown ${flag})`);
  }
  return args;
}

function summary(r: ScaleResult): string[] {
  const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
  const dir = (name: string, d: ScaleResult["g2m"]) =>
    `${name}: ${d.messages} messages, ${d.perMessageUs.toFixed(0)} us CPU each (${d.perCorePerSecond.toFixed(0)}/s per core), ${d.wallSeconds.toFixed(1)} s`;
  return [
    `users ${r.users}, portals ${r.portals}`,
    `start ${r.startSeconds.toFixed(1)} s, restart ${r.restartSeconds.toFixed(1)} s (every session connected and caught up)`,
    dir("gitter->matrix", r.g2m),
    dir("matrix->gitter", r.m2g),
    `idle CPU ${(r.idleCpuShare * 100).toFixed(1)}% of a core; RSS ${mib(r.rssBytes)} (peak ${mib(r.peakRssBytes)}), heap ${mib(r.heapUsedBytes)}, external ${mib(r.externalBytes)}`,
    `emulator: ${r.emulator.fayeClients} Faye clients for ${r.emulator.fayeUsers} users (at most ${r.emulator.maxFayeClientsPerUser} each), ${r.emulator.connections} connections; rate-limit waits ${r.rateLimitWaits}`,
  ];
}

/** Runs one scale; resolves with the process exit code (0 once both runs caught up and every message arrived). */
export async function run(argv: string[]): Promise<number> {
  const args = parse(argv);
  configureLogging({ level: "warn" });
  const dir = await mkdtemp(path.join(os.tmpdir(), "bench-scale-"));
  const lay = { users: Math.ceil(args.users / BLOCK) * BLOCK, prefix: "b", clientId: "bench" };
  const emulator = await startEmulatorProcess({ ...lay, rateLimit: args.rateLimit });
  const hs = await startHomeserverStub({ keepSends: false });
  try {
    const bridge = await prepareBridge({ dir, homeserverUrl: hs.url, gitterUrl: emulator.url, clientId: "bench" });
    buildBridge();
    const profileDir = args.profile ? path.join(dir, "prof") : undefined;
    const heapDir = args.heap ? path.join(dir, "heap") : undefined;
    const r = await runScale({ dir, emulator, hs, bridge, layout: lay, seeded: 0, profileDir, heapDir, nodeArgs: args.nodeOptions, log: (m) => console.log(m) }, args.users);
    if (args.nodeOptions.length) console.log(`bridge run with node ${args.nodeOptions.join(" ")}`);
    for (const line of summary(r)) console.log(line);
    console.log(JSON.stringify(r, null, 2));
    if (r.profile) {
      const windows: Array<[string, [number, number]]> = [["start", [0, r.startSeconds]], ["g2m", r.g2m.window], ["m2g", r.m2g.window]];
      for (const [name, window] of windows) console.log(profileMarkdown(name, summarizeProfile(r.profile, 25, window), 25));
    }
    if (r.heapSnapshot) console.log(heapMarkdown(`live heap at ${r.users} users, idle after the traffic`, summarizeHeap(r.heapSnapshot, 25)));
    return 0;
  } finally {
    await emulator.stop();
    await hs.stop();
    if (args.keep) console.log(`kept ${dir}`);
    else await rm(dir, { recursive: true, force: true });
  }
}
