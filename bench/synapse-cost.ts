// Cost per bridged message against real Synapse, both directions, at 1x, 4x and 16x the load:
//
//   npm run bench -- synapse-cost [--base 50] [--scales 1,4,16] [--rounds 3] [--rooms 4] [--posters 4] [--profile]
//                                 [--synchronous full,normal] [--network gitter,mattermost]
//
// Network -> Matrix: the network's people post on its emulator (control API) into rooms alice has portals for,
// until alice's /sync has seen them all. Matrix -> network: alice sends into her portals through Synapse's client
// API, until the emulator has created them all. The CPU time (utime + stime from /proc) of the bridge process and of the
// Synapse process over each window, less what each uses idle over a quiet window, divided by the messages.
// --synchronous measures each listed sqlite.synchronous level in every round, restarting the bridge with it
// before its windows (the levels alternate, so drift over the run weighs on each alike). --network measures each
// listed network (Gitter alone by default) on a stack of its own, one after the other, into one report.
// Needs root (real Synapse). --profile writes a V8 CPU profile of the bridge (costs CPU: compare, do not report).
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { cpuSeconds, threadCpu, threadCpuDelta } from "./procfs";
import { profileMarkdown, summarizeProfile } from "./profile";
import { describeMachine, machineLines, table, writeResult } from "./machine";
import { median, round } from "./stats";
import { SyncWatch } from "./sync-watch";
import type { BenchNetwork } from "./bench-networks";
import { parseSynapseCostArgs, type SynapseCostArgs as Args } from "./synapse-cost-args";
import { lanes, profileFolder, restartWithSynchronous, startBenchStack, type BenchStack } from "./synapse-stack";

type Way = "to-matrix" | "from-matrix";
const WAYS: Way[] = ["to-matrix", "from-matrix"];
const label = (network: BenchNetwork, way: Way) => (way === "to-matrix" ? `${network}->matrix` : `matrix->${network}`);

interface Window {
  network: BenchNetwork;
  way: Way;
  /** The sqlite.synchronous level the bridge ran with ("config" when the benchmark did not set it). */
  synchronous: string;
  /** "gitter->matrix", "matrix->mattermost", ... */
  direction: string;
  scale: number;
  round: number;
  messages: number;
  wallS: number;
  bridgeCpuS: number;
  synapseCpuS: number;
  idleWindowS: number;
  bridgeIdleCpuS: number;
  synapseIdleCpuS: number;
  /** Per message, idle subtracted, in microseconds. */
  bridgeUs: number;
  synapseUs: number;
  /** The bridge's CPU seconds over the active window by thread name (main thread, libuv pool, V8 helpers). */
  bridgeThreads: Record<string, { user: number; system: number }>;
  /** CLOCK_MONOTONIC in µs at the active window's start and end: the clock of V8 CPU profiles, to slice one. */
  monotonicUs: [number, number];
}

const SETTLE_MS = 1000;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const enc = encodeURIComponent;

class CostRun {
  private readonly sync: SyncWatch;
  private readonly rooms: string[];

  constructor(
    private readonly b: BenchStack,
    private readonly args: Args,
  ) {
    this.rooms = [...b.portals.keys()];
    this.sync = new SyncWatch(b.stack.synapse.url, b.aliceToken, [...b.portals.values()]);
  }

  async start(): Promise<void> {
    await this.sync.start();
  }

  stop(): void {
    void this.sync.stop();
  }

  /** Every poster once in every room and alice once in every portal: ghosts registered and joined beforehand. */
  async warmUp(tag = ""): Promise<void> {
    const n = this.rooms.length * this.b.posters.length;
    await this.fromNetwork(`warm${tag}-g-`, n, (i) => this.b.posters[Math.floor(i / this.rooms.length) % this.b.posters.length]);
    await this.fromMatrix(`warm${tag}-m-`, this.rooms.length * 2);
  }

  async round(scale: number, round: number, synchronous = "config"): Promise<Window[]> {
    const n = this.args.base * scale;
    const out: Window[] = [];
    for (const way of WAYS) {
      const prefix = `${way === "to-matrix" ? "n2m" : "m2n"}-x${scale}-r${round}-${synchronous}-`;
      const active = await this.measure(() => (way === "to-matrix" ? this.fromNetwork(prefix, n) : this.fromMatrix(prefix, n)));
      const idleWindowS = Math.min(active.wallS, this.args.idleCap);
      const idle = await this.measure(() => sleep(idleWindowS * 1000));
      const scaleIdle = active.wallS / idle.wallS;
      const bridgeIdleCpuS = idle.bridgeCpuS * scaleIdle;
      const synapseIdleCpuS = idle.synapseCpuS * scaleIdle;
      out.push({
        network: this.b.network, way, synchronous, direction: label(this.b.network, way), scale, round, messages: n, ...active, idleWindowS: idle.wallS, bridgeIdleCpuS, synapseIdleCpuS,
        bridgeUs: ((active.bridgeCpuS - bridgeIdleCpuS) / n) * 1e6,
        synapseUs: ((active.synapseCpuS - synapseIdleCpuS) / n) * 1e6,
      });
    }
    return out;
  }

