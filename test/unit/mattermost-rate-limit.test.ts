// The Mattermost limiter's wait after a 429: Retry-After first, else X-RateLimit-Reset (both seconds), else a
// backoff; bounded; and the token's other requests wait as long.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MattermostRateLimiter } from "../../src/mattermost/rate-limit";

function fakeClock() {
  let now = 1_000_000;
  const slept: number[] = [];
  return { now: () => now, sleep: async (ms: number) => void (slept.push(ms), (now += ms)), slept };
}
const headers = (h: Record<string, string>) => ({ get: (name: string) => h[name.toLowerCase()] ?? null });

describe("MattermostRateLimiter", () => {
  it("waits Retry-After seconds, else Reset seconds, else a backoff, never beyond the bound", async () => {
    const clock = fakeClock();
    const limiter = new MattermostRateLimiter({ ...clock, marginMs: 0, maxWaitMs: 10_000, backoff: { baseMs: 100, maxMs: 100, random: () => 1 } });
    const seen: string[] = [];
    limiter.onWait((w) => seen.push(`${w.source}:${w.waitMs}`));
    await limiter.waitAfterThrottle(headers({ "retry-after": "2", "x-ratelimit-reset": "9" }), 1);
    await limiter.waitAfterThrottle(headers({ "x-ratelimit-reset": "3" }), 1);
    await limiter.waitAfterThrottle(headers({}), 1);
    await limiter.waitAfterThrottle(headers({ "retry-after": "3600" }), 1);
    assert.deepEqual(seen, ["retry-after:2000", "reset:3000", "backoff:100", "retry-after:10000"]);
    assert.equal(limiter.stats.throttled, 4);
  });

  it("holds the token's other requests until the wait is over", async () => {
    const clock = fakeClock();
    const limiter = new MattermostRateLimiter({ ...clock, marginMs: 0 });
    const start = clock.now();
    const throttled = limiter.waitAfterThrottle(headers({ "retry-after": "1" }), 1);
    await limiter.acquire();
    await throttled;
    assert.ok(clock.now() - start >= 1000);
    await limiter.acquire();
    assert.equal(clock.slept.reduce((a, b) => a + b, 0), clock.now() - start, "no wait once the time has passed");
  });
});
