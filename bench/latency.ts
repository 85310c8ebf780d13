// Added latency of the bridge, Gitter -> Matrix, against real Synapse:
//
//   npm run bench -- latency [--samples 200] [--gap-ms 50] [--profile]
//
// One Matrix client (alice) keeps a tight /sync long-poll on two rooms: her portal of a Gitter room, and a
// plain Matrix room she shares with another Matrix user (carol). Turn about, a Gitter person posts in the Gitter
// room on the emulator (control API) and carol sends in the plain room straight to Synapse; each sample is the
// time from the post to the /sync response that carries it. One message at a time, with a pause between, so
// nothing queues. The bridge's added latency is the difference between the two. Needs root (real Synapse).
import { cpuSeconds } from "./procfs";
import { describeMachine, machineLines, table, writeResult } from "./machine";
import { median, percentile, round } from "./stats";
import { SyncWatch } from "./sync-watch";
import { LIFTED_RATE_LIMIT } from "./bench-networks";
import { profileFolder, startBenchStack, type BenchStack } from "./synapse-stack";

interface Args {
  samples: number;
  gapMs: number;
  profile: boolean;
}

const ROOM = "latency/room";
const WARM_UP = 10;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const enc = encodeURIComponent;

function parse(argv: string[]): Args {
  const args: Args = { samples: 200, gapMs: 50, profile: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--profile") args.profile = true;
    else if (argv[i] === "--samples") args.samples = Number(argv[++i]);
    else if (argv[i] === "--gap-ms") args.gapMs = Number(argv[++i]);
    else throw new Error(`unknown option ${argv[i]}`);
  }
  if (!Number.isInteger(args.samples) || args.samples < 1 || !(args.gapMs >= 0)) throw new Error("--samples N (>= 1), --gap-ms N (>= 0)");
  return args;
}