  private async measure(work: () => Promise<void>): Promise<Pick<Window, "wallS" | "bridgeCpuS" | "synapseCpuS" | "bridgeThreads" | "monotonicUs">> {
    const mono0 = Number(process.hrtime.bigint() / 1000n);
    const threads = threadCpu(this.b.bridgePid);
    const [b0, s0, t0] = [cpuSeconds(this.b.bridgePid), cpuSeconds(this.b.synapsePid), performance.now()];
    await work();
    return {
      wallS: (performance.now() - t0) / 1000,
      bridgeCpuS: cpuSeconds(this.b.bridgePid) - b0,
      synapseCpuS: cpuSeconds(this.b.synapsePid) - s0,
      bridgeThreads: threadCpuDelta(threads, threadCpu(this.b.bridgePid)),
      monotonicUs: [mono0, Number(process.hrtime.bigint() / 1000n)],
    };
  }

  /** Posts n messages, one lane per room, then waits until alice's /sync has them all and a little more. */
  private async fromNetwork(prefix: string, n: number, poster = (i: number) => this.b.posters[i % this.b.posters.length]): Promise<void> {
    const rooms = this.rooms;
    await lanes(n, rooms.length, (i) => this.b.postAs(poster(i), rooms[i % rooms.length], `${prefix}${i}`));
    await this.sync.waitForCount(prefix, n, 60_000 + n * 100);
    await sleep(SETTLE_MS);
  }

  /** Sends n messages as alice, one lane per portal, then waits until the emulator has them all. */
  private async fromMatrix(prefix: string, n: number): Promise<void> {
    const portals = [...this.b.portals.values()];
    const url = this.b.stack.synapse.url;
    await lanes(n, portals.length, async (i) => {
      const path = `/_matrix/client/v3/rooms/${enc(portals[i % portals.length])}/send/m.room.message/${enc(`${prefix}${i}`)}`;
      const res = await fetch(`${url}${path}`, {
        method: "PUT",
        headers: { authorization: `Bearer ${this.b.aliceToken}`, "content-type": "application/json" },
        body: JSON.stringify({ msgtype: "m.text", body: `${prefix}${i}` }),
      });
      if (!res.ok) throw new Error(`sending ${prefix}${i}: ${res.status} ${await res.text()}`);
    });
    await this.b.posts.waitForCount(prefix, n, 60_000 + n * 100);
    await sleep(SETTLE_MS);
  }

  get limitedSyncs(): number {
    return this.sync.limited;
  }
}

function windowLine(w: Window): string {
  const threads = Object.entries(w.bridgeThreads)
    .map(([name, t]) => [name, t.user + t.system, t.system] as const)
    .filter(([, total]) => total > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([name, total, sys]) => `${name} ${round(total, 2)} (sys ${round(sys, 2)})`);
  return (
    `round ${w.round} ${w.scale}x ${w.direction} (synchronous ${w.synchronous}): ${w.messages} msgs in ${round(w.wallS, 1)} s, ` +
    `bridge ${Math.round(w.bridgeUs)} µs/msg, Synapse ${Math.round(w.synapseUs)} µs/msg; bridge CPU s by thread: ${threads.join(", ")}`
  );
}

interface Summary {
  network: BenchNetwork;
  synchronous: string;
  direction: string;
  scale: number;
  messages: number;
  msgPerS: number;
  bridgeUs: number;
  synapseUs: number;
  ratio: number;
  bridgeUsRange: [number, number];
  synapseUsRange: [number, number];
}

/** One line per network, level, direction and load, in the order the networks were measured. */
function summarize(windows: Window[], networks: BenchNetwork[]): Summary[] {
  const key = (w: Window) => `${w.network}|${w.synchronous}|${w.direction}|${w.scale}`;
  const order = (w: Window) => [networks.indexOf(w.network), w.synchronous, WAYS.indexOf(w.way), w.scale] as const;
  const firsts = [...new Map(windows.map((w) => [key(w), w])).values()].sort((x, y) => {
    const [a, b] = [order(x), order(y)];
    return a[0] - b[0] || a[1].localeCompare(b[1]) || a[2] - b[2] || a[3] - b[3];
  });
  return firsts.map((first) => {
    const ws = windows.filter((w) => key(w) === key(first));
    const bridge = ws.map((w) => w.bridgeUs);
    const synapse = ws.map((w) => w.synapseUs);
    return {
      network: first.network,
      synchronous: first.synchronous,
      direction: first.direction,
      scale: first.scale,
      messages: first.messages,
      msgPerS: median(ws.map((w) => w.messages / w.wallS)),
      bridgeUs: median(bridge),
      synapseUs: median(synapse),
      ratio: median(ws.map((w) => w.bridgeUs / w.synapseUs)),
      bridgeUsRange: [Math.min(...bridge), Math.max(...bridge)],
      synapseUsRange: [Math.min(...synapse), Math.max(...synapse)],
    };
  });
}

