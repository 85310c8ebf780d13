import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { GitterApiError, GitterMaybeDeliveredError, GitterNetworkError, GitterNotFoundError } from "../../src/gitter/errors";
import { RateLimiter, type RateLimitWait } from "../../src/gitter/rate-limit";
import { GitterRestClient } from "../../src/gitter/rest";
import { configureLogging } from "../../src/util/log";
import { freePort } from "../harness/ports";
import { FakeGitter, json, rateHeaders, SAMPLE } from "./gitter-fake-server";

const TOKEN = "0123456789abcdef0123456789abcdef01234567";
const gitter = new FakeGitter();

interface Rig {
  client: GitterRestClient;
  /** Backoff sleeps of the retry loop, in ms. */
  backoffs: number[];
  /** Rate-limit waits, with how many requests Gitter had seen when each wait began. */
  waits: Array<RateLimitWait & { seenBefore: number }>;
}

/** A client whose waits are recorded instead of taken, so tests are quick and read exact values. */
function rig(options: { apiUrl?: string; timeoutMs?: number; maxThrottled?: number } = {}): Rig {
  const backoffs: number[] = [];
  const waits: Rig["waits"] = [];
  const limiter = new RateLimiter({ sleep: async () => undefined, marginMs: 0, backoff: { baseMs: 1000, maxMs: 8000, random: () => 0 } });
  limiter.onWait((w) => waits.push({ ...w, seenBefore: gitter.seen.length }));
  const client = new GitterRestClient({
    apiUrl: options.apiUrl ?? gitter.url,
    token: TOKEN,
    limiter,
    retry: {
      maxAttempts: 3,
      maxThrottled: options.maxThrottled ?? 8,
      baseMs: 100,
      maxMs: 1000,
      random: () => 0,
      timeoutMs: options.timeoutMs ?? 5000,
      sleep: async (ms) => void backoffs.push(ms),
    },
  });
  return { client, backoffs, waits };
}

const logLines: string[] = [];

before(async () => {
  configureLogging({ level: "debug", format: "json", sink: { write: (line) => void logLines.push(line) } });
  await gitter.start();
});
after(async () => {
  configureLogging({ sink: undefined, level: "info" });
  await gitter.stop();
});


describe("retries of requests that are safe to repeat", () => {
  it("retries a GET through 5xx answers with growing jittered backoff", async () => {
    gitter.reset((_req, res, i) => (i < 2 ? json(res, 503, { error: "Service Unavailable" }) : json(res, 200, [SAMPLE.room])));
    const { client, backoffs } = rig();
    const rooms = await client.listRooms();
    assert.deepEqual(rooms.map((r) => r.id), ["r1"]);
    assert.equal(gitter.seen.length, 3);
    assert.deepEqual(backoffs, [50, 100]);
  });

  it("gives up after maxAttempts with the last 5xx as a GitterApiError", async () => {
    gitter.reset((_req, res) => json(res, 500, { error: "Internal Server Error" }));
    const { client } = rig();
    await assert.rejects(client.getRoom("r1"), (err: GitterApiError) => err.status === 500 && !(err instanceof GitterMaybeDeliveredError));
    assert.equal(gitter.seen.length, 3);
  });

  it("retries a GET that timed out", async () => {
    gitter.reset((_req, res, i) => (i === 0 ? undefined : json(res, 200, SAMPLE.room)));
    const { client, backoffs } = rig({ timeoutMs: 200 });
    assert.equal((await client.getRoom("r1")).id, "r1");
    assert.equal(gitter.seen.length, 2);
    assert.equal(backoffs.length, 1);
  });

  it("treats a 404 on a retried delete as already deleted", async () => {
    gitter.reset((_req, res, i) => (i === 0 ? json(res, 503, {}) : json(res, 404, { error: "Not Found" })));
    await rig().client.deleteMessage("r1", "m1");
    assert.equal(gitter.seen.length, 2);
    gitter.reset((_req, res) => json(res, 404, { error: "Not Found" }));
    await assert.rejects(rig().client.deleteMessage("r1", "m1"), GitterNotFoundError);
  });
});

