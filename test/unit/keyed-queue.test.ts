import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { KeyedQueue } from "../../src/util/keyed-queue";

/** A promise the test settles by hand, so ordering is proved without timers. */
function deferred(): { promise: Promise<void>; resolve: () => void; reject: (err: Error) => void } {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("KeyedQueue", () => {
  it("runs tasks of one key one after another, in push order", async () => {
    const q = new KeyedQueue({ concurrency: 4 });
    const log: string[] = [];
    const gates = [deferred(), deferred(), deferred()];
    const done = gates.map((gate, i) =>
      q.push("room", async () => {
        log.push(`start ${i}`);
        await gate.promise;
        log.push(`end ${i}`);
      }),
    );
    await tick();
    assert.deepEqual(log, ["start 0"]);
    assert.equal(q.depth("room"), 3);
    // Releasing later tasks first must not let them overtake.
    gates[2].resolve();
    gates[1].resolve();
    await tick();
    assert.deepEqual(log, ["start 0"]);
    gates[0].resolve();
    await Promise.all(done);
    assert.deepEqual(log, ["start 0", "end 0", "start 1", "end 1", "start 2", "end 2"]);
    assert.equal(q.depth("room"), 0);
  });

  it("runs different keys side by side", async () => {
    const q = new KeyedQueue({ concurrency: 4 });
    const started: string[] = [];
    const gate = deferred();
    const a = q.push("a", async () => {
      started.push("a");
      await gate.promise;
    });
    const b = q.push("b", async () => {
      started.push("b");
      await gate.promise;
    });
    await tick();
    assert.deepEqual(started.sort(), ["a", "b"]);
    assert.equal(q.activeCount, 2);
    gate.resolve();
    await Promise.all([a, b]);
  });

  it("never runs more than `concurrency` tasks at once", async () => {
    const q = new KeyedQueue({ concurrency: 2 });
    let active = 0;
    let peak = 0;
    const gates = Array.from({ length: 6 }, () => deferred());
    const done = gates.map((gate, i) =>
      q.push(`key${i}`, async () => {
        active++;
        peak = Math.max(peak, active);
        await gate.promise;
        active--;
      }),
    );
    await tick();
    assert.equal(active, 2);
    assert.equal(q.size, 6);
    for (const gate of gates) {
      gate.resolve();
      await tick();
    }
    await Promise.all(done);
    assert.equal(peak, 2);
  });

  it("lets waiting keys take turns", async () => {
    const q = new KeyedQueue({ concurrency: 1 });
    const order: string[] = [];
    const push = (key: string, n: number) => q.push(key, async () => void order.push(`${key}${n}`));
    const all = [push("a", 1), push("a", 2), push("a", 3), push("b", 1), push("b", 2)];
    await Promise.all(all);
    assert.deepEqual(order, ["a1", "b1", "a2", "b2", "a3"]);
  });

  it("passes results and failures to the caller and keeps going after a failure", async () => {
    const q = new KeyedQueue({ concurrency: 1 });
    const ran: number[] = [];
    const first = q.push("k", async () => {
      ran.push(1);
      throw new Error("boom");
    });
    const second = q.push("k", () => {
      ran.push(2);
      throw new Error("sync boom");
    });
    const third = q.push("k", async () => {
      ran.push(3);
      return 42;
    });
    await assert.rejects(first, /boom/);
    await assert.rejects(second, /sync boom/);
    assert.equal(await third, 42);
    assert.deepEqual(ran, [1, 2, 3]);
  });

  it("reports depth per key and resolves idle() when everything settled", async () => {
    const q = new KeyedQueue({ concurrency: 1 });
    await q.idle(); // nothing queued: resolves at once
    const gate = deferred();
    let finished = 0;
    for (let i = 0; i < 3; i++) {
      void q.push("x", async () => {
        await gate.promise;
        finished++;
      });
    }
    void q.push("y", async () => void finished++);
    assert.deepEqual([...q.depths()].sort(), [
      ["x", 3],
      ["y", 1],
    ]);
    let idle = false;
    const idlePromise = q.idle().then(() => (idle = true));
    await tick();
    assert.equal(idle, false);
    gate.resolve();
    await idlePromise;
    assert.equal(finished, 4);
    assert.equal(q.size, 0);
    assert.equal(q.depths().size, 0);
  });

  it("starts thousands of ready keys in the order they became ready, while more keep arriving", async () => {
    const q = new KeyedQueue({ concurrency: 3 });
    const started: number[] = [];
    const all: Promise<void>[] = [];
    const add = (i: number) => all.push(q.push(`room-${i}`, async () => void started.push(i)));
    for (let i = 0; i < 2500; i++) add(i);
    await tick();
    for (let i = 2500; i < 5000; i++) add(i);
    await Promise.all(all);
    assert.deepEqual(started, Array.from({ length: 5000 }, (_, i) => i));
    assert.equal(q.size, 0);
  });

  it("refuses a concurrency below one", () => {
    assert.throws(() => new KeyedQueue({ concurrency: 0 }));
    assert.throws(() => new KeyedQueue({ concurrency: 1.5 }));
  });
});
