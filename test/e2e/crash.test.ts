// The crash test: two-way traffic in three rooms while the bridge is killed with SIGKILL at random moments,
// Synapse is restarted once and Gitter's realtime connections are cut; then both sides are compared message by
// message. CRASH_SEED replays a run's plan; CRASH_KILLS changes the number of kills (the benchmark runs 100).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runCrashScenario } from "../harness/crash-driver";

const seed = Number(process.env.CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
const kills = Number(process.env.CRASH_KILLS ?? 10);

describe("crash test", { timeout: 600_000 }, () => {
  it(`loses and duplicates nothing across ${kills} SIGKILLs, a Synapse restart and cut connections (seed ${seed})`, async () => {
    const report = await runCrashScenario({ kills, seed, rooms: 3, log: (line) => console.log(line) });
    const problems = [...report.gitterToMatrix.problems, ...report.matrixToGitter.problems];
    const context = `seed ${seed}; problems:\n${problems.join("\n")}\nlast bridge lines:\n${report.tail.join("\n")}`;
    assert.ok(report.kills >= kills, `only ${report.kills} kills`);
    assert.equal(report.synapseRestarts, 1);
    assert.ok(report.gitterToMatrix.sent > 0 && report.matrixToGitter.sent > 0, "traffic flowed both ways");
    for (const [direction, c] of [["gitter->matrix", report.gitterToMatrix], ["matrix->gitter", report.matrixToGitter]] as const) {
      assert.equal(c.lost, 0, `${direction}: lost messages; ${context}`);
      assert.equal(c.duplicated, 0, `${direction}: duplicated messages; ${context}`);
      assert.equal(c.outOfOrder, 0, `${direction}: messages out of order; ${context}`);
      assert.equal(c.unexpected, 0, `${direction}: unexpected messages; ${context}`);
      assert.equal(c.delivered, c.sent);
    }
  });
});
