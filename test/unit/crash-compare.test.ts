// The crash test's judge (test/harness/crash-compare.ts): it must see every kind of failure it reports.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compareDelivery, formatCounts, seededRandom } from "../harness/crash-compare";

const rooms = (entries: Record<string, string[]>) => new Map(Object.entries(entries));

describe("compareDelivery", () => {
  it("passes a perfect delivery", () => {
    const sent = rooms({ a: ["1", "2"], b: ["3"] });
    const c = compareDelivery(sent, rooms({ a: ["1", "2"], b: ["3"] }));
    assert.deepEqual({ ...c, problems: c.problems.length }, { sent: 3, delivered: 3, lost: 0, duplicated: 0, outOfOrder: 0, unexpected: 0, problems: 0 });
  });

  it("counts lost, duplicated, reordered, misrouted and echoed messages", () => {
    const sent = rooms({ a: ["1", "2", "3", "4"], b: ["5"] });
    const arrived = rooms({ a: ["2", "1", "2", "5"], b: [] });
    const c = compareDelivery(sent, arrived, ["1"]);
    assert.equal(c.sent, 5);
    assert.equal(c.delivered, 2);
    assert.equal(c.lost, 3); // 3, 4 and 5 (5 went to the wrong room)
    assert.equal(c.duplicated, 2); // a second 2, and 1 echoed back
    assert.equal(c.outOfOrder, 1);
    assert.equal(c.unexpected, 1);
    assert.ok(c.problems.some((p) => /lost 3/.test(p)));
    assert.match(formatCounts("x", c), /^x: sent 5, delivered 2, lost 3, duplicated 2, out of order 1, unexpected 1$/);
  });
});

describe("seededRandom", () => {
  it("replays the same sequence for a seed, in [0, 1)", () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const xs = Array.from({ length: 100 }, () => a());
    assert.deepEqual(xs, Array.from({ length: 100 }, () => b()));
    assert.ok(xs.every((x) => x >= 0 && x < 1));
    assert.notDeepEqual(xs.slice(0, 5), Array.from({ length: 5 }, seededRandom(43)));
  });
});