function report(summaries: Summary[], rounds: number): string {
  const us = (x: number) => Math.round(x).toLocaleString("en-US");
  const rows: Array<Array<string | number>> = [["synchronous", "direction", "load", "msgs/round", "msg/s", "bridge µs/msg", "(min-max)", "Synapse µs/msg", "(min-max)", "bridge/Synapse"]];
  for (const s of summaries) {
    rows.push([
      s.synchronous, s.direction, `${s.scale}x`, s.messages, round(s.msgPerS, 0), us(s.bridgeUs), `${us(s.bridgeUsRange[0])}-${us(s.bridgeUsRange[1])}`,
      us(s.synapseUs), `${us(s.synapseUsRange[0])}-${us(s.synapseUsRange[1])}`, `${round(s.ratio * 100, 1)}%`,
    ]);
  }
  return `${table(rows)}\n(medians of ${rounds} rounds; target: bridge/Synapse <= 5%)`;
}

interface NetworkRun {
  network: BenchNetwork;
  rateLimit: string;
  limitedSyncs: number;
  profileDir?: string;
  windows: Window[];
}

/** Runs the benchmark; resolves with the process exit code. */
export async function run(argv: string[]): Promise<number> {
  const args = parseSynapseCostArgs(argv);
  const started = performance.now();
  const runs: NetworkRun[] = [];
  let machine: Awaited<ReturnType<typeof describeMachine>> | undefined;
  const loads = `${args.rounds} rounds at ${args.scales.map((s) => `${s}x`).join(", ")} of ${args.base} messages per direction`;
  console.log(`${args.networks.join(", then ")}: ${args.rooms} rooms, ${args.posters} posters on the network, 1 Matrix user; ${loads}`);
  for (const network of args.networks) {
    runs.push(await measureNetwork(network, args, async (url) => {
      if (machine) return;
      machine = await describeMachine(url);
      for (const line of machineLines(machine)) console.log(line);
    }));
  }
  const windows = runs.flatMap((r) => r.windows);
  const summaries = summarize(windows, args.networks);
  console.log(`\n${report(summaries, args.rounds)}`);
  for (const r of runs) if (r.limitedSyncs > 0) console.log(`warning: ${r.limitedSyncs} /sync responses were limited on ${r.network}`);
  const rateLimits = Object.fromEntries(runs.map((r) => [r.network, r.rateLimit]));
  const file = await writeResult("synapse-cost", { machine, args, rateLimits, durationS: (performance.now() - started) / 1000, summaries, windows });
  console.log(`results: ${file}`);
  for (const r of runs) {
    if (!r.profileDir) continue;
    console.log(`${r.network}: bridge CPU profile in ${r.profileDir}`);
    await printProfiles(r.profileDir, r.windows);
  }
  return 0;
}

/** One network's stack, started, measured over every round and stopped; `describe` prints the machine once. */
async function measureNetwork(network: BenchNetwork, args: Args, describe: (synapseUrl: string) => Promise<void>): Promise<NetworkRun> {
  const rooms = Array.from({ length: args.rooms }, (_, i) => `cost/room${i + 1}`);
  const profileDir = args.profile ? await profileFolder(`synapse-cost-${network}`) : undefined;
  const b = await startBenchStack({ name: "synapse-cost", network, rooms, posters: args.posters, profileDir });
  const cost = new CostRun(b, args);
  const windows: Window[] = [];
  try {
    await describe(b.stack.synapse.url);
    console.log(`${network}: emulator rate limit ${b.rateLimit} for the benchmark`);
    await cost.start();
    await cost.warmUp();
    await rounds(b, cost, args, windows);
  } finally {
    cost.stop();
    await b.stop();
  }
  return { network, rateLimit: b.rateLimit, limitedSyncs: cost.limitedSyncs, profileDir, windows };
}

/** Every round at every load (and sqlite.synchronous level), each window printed and added to `windows`. */
async function rounds(b: BenchStack, cost: CostRun, args: Args, windows: Window[]): Promise<void> {
  for (let r = 1; r <= args.rounds; r++) {
    for (const level of args.synchronous.length > 0 ? args.synchronous : [undefined]) {
      if (level !== undefined) {
        await restartWithSynchronous(b, level);
        await cost.warmUp(`-${level}-r${r}`);
      }
      for (const scale of args.scales) {
        const ws = await cost.round(scale, r, level);
        windows.push(...ws);
        for (const w of ws) console.log(windowLine(w));
      }
    }
  }
}

/** Where the bridge's CPU went in the largest window of each direction (profiles share the monotonic clock). */
async function printProfiles(dir: string, windows: Window[]): Promise<void> {
  const file = (await readdir(dir)).find((f) => f.endsWith(".cpuprofile"));
  if (!file) return;
  const full = path.join(dir, file);
  const { startTime } = JSON.parse(await readFile(full, "utf8")) as { startTime: number };
  for (const direction of [...new Set(windows.map((w) => w.direction))]) {
    const w = windows.filter((x) => x.direction === direction).sort((a, b) => b.messages - a.messages)[0];
    const span: [number, number] = [(w.monotonicUs[0] - startTime) / 1e6, (w.monotonicUs[1] - startTime) / 1e6];
    console.log(profileMarkdown(`${direction}, ${w.messages} messages`, summarizeProfile(full, 20, span), 20));
  }
}
