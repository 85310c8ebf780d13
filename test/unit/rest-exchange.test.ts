// The REST core both networks' transports share (src/util/rest-exchange.ts), driven with a fake sender and error
// classes of its own: the rules each network had tested only through itself.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ApiErrorDetails } from "../../src/util/api-errors";
import type { HttpResponse, HttpSend } from "../../src/util/http";
import { getLogger } from "../../src/util/log";
import { exchange, withRetries, type ErrorKinds, type Outcome, type Wire } from "../../src/util/rest-exchange";

class ApiError extends Error {
  constructor(readonly details: ApiErrorDetails) {
    super(`${details.status} ${details.bodyText}`);
  }
  get status(): number {
    return this.details.status;
  }
}
class TokenInvalid extends ApiError {}
class NotFound extends ApiError {}
class BadResponse extends ApiError {
  constructor(details: ApiErrorDetails, readonly problem: string) {
    super(details);
  }
}
class NetError extends Error {
  constructor(method: string, path: string, readonly reason: unknown) {
    super(`${method} ${path}`);
  }
}
class MaybeDelivered extends Error {
  constructor(readonly inner: ApiError | NetError) {
    super("maybe delivered");
  }
}
const ERRORS: ErrorKinds<ApiError, NetError> = { Api: ApiError, TokenInvalid, NotFound, BadResponse, Network: NetError, MaybeDelivered };

function answer(status: number, body: string): HttpResponse {
  return { status, ok: status >= 200 && status < 300, statusText: "", headers: { get: () => null }, text: async () => body };
}

/** A sender that plays `answers` in turn: a response, or an error to throw. */
function script(answers: (HttpResponse | Error)[]): { send: HttpSend; sent: () => number } {
  let n = 0;
  const send: HttpSend = async () => {
    const next = answers[n++];
    if (next === undefined) throw new Error("no more answers");
    if (next instanceof Error) throw next;
    return next;
  };
  return { send, sent: () => n };
}

const wire = (send: HttpSend): Wire<ApiError, NetError> => ({ send, token: "secret-token", errors: ERRORS });
const url = new URL("http://example.test/things");
const once = (send: HttpSend, init = () => ({ method: "POST" })): Promise<Outcome<ApiError, NetError>> =>
  exchange({ ...wire(send), url, method: "POST", init });

function retries(send: HttpSend, repeatable: () => boolean, doneWhenRefused?: (e: ApiError, failures: number) => boolean) {
  return withRetries<ApiError, NetError>({
    policy: { maxAttempts: 4, maxThrottled: 2, baseMs: 1, maxMs: 1, timeoutMs: 1000 },
    sleep: async () => {},
    log: getLogger("test.rest-exchange"),
    party: "Test",
    method: "POST",
    path: url.pathname,
    throttleNote: "throttled",
    attempt: () => once(send),
    repeatable,
    ...(doneWhenRefused ? { doneWhenRefused } : {}),
    waitAfterThrottle: async () => {},
    errors: ERRORS,
  });
}

const refused = Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNREFUSED" } });
const reset = Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNRESET" } });

