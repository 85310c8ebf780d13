// The crash scenario, shared by the e2e test (test/e2e/crash.test.ts) and the benchmark (bench/crash.ts):
// two-way traffic in a few rooms while the bridge is killed with SIGKILL at random moments (sometimes while
// it is still starting), Synapse is restarted once, and Gitter's realtime connections are cut. Then both sides
// are compared message by message. Every choice comes from one seeded generator, so a seed replays a run's
// plan (timings on a real machine still vary). Gitter by default; another network through its driver
// (crash-network.ts), which does each thing that network's way.
import assert from "node:assert/strict";
import type { BridgedStack } from "./bridged-stack";
import { compareDelivery, formatCounts, seededRandom, type DirectionCounts } from "./crash-compare";
import { gitterNetwork, type CrashNetwork, type CrashStack, type NetworkDriver } from "./crash-network";
import { Traffic, type Sides } from "./crash-traffic";

export interface CrashOptions<S extends CrashStack = BridgedStack> {
  /** The network to run on (Gitter when absent). */
  network?: CrashNetwork<S>;
  kills: number;
  seed: number;
  /** Rooms with traffic (2 or 3 keeps a CI run short). */
  rooms?: number;
  /** Prints progress and the result lines. */
  log?: (line: string) => void;
  /** How long to wait for everything to arrive once the chaos is over. */
  settleMs?: number;
  /** The bridge's `database` URL; defaults to an SQLite file in the stack's folder. */
  database?: string;
  /**
   * Runs once both sides have settled, before they are compared and the stack stops: for checks of the stack's
   * state, and for extra traffic the comparison should cover (it reads both sides again afterwards).
   */
  afterSettle?: (stack: S) => Promise<void>;
}

export interface CrashReport {
  seed: number;
  kills: number;
  killsDuringStartup: number;
  synapseRestarts: number;
  cuts: number;
  /** REST faults armed in the emulator (5xx before or after handling a call, dropped connections). */
  faults: number;
  /** Spells of a tiny rate limit (a storm of 429s). */
  storms: number;
  /** The network's name; `gitterToMatrix` and `matrixToGitter` count its two directions whatever it is. */
  network: string;
  /** Bridge processes that exited without being killed (should be 0). */
  selfExits: number;
  gitterToMatrix: DirectionCounts;
  matrixToGitter: DirectionCounts;
  durationMs: number;
  /** The last bridge log lines, for a failing run. */
  tail: string[];
}

