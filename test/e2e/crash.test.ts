// The crash test: two-way traffic in three rooms while the bridge is killed with SIGKILL at random moments,
// Synapse is restarted once and Gitter's realtime connections are cut; then both sides are compared message by
// message. CRASH_SEED replays a run's plan; CRASH_KILLS changes the number of kills (the benchmark runs 100).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { assertNothingLost, runCrashScenario } from "../harness/crash-driver";

const seed = Number(process.env.CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
const kills = Number(process.env.CRASH_KILLS ?? 10);

describe("crash test", { timeout: 600_000 }, () => {
  it(`loses and duplicates nothing across ${kills} SIGKILLs, a Synapse restart and cut connections (seed ${seed})`, async () => {
    const report = await runCrashScenario({ kills, seed, rooms: 3, log: (line) => console.log(line) });
    assert.equal(report.synapseRestarts, 1);
    assertNothingLost(report, kills);
  });
});