describe("posting a message is never blindly repeated", () => {
  it("a 5xx answer throws maybeDelivered after exactly one POST", async () => {
    gitter.reset((_req, res) => json(res, 502, { error: "Bad Gateway" }));
    const { client, backoffs } = rig();
    await assert.rejects(client.sendMessage("r1", { text: "once" }), (err: unknown) => {
      assert.ok(err instanceof GitterMaybeDeliveredError);
      assert.equal(err.maybeDelivered, true);
      assert.ok(err.cause instanceof GitterApiError && err.cause.status === 502);
      return true;
    });
    assert.equal(gitter.seen.length, 1);
    assert.deepEqual(backoffs, []);
  });

  it("a connection cut after the request arrived throws maybeDelivered after one POST", async () => {
    gitter.reset((_req, res) => res.socket?.destroy());
    await assert.rejects(rig().client.sendMessage("r1", { text: "once" }), (err: unknown) => {
      assert.ok(err instanceof GitterMaybeDeliveredError);
      assert.ok(err.cause instanceof GitterNetworkError);
      return true;
    });
    assert.equal(gitter.seen.length, 1);
  });

  it("a timeout throws maybeDelivered after one POST", async () => {
    gitter.reset(() => undefined);
    await assert.rejects(rig({ timeoutMs: 200 }).client.sendMessage("r1", { text: "once" }), GitterMaybeDeliveredError);
    assert.equal(gitter.seen.length, 1);
  });

  it("a refused connection never reached Gitter, so it is retried and ends as a plain network error", async () => {
    const { client, backoffs } = rig({ apiUrl: `http://127.0.0.1:${await freePort()}` });
    await assert.rejects(client.sendMessage("r1", { text: "x" }), (err: unknown) => {
      assert.ok(err instanceof GitterNetworkError, String(err));
      assert.match(err.message, /ECONNREFUSED/);
      return true;
    });
    assert.deepEqual(backoffs, [50, 100]);
  });

  it("a 429 is waited out until the reset and then posted again", async () => {
    const resetAt = Date.now() + 300;
    gitter.reset((req, res, i) =>
      i === 0 ? json(res, 429, { error: "Too Many Requests" }, rateHeaders(0, resetAt)) : json(res, 200, SAMPLE.message(JSON.parse(req.body).text)),
    );
    const { client, waits, backoffs } = rig();
    const sent = await client.sendMessage("r1", { text: "patient" });
    assert.equal(sent.text, "patient");
    assert.equal(gitter.seen.length, 2);
    assert.equal(waits.length, 1);
    assert.equal(waits[0].reason, "throttled");
    assert.equal(waits[0].resetAt, resetAt);
    assert.ok(waits[0].waitMs > 0 && waits[0].waitMs <= 300, `waited ${waits[0].waitMs} ms for a reset 300 ms away`);
    assert.deepEqual(backoffs, []);
    assert.equal(client.limiter.stats.throttled, 1);
  });
});

describe("rate limit", () => {
  it("backs off on a 429 without rate-limit headers", async () => {
    gitter.reset((_req, res, i) => (i < 2 ? json(res, 429, {}) : json(res, 200, [])));
    const { client, waits } = rig();
    await client.listRooms();
    assert.deepEqual(waits.map((w) => [w.reason, w.waitMs, w.resetAt]), [
      ["throttled", 500, undefined],
      ["throttled", 1000, undefined],
    ]);
  });

  it("gives up with the 429 error after maxThrottled answers", async () => {
    gitter.reset((_req, res) => json(res, 429, { error: "Too Many Requests" }));
    await assert.rejects(rig({ maxThrottled: 3 }).client.listRooms(), (err: GitterApiError) => err.status === 429);
    assert.equal(gitter.seen.length, 3);
  });

  it("holds the next request back when Remaining reaches 0, instead of sending it", async () => {
    const resetAt = Date.now() + 60_000;
    gitter.reset((_req, res, i) => json(res, 200, [], rateHeaders(i === 0 ? 0 : 99, resetAt + i * 60_000)));
    const { client, waits } = rig();
    await client.listRooms();
    await client.listRooms();
    assert.equal(waits.length, 1);
    assert.equal(waits[0].reason, "exhausted");
    assert.equal(waits[0].resetAt, resetAt);
    assert.equal(waits[0].seenBefore, 1, "the second request waited before it was sent");
    assert.equal(gitter.seen.length, 2);
  });
});

// Runs last: it reads what the tests above logged.
it("logged retries and waits without ever writing the token", () => {
  assert.ok(logLines.some((l) => l.includes("retrying")));
  assert.ok(logLines.some((l) => l.includes("rate limit")));
  assert.ok(logLines.every((l) => !l.includes(TOKEN)));
});