async function matrixCall(url: string, token: string, method: string, path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/** carol, a Matrix user with no Gitter account, and a plain room she and alice are in. */
async function plainRoom(b: BenchStack): Promise<{ roomId: string; carolToken: string }> {
  const { url } = b.stack.synapse;
  const carol = await b.stack.synapse.registerUser("carol", "carol-matrix-pass");
  const aliceId = b.stack.users.get("alice")!.matrix.userId;
  const created = await matrixCall(url, carol.accessToken, "POST", "/_matrix/client/v3/createRoom", { preset: "private_chat", invite: [aliceId] });
  const roomId = String(created.room_id);
  await matrixCall(url, b.aliceToken, "POST", `/_matrix/client/v3/join/${enc(roomId)}`, {});
  return { roomId, carolToken: carol.accessToken };
}

class Sampler {
  constructor(
    private readonly b: BenchStack,
    private readonly sync: SyncWatch,
    private readonly plain: { roomId: string; carolToken: string },
  ) {}

  /** ms from posting on the emulator to alice's /sync carrying it. */
  async viaBridge(body: string): Promise<number> {
    const seen = this.sync.waitFor(body);
    const t0 = performance.now();
    await this.b.postAs(this.b.posters[0], ROOM, body);
    return (await seen) - t0;
  }

  /** ms from carol's send to alice's /sync carrying it. */
  async direct(body: string): Promise<number> {
    const seen = this.sync.waitFor(body);
    const t0 = performance.now();
    const path = `/_matrix/client/v3/rooms/${enc(this.plain.roomId)}/send/m.room.message/${enc(body)}`;
    await matrixCall(this.b.stack.synapse.url, this.plain.carolToken, "PUT", path, { msgtype: "m.text", body });
    return (await seen) - t0;
  }
}

interface PathStats {
  p50: number;
  p90: number;
  p99: number;
  mean: number;
  min: number;
  max: number;
}

function stats(ms: number[]): PathStats {
  const r = (x: number) => round(x, 2);
  return {
    p50: r(median(ms)),
    p90: r(percentile(ms, 90)),
    p99: r(percentile(ms, 99)),
    mean: r(ms.reduce((a, b) => a + b, 0) / ms.length),
    min: r(Math.min(...ms)),
    max: r(Math.max(...ms)),
  };
}

async function sample(sampler: Sampler, n: number, gapMs: number, tag: string): Promise<{ bridge: number[]; direct: number[] }> {
  const out = { bridge: [] as number[], direct: [] as number[] };
  for (let i = 0; i < n; i++) {
    // Alternate which path goes first, so neither always follows the other's work.
    const order = i % 2 === 0 ? (["bridge", "direct"] as const) : (["direct", "bridge"] as const);
    for (const path of order) {
      const body = `lat-${tag}-${path}-${i}`;
      out[path].push(path === "bridge" ? await sampler.viaBridge(body) : await sampler.direct(body));
      await sleep(gapMs);
    }
  }
  return out;
}

function report(bridge: PathStats, direct: PathStats): string {
  const ms = (x: number) => x.toFixed(1);
  const rows: Array<Array<string | number>> = [["path", "p50 ms", "p90 ms", "p99 ms", "mean ms", "min ms", "max ms"]];
  rows.push(["Gitter -> bridge -> Synapse -> /sync", ms(bridge.p50), ms(bridge.p90), ms(bridge.p99), ms(bridge.mean), ms(bridge.min), ms(bridge.max)]);
  rows.push(["Matrix user -> Synapse -> /sync", ms(direct.p50), ms(direct.p90), ms(direct.p99), ms(direct.mean), ms(direct.min), ms(direct.max)]);
  rows.push(["added by the bridge", ms(bridge.p50 - direct.p50), ms(bridge.p90 - direct.p90), ms(bridge.p99 - direct.p99), ms(bridge.mean - direct.mean), "", ""]);
  return `${table(rows)}\n(target: p50 added <= 5 ms)`;
}

/** Runs the benchmark; resolves with the process exit code. */
export async function run(argv: string[]): Promise<number> {
  const args = parse(argv);
  const profileDir = args.profile ? await profileFolder("latency") : undefined;
  const b = await startBenchStack({ name: "latency", rooms: [ROOM], posters: 1, profileDir });
  const machine = await describeMachine(b.stack.synapse.url);
  let sync: SyncWatch | undefined;
  let samples: { bridge: number[]; direct: number[] };
  let cpu: { bridgeS: number; synapseS: number; wallS: number };
  try {
    for (const line of machineLines(machine)) console.log(line);
    console.log(`emulator rate limit lifted to ${LIFTED_RATE_LIMIT} requests / 60 s per token for the benchmark`);
    const plain = await plainRoom(b);
    sync = new SyncWatch(b.stack.synapse.url, b.aliceToken, [b.portals.get(ROOM)!, plain.roomId]);
    await sync.start();
    const sampler = new Sampler(b, sync, plain);
    await sample(sampler, WARM_UP, args.gapMs, "warm");
    console.log(`${args.samples} samples per path, one message at a time, ${args.gapMs} ms apart (after ${WARM_UP} warm-up pairs)`);
    const [b0, s0, t0] = [cpuSeconds(b.bridgePid), cpuSeconds(b.synapsePid), performance.now()];
    samples = await sample(sampler, args.samples, args.gapMs, "run");
    cpu = { bridgeS: cpuSeconds(b.bridgePid) - b0, synapseS: cpuSeconds(b.synapsePid) - s0, wallS: (performance.now() - t0) / 1000 };
  } finally {
    void sync?.stop();
    await b.stop();
  }
  const bridge = stats(samples.bridge);
  const direct = stats(samples.direct);
  console.log(`\n${report(bridge, direct)}`);
  // Idle not subtracted: at this pace the processes are near idle between samples anyway; a ceiling, not a cost.
  const perMessage = (s: number) => Math.round((s / args.samples) * 1e6);
  console.log(
    `CPU over the sampling (${round(cpu.wallS, 1)} s, idle not subtracted): bridge ${perMessage(cpu.bridgeS)} µs per Gitter message, ` +
      `Synapse ${perMessage(cpu.synapseS)} µs per pair of messages`,
  );
  const added = { p50: round(bridge.p50 - direct.p50, 2), p99: round(bridge.p99 - direct.p99, 2) };
  const file = await writeResult("latency", { machine, args, rateLimit: LIFTED_RATE_LIMIT, bridge, direct, added, cpu, samples });
  console.log(`results: ${file}`);
  if (profileDir) console.log(`bridge CPU profile in ${profileDir}`);
  return 0;
}
