import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { backoffDelay, retryWithBackoff } from "../../src/util/backoff";

describe("backoffDelay", () => {
  it("keeps half the exponential ceiling fixed and jitters the other half", () => {
    const policy = { baseMs: 100, maxMs: 10_000 };
    assert.equal(backoffDelay(1, { ...policy, random: () => 0 }), 50);
    assert.equal(backoffDelay(1, { ...policy, random: () => 0.5 }), 75);
    assert.equal(backoffDelay(3, { ...policy, random: () => 0 }), 200);
    assert.equal(backoffDelay(3, { ...policy, random: () => 0.999999 }), 400);
  });

  it("never exceeds maxMs however many attempts", () => {
    const policy = { baseMs: 100, maxMs: 1000, random: () => 0.999999 };
    assert.equal(backoffDelay(30, policy), 1000);
    assert.equal(backoffDelay(30, { ...policy, random: () => 0 }), 500);
  });

  it("honours a custom growth factor", () => {
    assert.equal(backoffDelay(3, { baseMs: 100, maxMs: 1e6, factor: 3, random: () => 0 }), 450);
  });
});

describe("retryWithBackoff", () => {
  it("retries until success and sleeps the computed delays between attempts", async () => {
    const slept: number[] = [];
    const seen: number[] = [];
    const result = await retryWithBackoff(
      async (attempt) => {
        seen.push(attempt);
        if (attempt < 3) throw new Error(`fail ${attempt}`);
        return "ok";
      },
      { maxAttempts: 5, baseMs: 10, maxMs: 1000, random: () => 0, shouldRetry: () => true, sleep: async (ms) => void slept.push(ms) },
    );
    assert.equal(result, "ok");
    assert.deepEqual(seen, [1, 2, 3]);
    assert.deepEqual(slept, [5, 10]);
  });

  it("rethrows at once when shouldRetry says no", async () => {
    let calls = 0;
    await assert.rejects(
      retryWithBackoff(
        async () => {
          calls++;
          throw new Error("permanent");
        },
        { maxAttempts: 5, baseMs: 10, maxMs: 100, shouldRetry: () => false, sleep: async () => undefined },
      ),
      /permanent/,
    );
    assert.equal(calls, 1);
  });

  it("gives up after maxAttempts with the last error and reports each retry", async () => {
    const retries: Array<[string, number, number]> = [];
    await assert.rejects(
      retryWithBackoff(
        async (attempt) => {
          throw new Error(`fail ${attempt}`);
        },
        {
          maxAttempts: 3,
          baseMs: 10,
          maxMs: 100,
          random: () => 0,
          shouldRetry: () => true,
          sleep: async () => undefined,
          onRetry: (err, attempt, delay) => retries.push([(err as Error).message, attempt, delay]),
        },
      ),
      /fail 3/,
    );
    assert.deepEqual(retries, [
      ["fail 1", 1, 5],
      ["fail 2", 2, 10],
    ]);
  });
});
