// The Mattermost client's error semantics against the emulator: 401 and 404 as typed errors with the server's id,
// 429 waited out (Retry-After, in seconds) a bounded number of times, 5xx retried for safe requests, a create retried
// with its pending_post_id only inside the server's deduplication window and never doubled, a maybe-delivered
// error outside it, and no token in any log line or error.
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import {
  MattermostApiError,
  MattermostMaybeDeliveredError,
  MattermostNetworkError,
  MattermostNotFoundError,
  MattermostTokenInvalidError,
} from "../../src/mattermost/errors";
import { MattermostRateLimiter } from "../../src/mattermost/rate-limit";
import { MattermostClient } from "../../src/mattermost/rest";
import { configureLogging } from "../../src/util/log";
import { ALICE, startMm, type MmApi } from "./mm-emulator-helpers";

let api: MmApi;
const logLines: string[] = [];
const fast = { baseMs: 5, maxMs: 20 };

before(async () => {
  configureLogging({ sink: { write: (line) => void logLines.push(line) }, level: "debug" });
  api = await startMm();
});
after(async () => {
  configureLogging({ sink: undefined, level: "info" });
  await api.emu.stop();
});
beforeEach(async () => {
  await api.control("POST", "/reset");
  await api.control("DELETE", "/faults");
  await api.control("PUT", "/rate-limit", { enabled: false });
});

const client = (token = ALICE, extra: Partial<ConstructorParameters<typeof MattermostClient>[0]> = {}) =>
  new MattermostClient({ serverUrl: api.emu.url, token, retry: fast, ...extra });
const postsSaying = (message: string) => [...api.emu.state.posts.values()].filter((p) => p.message === message).length;
const failure = (p: Promise<unknown>) => p.then(() => assert.fail("expected a failure"), (e: unknown) => e);

describe("Mattermost client errors", () => {
  it("turns 401 into a token error and 404 into a not-found, with the server's id and no token", async () => {
    const { token } = await api.control<{ token: string }>("POST", "/tokens", { user: "carol" });
    const carol = client(token);
    await carol.me();
    await api.control("DELETE", `/tokens/${token}`);
    const err = await failure(carol.myTeams());
    assert.ok(err instanceof MattermostTokenInvalidError);
    assert.equal(err.status, 401);
    assert.equal(err.errorId, "api.context.session_expired.app_error");
    assert.ok(!err.message.includes(token) && !err.userMessage.includes(token));
    const missing = await failure(client().getPost("x".repeat(26)));
    assert.ok(missing instanceof MattermostNotFoundError);
    assert.equal(missing.errorId, "app.post.get.app_error");
  });

  it("waits out 429s by Retry-After, per token, and gives up after the bounded number", async () => {
    await api.control("PUT", "/rate-limit", { perSec: 4, burst: 1 });
    const limiter = new MattermostRateLimiter();
    const alice = client(ALICE, { limiter });
    const answers = await Promise.all(Array.from({ length: 6 }, () => alice.me()));
    assert.equal(answers.length, 6);
    assert.ok(limiter.stats.throttled >= 1, "at least one 429 was seen and waited out");
    const impatient = client(ALICE, { retry: { ...fast, maxThrottled: 1 } });
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => impatient.me()));
    const refused = results.filter((r) => r.status === "rejected").map((r) => (r as PromiseRejectedResult).reason as unknown);
    assert.ok(refused.length > 0 && refused.every((e) => e instanceof MattermostApiError && e.status === 429));
  });

  it("retries a GET after 5xx, and gives up after the bounded number of attempts", async () => {
    await api.control("POST", "/faults", { status: 503, count: 2, method: "GET", path: "^/users/me$" });
    assert.equal((await client().me()).username, "alice");
    await api.control("POST", "/faults", { status: 502, count: 10, method: "GET", path: "^/users/me$" });
    const err = await failure(client(ALICE, { retry: { ...fast, maxAttempts: 3 } }).me());
    assert.ok(err instanceof MattermostApiError && err.status === 502);
    await api.control("DELETE", "/faults");
  });

  it("retries a create whose answer was lost with the same pending_post_id, and posts once", async () => {
    const dev = api.channelId("acme/dev");
    await api.control("POST", "/faults", { status: 500, count: 1, method: "POST", path: "^/posts$", drop: true });
    const post = await client().createPost({ channel_id: dev, message: "said once" });
    assert.equal(post.message, "said once");
    assert.equal(postsSaying("said once"), 1);
    await api.control("POST", "/faults", { status: 503, count: 1, method: "POST", path: "^/posts$" });
    await client().createPost({ channel_id: dev, message: "after a 503" });
    assert.equal(postsSaying("after a 503"), 1);
  });

  it("says maybe-delivered, without retrying, once the server's window has passed", async () => {
    const dev = api.channelId("acme/dev");
    let now = Date.now();
    const late = client(ALICE, { now: () => (now += 30_000) });
    await late.myId();
    await api.control("POST", "/faults", { status: 500, count: 1, method: "POST", path: "^/posts$", drop: true });
    const err = await failure(late.createPost({ channel_id: dev, message: "maybe" }));
    assert.ok(err instanceof MattermostMaybeDeliveredError);
    assert.ok(err.cause instanceof MattermostNetworkError);
    assert.equal(postsSaying("maybe"), 1);
  });

  it("says maybe-delivered, without sending again, when a 429's wait outlasts the window after a possible arrival", async () => {
    const dev = api.channelId("acme/dev");
    let clock = Date.now();
    const sleep = async (ms: number) => void (clock += ms);
    const limiter = new MattermostRateLimiter({ now: () => clock, sleep, backoff: { baseMs: 80_000, maxMs: 80_000 } });
    const slow = client(ALICE, { now: () => clock, limiter, retry: { ...fast, sleep } });
    await slow.myId();
    await api.control("POST", "/faults", { status: 500, count: 1, method: "POST", path: "^/posts$", drop: true });
    await api.control("POST", "/faults", { status: 429, count: 1, method: "POST", path: "^/posts$" });
    const err = await failure(slow.createPost({ channel_id: dev, message: "saved, then throttled" }));
    assert.ok(err instanceof MattermostMaybeDeliveredError, String(err));
    assert.equal(postsSaying("saved, then throttled"), 1);
  });

  it("says maybe-delivered when a create's attempts run out inside the window, as the first may have arrived", async () => {
    const dev = api.channelId("acme/dev");
    await api.control("POST", "/faults", { status: 500, count: 1, method: "POST", path: "^/posts$", drop: true });
    await api.control("POST", "/faults", { status: 502, count: 3, method: "POST", path: "^/posts$" });
    const err = await failure(client().createPost({ channel_id: dev, message: "four failures" }));
    assert.ok(err instanceof MattermostMaybeDeliveredError, String(err));
    assert.equal(postsSaying("four failures"), 1);
  });

  it("fails a request to a server that is gone with a network error", async () => {
    const gone = new MattermostClient({ serverUrl: "http://127.0.0.1:9", token: ALICE, retry: { ...fast, maxAttempts: 2 } });
    const err = await failure(gone.me());
    assert.ok(err instanceof MattermostNetworkError);
  });

  it("never logged a token", () => {
    assert.ok(logLines.length > 0, "the retries above were logged");
    for (const line of logLines) assert.ok(!line.includes(ALICE), `a log line shows a token: ${line}`);
  });
});
