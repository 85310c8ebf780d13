// The crash test on Mattermost (test/e2e/crash.test.ts is Gitter's): two-way traffic in three channels while the
// bridge is killed with SIGKILL at random moments, Synapse is restarted once, the websockets are cut (half the
// time with the server forgetting the connection's events), posts fail after being made and 429 storms blow;
// then both sides are compared message by message. CRASH_SEED replays a run's plan; CRASH_KILLS changes the
// number of kills.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mattermostNetwork } from "../harness/crash-network";
import { assertNothingLost, runCrashScenario } from "../harness/crash-driver";

const seed = Number(process.env.CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
const kills = Number(process.env.CRASH_KILLS ?? 10);

describe("crash test on Mattermost", { timeout: 600_000 }, () => {
  it(`loses and duplicates nothing across ${kills} SIGKILLs, a Synapse restart and cut websockets (seed ${seed})`, async () => {
    const report = await runCrashScenario({ network: mattermostNetwork, kills, seed, rooms: 3, log: (line) => console.log(line) });
    assert.equal(report.synapseRestarts, 1);
    assertNothingLost(report, kills);
  });
});
