// Gate: at most `max` tasks at once, the rest in arrival order, failures freeing their slot.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Gate } from "../../src/util/gate";

function deferred() {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

const tick = () => new Promise((r) => setImmediate(r));

describe("Gate", () => {
  it("runs at most max tasks at once and starts the others in arrival order", async () => {
    const gate = new Gate(2);
    const started: number[] = [];
    const blockers = [0, 1, 2, 3].map(() => deferred());
    const runs = blockers.map((b, i) => gate.run(async () => (started.push(i), await b.promise, i)));
    await tick();
    assert.deepEqual(started, [0, 1]);
    assert.equal(gate.queued, 2);
    blockers[1].resolve();
    await tick();
    assert.deepEqual(started, [0, 1, 2]);
    blockers[0].reject(new Error("boom"));
    await assert.rejects(runs[0], /boom/);
    await tick();
    assert.deepEqual(started, [0, 1, 2, 3], "a failed task frees its slot too");
    blockers[2].resolve();
    blockers[3].resolve();
    assert.deepEqual(await Promise.all(runs.slice(1)), [1, 2, 3]);
    assert.equal(gate.running, 0);
    assert.equal(gate.queued, 0);
  });

  it("refuses a size below one", () => {
    assert.throws(() => new Gate(0), /positive integer/);
  });
});