const USER = "alice";
const POSTERS = ["bob", "carol"];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runCrashScenario<S extends CrashStack = BridgedStack>(opts: CrashOptions<S>): Promise<CrashReport> {
  // Without a network, S is its default, BridgedStack: Gitter's stack.
  const network = opts.network ?? (gitterNetwork as unknown as CrashNetwork<S>);
  const started = Date.now();
  const log = (line: string) => opts.log?.(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${line}`);
  const random = seededRandom(opts.seed);
  const rooms = Array.from({ length: opts.rooms ?? 3 }, (_, i) => `crash/room${i + 1}`);
  log(`crash test${network.name === "gitter" ? "" : ` on ${network.name}`}: seed ${opts.seed}, ${opts.kills} kills, ${rooms.length} rooms`);
  const logLevel = process.env.CRASH_DEBUG ? "debug" : "info";
  const stack = await network.start({ name: "crash", user: USER, posters: POSTERS, rooms, logLevel, database: opts.database });
  const driver = network.driver(stack);
  log("stack up, user logged in, portals joined");
  try {
    const runId = opts.seed.toString(36);
    const traffic = new Traffic({ stack, network: driver, user: USER, gitterUser: USER, rooms, posters: POSTERS, random, runId });
    const chaos = new Chaos(stack, driver, traffic, random, log);
    traffic.start();
    await chaos.run(opts.kills);
    await driver.clearFaults();
    await chaos.ensureRunning();
    await traffic.stop();
    log("chaos over; waiting for both sides to settle");
    let sides = await settle(traffic, opts.settleMs ?? 120_000);
    if (opts.afterSettle) {
      await opts.afterSettle(stack);
      sides = await traffic.collect();
    }
    const report: CrashReport = {
      seed: opts.seed,
      network: network.name,
      ...chaos.counts,
      gitterToMatrix: compareDelivery(sides.g2mSent, sides.g2mArrived, sides.g2mStrays),
      matrixToGitter: compareDelivery(sides.m2gSent, sides.m2gArrived, sides.m2gStrays),
      durationMs: Date.now() - started,
      tail: stack.bridgeLines().slice(-40),
    };
    log(formatCounts(`${network.name}->matrix`, report.gitterToMatrix));
    log(formatCounts(`matrix->${network.name}`, report.matrixToGitter));
    log(
      `kills ${report.kills} (${report.killsDuringStartup} during startup), synapse restarts ${report.synapseRestarts}, ` +
        `connection cuts ${report.cuts}, REST faults ${report.faults}, 429 storms ${report.storms}, self exits ${report.selfExits}, ` +
        `${Math.round(report.durationMs / 1000)} s`,
    );
    return report;
  } finally {
    await stack.stop();
  }
}

/** Polls both sides until every sent message arrived, then waits a little more for late copies. */
async function settle(traffic: Traffic, timeoutMs: number): Promise<Sides> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const sides = await traffic.collect();
    const done = allArrived(sides.g2mSent, sides.g2mArrived) && allArrived(sides.m2gSent, sides.m2gArrived);
    if (done || Date.now() > deadline) break;
    await sleep(1000);
  }
  await sleep(3000);
  return traffic.collect();
}

function allArrived(sent: Map<string, string[]>, arrived: Map<string, string[]>): boolean {
  for (const [room, texts] of sent) {
    const got = new Set(arrived.get(room) ?? []);
    if (texts.some((t) => !got.has(t))) return false;
  }
  return true;
}

class Chaos {
  readonly counts = { kills: 0, killsDuringStartup: 0, synapseRestarts: 0, cuts: 0, faults: 0, storms: 0, selfExits: 0 };

  constructor(
    private readonly stack: CrashStack,
    private readonly network: NetworkDriver,
    private readonly traffic: Traffic,
    private readonly random: () => number,
    private readonly log: (line: string) => void,
  ) {}

  private between(lo: number, hi: number): number {
    return Math.round(lo + this.random() * (hi - lo));
  }

  async run(kills: number): Promise<void> {
    const synapseAt = Math.max(1, Math.floor(kills / 2));
    for (let k = 1; k <= kills; k++) {
      const duringStartup = this.random() < 0.25;
      if (!duringStartup) {
        await this.ensureRunning();
        await this.misbehave();
        await this.cutMaybe(this.between(0, 2500));
      } else {
        await sleep(this.between(50, 1500));
      }
      const wasUp = this.started();
      await this.stack.bridge.kill();
      this.counts.kills++;
      if (!wasUp) this.counts.killsDuringStartup++;
      this.log(`kill ${k}/${kills}${wasUp ? "" : " (during startup)"}`);
      await sleep(this.between(0, 1200));
      this.stack.spawnBridge();
      if (k === synapseAt) await this.restartSynapse();
    }
  }

  /** Waits until the current bridge process has started, replacing it if it exited by itself. */
  async ensureRunning(): Promise<void> {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const bridge = this.stack.bridge;
      while (!this.started() && bridge.proc.exitCode === null && bridge.proc.signalCode === null) {
        if (Date.now() > deadline) throw new Error(`the bridge did not start; last lines:\n${bridge.lines.slice(-20).join("\n")}`);
        await sleep(100);
      }
      if (this.started() && bridge.proc.exitCode === null) return;
      this.counts.selfExits++;
      this.log(`bridge exited by itself (code ${bridge.proc.exitCode}); starting it again`);
      await sleep(1000);
      this.stack.spawnBridge();
    }
  }

  private started(): boolean {
    return this.stack.bridge.lines.some((l) => /bridge started/.test(l));
  }

  /** Within `withinMs`, perhaps (one time in two) cuts every realtime connection to the network. */
  private async cutMaybe(withinMs: number): Promise<void> {
    const cutAt = this.random() < 0.5 ? this.between(0, withinMs) : -1;
    if (cutAt >= 0) {
      await sleep(cutAt);
      await this.network.cutConnections(this.random);
      this.counts.cuts++;
    }
    await sleep(withinMs - Math.max(0, cutAt));
  }

  /**
   * Sometimes makes the network's REST API misbehave: a post that succeeds but answers 502 or drops the connection
   * (the bridge cannot know whether it was posted), 503s on any call, or a burst of 429s from a tiny rate limit.
   */
  private async misbehave(): Promise<void> {
    const roll = this.random();
    if (roll < 0.25) await this.arm({ kind: "post-answered-error", status: 502, count: this.between(1, 3) });
    else if (roll < 0.4) await this.arm({ kind: "post-answer-dropped", count: this.between(1, 2) });
    else if (roll < 0.55) await this.arm({ kind: "refused", status: 503, count: this.between(2, 5) });
    else if (roll < 0.7) await this.rateLimitStorm(this.between(1500, 3500));
  }

  private async arm(fault: Parameters<NetworkDriver["arm"]>[0]): Promise<void> {
    await this.network.arm(fault);
    this.counts.faults++;
  }

  private async rateLimitStorm(ms: number): Promise<void> {
    await this.network.rateLimitStorm(true);
    this.counts.storms++;
    await sleep(ms);
    await this.network.rateLimitStorm(false);
  }

  /**
   * Restarts Synapse while the bridge runs; Matrix-side sending pauses meanwhile. Synapse is stopped only once it
   * has handed the bridge every Matrix message sent: events it has only queued in memory behind a transaction on its
   * way when it stops are never sent (its stream position is already past them: synapse/handlers/appservice.py
   * _notify_interested_services; element-hq/synapse#11637), which no appservice can undo. A transaction stored but
   * left unsent is brought back in order by the bridge (src/matrix/stranded-transactions.ts).
   */
  private async restartSynapse(): Promise<void> {
    await this.ensureRunning();
    await this.traffic.pauseMatrix(true);
    if (!(await this.traffic.matrixBridged(60_000))) this.log("Matrix messages still on their way to Gitter as Synapse stops");
    this.log("restarting Synapse");
    await this.stack.synapse.restart();
    this.log("Synapse is back");
    this.counts.synapseRestarts++;
    await this.traffic.pauseMatrix(false);
  }
}

/** Fails, with the problems and the bridge's last lines, unless both directions lost, doubled and reordered nothing. */
export function assertNothingLost(report: CrashReport, expectedKills: number): void {
  const problems = [...report.gitterToMatrix.problems, ...report.matrixToGitter.problems];
  const context = `seed ${report.seed}; problems:\n${problems.join("\n")}\nlast bridge lines:\n${report.tail.join("\n")}`;
  assert.ok(report.kills >= expectedKills, `only ${report.kills} kills`);
  assert.ok(report.gitterToMatrix.sent > 0 && report.matrixToGitter.sent > 0, "traffic flowed both ways");
  for (const [direction, c] of [[`${report.network}->matrix`, report.gitterToMatrix], [`matrix->${report.network}`, report.matrixToGitter]] as const) {
    assert.equal(c.lost, 0, `${direction}: lost messages; ${context}`);
    assert.equal(c.duplicated, 0, `${direction}: duplicated messages; ${context}`);
    assert.equal(c.outOfOrder, 0, `${direction}: messages out of order; ${context}`);
    assert.equal(c.unexpected, 0, `${direction}: unexpected messages; ${context}`);
    assert.equal(c.delivered, c.sent);
  }
}
