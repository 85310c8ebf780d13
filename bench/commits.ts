// What each `sqlite.synchronous` level costs on the write that stands between a homeserver transaction and its 200:
//
//   npm run bench -- commits [--commits 500] [--rounds 5] [--dir <folder>]
//
// Records `commits` homeserver transactions of one event each, one after another (as Synapse pushes them when
// traffic is light), into a fresh SQLite store opened with synchronous full, then normal, alternating round by
// round so drift over the run weighs on both alike (after an uncounted warm-up round). Reports the wall time and this process's CPU (all threads:
// the fsync runs on libuv's pool) per commit, medians of the rounds. The database goes in --dir (default the OS
// temporary folder): put it on the disk the bridge's database lives on, since the fsync is what is measured.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { openStore } from "../src/store/knex-store";
import { configureLogging } from "../src/util/log";
import { describeMachine, machineLines, table, writeResult } from "./machine";
import { median, round } from "./stats";

const LEVELS = ["full", "normal"] as const;
type Level = (typeof LEVELS)[number];

interface Args {
  commits: number;
  rounds: number;
  dir: string;
}

interface Sample {
  level: Level;
  round: number;
  wallUs: number;
  cpuUs: number;
}

function parse(argv: string[]): Args {
  const args: Args = { commits: 500, rounds: 5, dir: os.tmpdir() };
  for (let i = 0; i < argv.length; i += 2) {
    const [key, value] = [argv[i].replace(/^--/, ""), argv[i + 1] ?? ""];
    if (key === "dir") args.dir = value;
    else if (key === "commits" || key === "rounds") args[key] = Number(value);
    else throw new Error(`unknown option ${argv[i]}`);
  }
  if (![args.commits, args.rounds].every((n) => Number.isInteger(n) && n > 0)) throw new Error("options take whole numbers above 0");
  return args;
}

const event = (i: number) => ({
  event_id: `$bench-${i}`,
  room_id: "!bench:localhost",
  sender: "@alice:localhost",
  type: "m.room.message",
  content: { msgtype: "m.text", body: `message ${i}` },
});

async function measure(dir: string, level: Level, commits: number): Promise<{ wallUs: number; cpuUs: number }> {
  const store = await openStore(`sqlite:${path.join(dir, `${level}.db`)}`, undefined, { synchronous: level });
  try {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < commits; i++) await store.inbox.acceptTransaction(`t${i}`, [event(i)], Date.now());
    const wallUs = ((performance.now() - t0) * 1000) / commits;
    const cpu = process.cpuUsage(cpu0);
    return { wallUs, cpuUs: (cpu.user + cpu.system) / commits };
  } finally {
    await store.close();
  }
}

/** Runs the benchmark; resolves with the process exit code. */
export async function run(argv: string[]): Promise<number> {
  const args = parse(argv);
  configureLogging({ level: "warn" });
  const machine = await describeMachine();
  for (const line of machineLines(machine)) console.log(line);
  console.log(`${args.rounds} rounds of ${args.commits} one-event transactions per level, database in ${args.dir}`);
  const samples: Sample[] = [];
  // Round 0 warms up (module loading, JIT) and is not counted.
  for (let r = 0; r <= args.rounds; r++) {
    for (const level of LEVELS) {
      const dir = await mkdtemp(path.join(args.dir, "bench-commits-"));
      try {
        const m = await measure(dir, level, args.commits);
        if (r === 0) continue;
        samples.push({ level, round: r, ...m });
        console.log(`round ${r} ${level}: ${Math.round(m.wallUs)} µs wall, ${Math.round(m.cpuUs)} µs CPU per commit`);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }
  }
  const rows: Array<Array<string | number>> = [["synchronous", "wall µs/commit", "(min-max)", "CPU µs/commit", "(min-max)", "commits/s"]];
  for (const level of LEVELS) {
    const wall = samples.filter((s) => s.level === level).map((s) => s.wallUs);
    const cpu = samples.filter((s) => s.level === level).map((s) => s.cpuUs);
    const range = (xs: number[]) => `${Math.round(Math.min(...xs))}-${Math.round(Math.max(...xs))}`;
    rows.push([level, Math.round(median(wall)), range(wall), Math.round(median(cpu)), range(cpu), round(1e6 / median(wall), 0)]);
  }
  console.log(`\n${table(rows)}\n(medians of ${args.rounds} rounds)`);
  console.log(`results: ${await writeResult("commits", { machine, args, samples })}`);
  return 0;
}
