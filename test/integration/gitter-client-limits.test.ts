// The REST client's failure paths against the emulator: revoked tokens, and rate limits set low through the
// control API so that waits are real but short.
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import { GitterTokenInvalidError } from "../../src/gitter/errors";
import { RateLimiter } from "../../src/gitter/rate-limit";
import { GitterRestClient } from "../../src/gitter/rest";

const FIXTURE = path.join(__dirname, "..", "..", "fixtures", "test.yaml");
const BOB_TOKEN = "b".repeat(40);

let emu: RunningEmulator;

async function control(method: string, route: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${emu.url}/_emulator${route}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.ok(res.ok, `control ${method} ${route} -> ${res.status}`);
  return (await res.json()) as Record<string, unknown>;
}

/** A client with its own limiter, tuned for windows of a second rather than a minute. */
function clientFor(token: string, counter?: { requests: number }): GitterRestClient {
  const counting: typeof fetch = (input, init) => {
    if (counter) counter.requests++;
    return fetch(input, init);
  };
  return new GitterRestClient({
    apiUrl: emu.url,
    token,
    fetch: counting,
    limiter: new RateLimiter({ marginMs: 25, sameWindowSlackMs: 50 }),
  });
}

before(async () => {
  emu = await startEmulator({ port: 0, fixture: FIXTURE, control: true });
});
after(() => emu.stop());

describe("revoked tokens", () => {
  it("surface as GitterTokenInvalidError at once, without retries and without the token in the error", async () => {
    const issued = await control("POST", "/tokens", { user: "dave", clientId: "revoke-test" });
    const token = String(issued.access_token);
    const counter = { requests: 0 };
    const dave = clientFor(token, counter);
    assert.equal((await dave.getCurrentUser()).username, "dave");
    await control("POST", "/tokens/revoke", { token });
    counter.requests = 0;
    await assert.rejects(dave.listRooms(), (err: unknown) => {
      assert.ok(err instanceof GitterTokenInvalidError);
      assert.equal(err.status, 401);
      assert.match(err.userMessage, /no longer valid/);
      assert.ok(!err.message.includes(token) && !err.userMessage.includes(token));
      return true;
    });
    assert.equal(counter.requests, 1);
  });
});

describe("rate limits", () => {
  after(() => control("PUT", "/rate-limit", { limit: 100, windowSeconds: 60 }));

  it("holds a request back when the budget is spent, so Gitter never answers 429", async () => {
    // Three local requests take milliseconds; the 2 s window only has to outlast them.
    await control("PUT", "/rate-limit", { limit: 3, windowSeconds: 2 });
    const bob = clientFor(BOB_TOKEN);
    for (let i = 0; i < 4; i++) assert.equal((await bob.getCurrentUser()).username, "bob");
    assert.equal(bob.limiter.stats.throttled, 0);
    assert.equal(bob.limiter.stats.waits, 1);
  });

  it("waits out a 429 storm: every request succeeds, and only the first burst is refused", async () => {
    const general = await clientFor(BOB_TOKEN).resolveRoom("test/general");
    // Setting the limit clears the windows; this fresh client knows nothing of the budget, like a restarted bridge.
    // A 3 s window: with 1 s, a loaded machine could see a window end in the middle of a burst and count more 429s.
    await control("PUT", "/rate-limit", { limit: 10, windowSeconds: 3 });
    const bob = clientFor(BOB_TOKEN);
    const calls = Array.from({ length: 30 }, (_, i) =>
      i % 3 === 0 ? bob.getRoom(general.id) : i % 3 === 1 ? bob.listRooms() : bob.listRoomMembers(general.id),
    );
    const results = await Promise.all(calls);
    assert.equal(results.length, 30);
    assert.ok(results.every((r) => r !== undefined));
    const { throttled, waits } = bob.limiter.stats;
    assert.ok(throttled > 0, "the first burst went out before any budget was known");
    // 30 requests against 10 per window: the first burst loses 20, then the limiter admits 10 per window,
    // so no herd of retries collects further 429s.
    assert.ok(throttled <= 20, `${throttled} answers were 429`);
    assert.ok(waits >= throttled);
  });

  it("posts every message of a burst exactly once through 429s", async () => {
    const room = await clientFor(BOB_TOKEN).resolveRoom("test/other");
    await control("PUT", "/rate-limit", { limit: 5, windowSeconds: 1 });
    const bob = clientFor(BOB_TOKEN);
    const texts = Array.from({ length: 10 }, (_, i) => `burst message ${i}`);
    const sent = await Promise.all(texts.map((text) => bob.sendMessage(room.id, { text })));
    assert.deepEqual(sent.map((m) => m.text), texts);
    const log = (await (await fetch(`${emu.url}/_emulator/messages?room=test/other`)).json()) as Array<{ text: string }>;
    for (const text of texts) assert.equal(log.filter((m) => m.text === text).length, 1, `${text} stored once`);
    assert.ok(bob.limiter.stats.throttled > 0);
  });
});