describe("rest-exchange", () => {
  it("reads a 204 as no body, whatever came with it", async () => {
    assert.deepEqual(await once(script([answer(204, "not json")]).send), { kind: "done", value: undefined });
  });

  it("turns a body that cannot be serialised into a failure that may have left, not a throw", async () => {
    const outcome = await once(script([]).send, () => {
      throw new TypeError("Do not know how to serialize a BigInt");
    });
    assert.equal(outcome.kind, "failed");
    assert.ok(outcome.kind === "failed" && outcome.maybeSent && outcome.error instanceof NetError);
  });

  it("keeps the token out of the error's body", async () => {
    const outcome = await once(script([answer(400, "bad secret-token")]).send);
    assert.ok(outcome.kind === "refused" && outcome.error.details.bodyText === "bad [redacted]");
  });

  it("retries a request not safe to repeat only when it surely never left", async () => {
    const ok = script([refused, answer(200, "{}")]);
    assert.deepEqual(await retries(ok.send, () => false), {});
    const lost = script([reset, answer(200, "{}")]);
    const err = await retries(lost.send, () => false).catch((e: unknown) => e);
    assert.ok(err instanceof MaybeDelivered && err.inner instanceof NetError);
    assert.equal(lost.sent(), 1);
  });

  it("asks whether the request is still safe to repeat at each failure", async () => {
    const s = script([answer(500, ""), answer(500, ""), answer(500, ""), answer(200, "{}")]);
    const err = await retries(s.send, () => s.sent() < 3).catch((e: unknown) => e);
    assert.ok(err instanceof MaybeDelivered && err.inner instanceof ApiError && err.inner.status === 500);
    assert.equal(s.sent(), 3);
  });

  it("resolves with nothing when a refusal after failed attempts means the work was done", async () => {
    const done = (e: ApiError, failures: number) => failures > 0 && e.status === 404;
    assert.equal(await retries(script([answer(503, ""), answer(404, "")]).send, () => true, done), undefined);
    const err = await retries(script([answer(404, "")]).send, () => true, done).catch((e: unknown) => e);
    assert.ok(err instanceof NotFound);
  });

  it("fails maybe-delivered instead of sending once the window has closed during a 429's wait", async () => {
    const clock = windowedClock([answer(502, ""), answer(429, ""), answer(200, "{}")], 40_000);
    const err = await clock.run().catch((e: unknown) => e);
    assert.ok(err instanceof MaybeDelivered, String(err));
    assert.deepEqual(clock.sentAt, [0, 345]);
  });

  it("asks the window again right before sending, after the attempt's own wait for a slot", async () => {
    const clock = windowedClock([answer(502, ""), answer(200, "{}")], 0, 30_000);
    const err = await clock.run().catch((e: unknown) => e);
    assert.ok(err instanceof MaybeDelivered, String(err));
    assert.deepEqual(clock.sentAt, [0]);
  });

  it("gives up maybe-delivered, not with the last error, when a windowed request may have arrived", async () => {
    const clock = windowedClock([answer(500, ""), answer(500, ""), answer(500, ""), answer(500, "")], 0);
    const err = await clock.run().catch((e: unknown) => e);
    assert.ok(err instanceof MaybeDelivered && err.inner instanceof ApiError && err.inner.status === 500, String(err));
    assert.equal(clock.sentAt.length, 4);
    const always = script([answer(500, ""), answer(500, ""), answer(500, ""), answer(500, "")]);
    const plain = await retries(always.send, () => true).catch((e: unknown) => e);
    assert.ok(plain instanceof ApiError && !(plain instanceof MaybeDelivered));
  });
});

/**
 * A create safe to repeat for 25 s after its first attempt, on a fake clock that waits move: backoff jitter of
 * 0.38 makes the first retry 345 ms later, a 429 waits `throttleMs`, taking a slot before a send waits `slotMs`.
 */
function windowedClock(answers: HttpResponse[], throttleMs: number, slotMs = 0) {
  let now = 0;
  let slots = 0;
  const sentAt: number[] = [];
  const s = script(answers);
  const send: HttpSend = (u, init) => {
    sentAt.push(now);
    return s.send(u, init);
  };
  const run = () =>
    withRetries<ApiError, NetError>({
      policy: { maxAttempts: 4, maxThrottled: 6, baseMs: 500, maxMs: 15_000, timeoutMs: 1000, random: () => 0.38 },
      sleep: async (ms) => void (now += ms),
      log: getLogger("test.rest-exchange"),
      party: "Test",
      method: "POST",
      path: url.pathname,
      throttleNote: "throttled",
      attempt: async (beforeSend) => {
        if (slots++ > 0) now += slotMs;
        beforeSend();
        return once(send);
      },
      repeatable: () => now < 25_000,
      windowed: true,
      waitAfterThrottle: async () => void (now += throttleMs),
      errors: ERRORS,
    });
  return { run, sentAt };
}
