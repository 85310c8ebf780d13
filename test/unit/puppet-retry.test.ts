// Waiting out outages (src/puppet/retry.ts): which failures count as outages, how long to wait, and stopping.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GitterApiError, GitterMaybeDeliveredError, GitterNetworkError, GitterTokenInvalidError } from "../../src/gitter/errors";
import { GitterOAuthError } from "../../src/gitter/oauth";
import { BayeuxError } from "../../src/gitter/realtime-bayeux";
import { MatrixApiError } from "../../src/matrix/errors";
import { NetworkError, type NetworkErrorKind } from "../../src/network/errors";
import { isOutage, outageDelay, sleepUnlessAborted, Stopped, untilDone } from "../../src/puppet/retry";

const matrix = (status: number, retryAfterMs?: number) =>
  new MatrixApiError({ errcode: status === 0 ? "M_CONNECTION_FAILED" : "M_X", status, method: "PUT", path: "/x", retryAfterMs });
const gitter = (status: number) => new GitterApiError({ status, method: "GET", path: "/v1/x", bodyText: "" });
const coded = (code: string) => Object.assign(new Error(code), { code });
const fast = { baseMs: 1, maxMs: 2 };
const network = (kind: NetworkErrorKind) => new NetworkError(kind, "Mattermost", `a ${kind} failure`);

describe("isOutage", () => {
  it("counts unreachable, overloaded and rate-limiting services as outages", () => {
    for (const err of [
      matrix(0), matrix(429), matrix(502), gitter(429), gitter(503),
      new GitterNetworkError("GET", "/v1/x", new Error("reset")),
      new GitterMaybeDeliveredError(gitter(500)),
      coded("SQLITE_BUSY"), coded("ECONNREFUSED"), coded("57P01"),
      Object.assign(new Error("pool"), { name: "KnexTimeoutError" }),
    ]) assert.equal(isOutage(err), true, String(err));
  });

  it("does not count refusals or bugs", () => {
    for (const err of [matrix(403), matrix(404), gitter(400), gitter(404), new GitterTokenInvalidError({ status: 401, method: "GET", path: "/v1/x", bodyText: "" }),
      new TypeError("x is undefined"), coded("SQLITE_CONSTRAINT"), "a string", null]) {
      assert.equal(isOutage(err), false, String(err));
    }
  });

  it("decides a network's failures on their kind alone: unavailable and maybe-delivered are waited out", () => {
    for (const kind of ["unavailable", "maybe-delivered"] as const) assert.equal(isOutage(network(kind)), true, kind);
    for (const kind of ["token-invalid", "not-found", "forbidden", "rejected", "bad-response", "unsupported"] as const) {
      assert.equal(isOutage(network(kind)), false, kind);
    }
    assert.equal(outageDelay(network("forbidden"), 1), null);
    assert.equal(outageDelay(network("unavailable"), 1, { baseMs: 100, maxMs: 1000, random: () => 1 }), 100);
  });

  it("leaves the realtime connection's and a login's failures to their owners, transient as they are", () => {
    const dropped = new BayeuxError("/meta/connect", "transport closed");
    const unreachable = new GitterOAuthError("unreachable", undefined, undefined, "POST /login/oauth/token failed");
    for (const err of [dropped, unreachable]) {
      assert.equal(err.transient, true, String(err));
      assert.equal(isOutage(err), false, String(err));
    }
  });
});

describe("outageDelay", () => {
  it("grows with the attempt, never beyond the ceiling, and is null for non-outages", () => {
    const policy = { baseMs: 100, maxMs: 1000, random: () => 1 };
    assert.deepEqual([1, 2, 3, 4, 5, 9].map((n) => outageDelay(matrix(0), n, policy)), [100, 200, 400, 800, 1000, 1000]);
    assert.equal(outageDelay(matrix(403), 1, policy), null);
  });

  it("waits at least as long as the homeserver's retry_after_ms", () => {
    assert.equal(outageDelay(matrix(429, 5000), 1, { baseMs: 100, maxMs: 1000 }), 5000);
  });
});

describe("untilDone", () => {
  it("retries outages until the work succeeds", async () => {
    let calls = 0;
    const seen: number[] = [];
    const result = await untilDone(
      async () => {
        if (++calls < 4) throw matrix(0);
        return "done";
      },
      { signal: new AbortController().signal, backoff: fast, onRetry: (_e, attempt) => seen.push(attempt) },
    );
    assert.equal(result, "done");
    assert.deepEqual(seen, [1, 2, 3]);
  });

  it("rethrows anything else at once", async () => {
    let calls = 0;
    const refusal = matrix(403);
    await assert.rejects(untilDone(async () => (calls++, Promise.reject(refusal)), { signal: new AbortController().signal, backoff: fast }), (e) => e === refusal);
    assert.equal(calls, 1);
  });

  it("throws Stopped without running when already aborted, and ends a wait when aborted", async () => {
    const aborted = new AbortController();
    aborted.abort("gone");
    let ran = false;
    await assert.rejects(untilDone(async () => void (ran = true), { signal: aborted.signal }), (e) => e instanceof Stopped && /gone/.test((e as Error).message));
    assert.equal(ran, false);

    const later = new AbortController();
    const started = Date.now();
    const run = untilDone(() => Promise.reject(matrix(0)), { signal: later.signal, backoff: { baseMs: 60_000, maxMs: 60_000 } });
    setTimeout(() => later.abort("stop"), 20);
    await assert.rejects(run, Stopped);
    assert.ok(Date.now() - started < 10_000, "the minute-long wait was cut short");
  });

  it("sleepUnlessAborted resolves at once for an aborted signal", async () => {
    const c = new AbortController();
    c.abort();
    await sleepUnlessAborted(60_000, c.signal);
  });
});
