import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RateLimiter, type RateLimitWait } from "../../src/gitter/rate-limit";

/** A limiter on a fake clock: sleeping advances the clock instead of waiting. */
function fakeLimiter(margin = 0) {
  const clock = { now: 1_000_000 };
  const slept: number[] = [];
  const limiter = new RateLimiter({
    now: () => clock.now,
    sleep: async (ms) => {
      slept.push(ms);
      clock.now += ms;
    },
    marginMs: margin,
    backoff: { baseMs: 1000, maxMs: 8000, random: () => 0 },
  });
  const waits: RateLimitWait[] = [];
  limiter.onWait((w) => waits.push(w));
  return { clock, slept, limiter, waits };
}

function headers(remaining: number | string, reset: number | string, limit = 100): Headers {
  return new Headers({
    "X-RateLimit-Limit": String(limit),
    "X-RateLimit-Remaining": String(remaining),
    "X-RateLimit-Reset": String(reset),
  });
}

/** Settles pending promise callbacks so a test can see which acquisitions have resolved. */
const flush = () => new Promise((resolve) => setImmediate(resolve));

describe("RateLimiter", () => {
  it("never waits while Gitter has not reported a limit", async () => {
    const { limiter, slept } = fakeLimiter();
    for (let i = 0; i < 500; i++) (await limiter.acquire())();
    limiter.update(new Headers());
    (await limiter.acquire())();
    assert.deepEqual(slept, []);
    assert.equal(limiter.stats.waits, 0);
  });

  it("spends the reported budget, then holds the next request until the reset (epoch ms)", async () => {
    const { limiter, clock, slept, waits } = fakeLimiter(25);
    const resetAt = clock.now + 40_000;
    limiter.update(headers(2, resetAt, 3));
    (await limiter.acquire())();
    (await limiter.acquire())();
    assert.deepEqual(slept, []);
    (await limiter.acquire())();
    assert.deepEqual(slept, [40_025]);
    assert.deepEqual(waits, [{ reason: "exhausted", waitMs: 40_025, resetAt }]);
    assert.deepEqual(limiter.stats, { waits: 1, waitedMs: 40_025, throttled: 0 });
    // The new window starts with the full budget (3), one of which the waiting request took.
    assert.equal(limiter.snapshot().remaining, 2);
  });

  it("after a reset lets only `limit` waiting requests through, and the rest wait for the next window", async () => {
    const { limiter, clock, waits } = fakeLimiter();
    const first = clock.now + 60_000;
    limiter.update(headers(0, first, 2));
    const admitted: number[] = [];
    const releases = new Map<number, () => void>();
    for (let i = 0; i < 5; i++) void limiter.acquire().then((release) => (admitted.push(i), releases.set(i, release)));
    await flush();
    assert.equal(admitted.length, 2, "two slots in the fresh window");
    assert.equal(limiter.snapshot().inflight, 2);
    // The first answer from the new window reports its end; the others then wait for it.
    const second = clock.now + 60_000;
    limiter.update(headers(1, second, 2));
    releases.get(admitted[0])?.();
    await flush();
    assert.equal(admitted.length, 4, "two more after the second window ends");
    assert.ok(waits.some((w) => w.resetAt === second));
  });

  it("lets a request go when the fresh budget is spent and nothing in flight can report the window", async () => {
    const { limiter, clock } = fakeLimiter();
    limiter.update(headers(0, clock.now + 10, 1));
    const release = await limiter.acquire(); // waits for the reset, takes the only slot
    release(); // failed without an answer (network error): no headers will come
    const next = await Promise.race([limiter.acquire().then(() => "admitted"), flush().then(() => "stuck")]);
    assert.equal(next, "admitted");
  });

  it("keeps the lowest count from out-of-order answers within one window", () => {
    const { limiter, clock } = fakeLimiter();
    const reset = clock.now + 60_000;
    limiter.update(headers(5, reset));
    limiter.update(headers(9, reset + 900)); // TTL rounding moves the header by up to a second
    assert.equal(limiter.snapshot().remaining, 5);
    limiter.update(headers(3, reset));
    assert.equal(limiter.snapshot().remaining, 3);
    limiter.update(headers(99, reset + 60_000));
    assert.deepEqual(limiter.snapshot(), { limit: 100, remaining: 99, resetAt: reset + 60_000, inflight: 0 });
  });

  it("ignores late answers from a window already left", async () => {
    const { limiter, clock } = fakeLimiter();
    const old = clock.now + 100;
    limiter.update(headers(0, old, 10));
    (await limiter.acquire())();
    assert.deepEqual(limiter.snapshot().remaining, 9);
    limiter.update(headers(0, old, 10));
    assert.deepEqual(limiter.snapshot().remaining, 9);
  });

  it("after a 429 waits until the reported reset", async () => {
    const { limiter, clock, waits } = fakeLimiter();
    const resetAt = clock.now + 1234;
    limiter.update(headers(0, resetAt));
    await limiter.waitAfterThrottle(1);
    assert.deepEqual(waits, [{ reason: "throttled", waitMs: 1234, resetAt }]);
    assert.equal(limiter.stats.throttled, 1);
    assert.equal(limiter.snapshot().remaining, 100);
  });

  it("after a 429 without a usable reset backs off, growing with the attempt", async () => {
    const { limiter, clock, slept, waits } = fakeLimiter();
    await limiter.waitAfterThrottle(1);
    limiter.update(headers(0, clock.now - 5000)); // a reset in the past: clocks disagree
    await limiter.waitAfterThrottle(2);
    await limiter.waitAfterThrottle(3);
    assert.deepEqual(slept, [500, 1000, 2000]);
    assert.ok(waits.every((w) => w.reason === "throttled" && w.resetAt === undefined));
    assert.equal(limiter.stats.throttled, 3);
  });

  it("caps a wait for an absurd reset time", async () => {
    const clock = { now: 0 };
    const slept: number[] = [];
    const limiter = new RateLimiter({ now: () => clock.now, sleep: async (ms) => void slept.push(ms), maxWaitMs: 5000 });
    limiter.update(headers(0, 10 * 24 * 3600 * 1000));
    await limiter.acquire();
    assert.deepEqual(slept, [5000]);
  });

  it("ignores malformed headers and survives a throwing listener", async () => {
    const { limiter, slept, clock } = fakeLimiter();
    limiter.update(headers("lots", "soon"));
    (await limiter.acquire())();
    assert.deepEqual(slept, []);
    limiter.onWait(() => {
      throw new Error("metrics broke");
    });
    limiter.update(headers(0, clock.now + 10));
    await limiter.waitAfterThrottle(1);
    assert.equal(limiter.stats.waits, 1);
  });

  it("unsubscribes a listener", async () => {
    const { limiter } = fakeLimiter();
    const seen: RateLimitWait[] = [];
    const off = limiter.onWait((w) => seen.push(w));
    off();
    await limiter.waitAfterThrottle(1);
    assert.equal(seen.length, 0);
  });
});
