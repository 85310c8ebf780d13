// Token handling, error bodies, the chunked-body rule, CORS and the rate limiter, over real HTTP.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ALICE, BOB, startTestEmulator, type Api } from "./emulator-helpers";

describe("emulator auth and transport rules", () => {
  let api: Api;
  before(async () => {
    api = await startTestEmulator({ rateLimit: 1000, control: true });
  });
  after(() => api.emu.stop());

  it("answers an unknown token with 401 {error: Unauthorized}", async () => {
    const res = await api.call("GET", "/v1/user", "0".repeat(40));
    assert.equal(res.status, 401);
    assert.deepEqual(await res.json(), { error: "Unauthorized" });
    assert.equal(res.headers.get("www-authenticate"), null);
  });

  it("answers a missing token with 401", async () => {
    const res = await api.call("GET", "/v1/rooms");
    assert.equal(res.status, 401);
    assert.deepEqual(await res.json(), { error: "Unauthorized" });
  });

  it("rejects a malformed Authorization header with 400", async () => {
    for (const header of ["Bearer", "Bearer a b"]) {
      const res = await fetch(`${api.emu.url}/v1/user`, { headers: { authorization: header } });
      assert.equal(res.status, 400, header);
    }
  });

  it("rejects two different tokens with 400", async () => {
    const res = await fetch(`${api.emu.url}/v1/user?access_token=${BOB}`, { headers: { authorization: `Bearer ${ALICE}` } });
    assert.equal(res.status, 400);
  });

  it("accepts the token as Bearer (any case), x-access-token or ?access_token=", async () => {
    const viaHeader = await fetch(`${api.emu.url}/v1/user`, { headers: { authorization: `bearer ${ALICE}` } });
    const viaX = await fetch(`${api.emu.url}/api/v1/user`, { headers: { "x-access-token": ALICE } });
    const viaQuery = await fetch(`${api.emu.url}/v1/user?access_token=${ALICE}`);
    for (const res of [viaHeader, viaX, viaQuery]) {
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("x-ratelimit-limit"), "1000", "the rateLimit option applies");
      const body = (await res.json()) as { username: string; providers: string[] }[];
      assert.ok(Array.isArray(body), "GET /v1/user is an array");
      assert.equal(body[0].username, "alice");
      assert.deepEqual(body[0].providers, ["github"]);
    }
  });

  it("serves /v1/user/me and the caller's own id, and 403 for someone else's", async () => {
    const me = await api.json("GET", "/v1/user/me", ALICE);
    assert.equal(me.username, "alice");
    assert.equal((await api.json("GET", `/v1/user/${me.id}`, ALICE)).id, me.id);
    const other = await api.call("GET", `/v1/user/${api.userId("bob")}`, ALICE);
    assert.equal(other.status, 403);
  });

  it("answers unknown API paths with 404 {error: Not Found}", async () => {
    const res = await api.call("GET", "/v1/nothing-here", ALICE);
    assert.equal(res.status, 404);
    assert.deepEqual(await res.json(), { error: "Not Found" });
  });

  it("refuses a chunked request body with 406", async () => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(JSON.stringify({ text: "chunked" })));
        controller.close();
      },
    });
    // `duplex` is required by fetch for stream bodies but missing from the DOM RequestInit type.
    const init = { method: "POST", body, duplex: "half", headers: { authorization: `Bearer ${ALICE}`, "content-type": "application/json" } };
    const res = await fetch(`${api.emu.url}/v1/rooms/${api.roomId("test/general")}/chatMessages`, init as RequestInit);
    assert.equal(res.status, 406);
    assert.equal(api.emu.state.chat.allMessages().some((m) => m.text === "chunked"), false);
  });

  it("answers CORS preflights and exposes the rate-limit headers", async () => {
    const res = await fetch(`${api.emu.url}/v1/rooms`, {
      method: "OPTIONS",
      headers: { origin: "http://example.test", "access-control-request-method": "POST", "access-control-request-headers": "authorization" },
    });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get("access-control-allow-origin"), "http://example.test");
    assert.match(res.headers.get("access-control-allow-methods") ?? "", /PATCH/);
    assert.match(res.headers.get("access-control-expose-headers") ?? "", /X-RateLimit-Reset/);
  });

  it("counts requests per (user, client), sends the headers, 429s past the limit and resets", async () => {
    api.emu.limiter.configure(3, 60_000);
    const started = Date.now();
    const seen: { status: number; remaining: string | null; reset: number }[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await api.call("GET", "/v1/user", ALICE);
      seen.push({ status: res.status, remaining: res.headers.get("x-ratelimit-remaining"), reset: Number(res.headers.get("x-ratelimit-reset")) });
      assert.equal(res.headers.get("x-ratelimit-limit"), "3");
      assert.equal(res.headers.get("retry-after"), null);
      await res.arrayBuffer();
    }
    assert.deepEqual(seen.map((s) => s.status), [200, 200, 200, 429]);
    assert.deepEqual(seen.map((s) => s.remaining), ["2", "1", "0", "0"]);
    // Reset is epoch milliseconds (not seconds), about a window after the first request.
    assert.ok(seen[0].reset >= started + 59_000 && seen[0].reset <= Date.now() + 60_000, String(seen[0].reset));
    assert.equal(new Set(seen.map((s) => s.reset)).size, 1, "a fixed window");

    const bob = await api.call("GET", "/v1/user", BOB);
    assert.equal(bob.status, 200, "another user has a window of their own");
    const sameUserOtherClient = await api.json("POST", "/_emulator/tokens", undefined, { user: "alice", clientId: "other-client" });
    assert.equal((await api.call("GET", "/v1/user", sameUserOtherClient.access_token)).status, 200);

    api.emu.limiter.configure(3, 50);
    await new Promise((r) => setTimeout(r, 5));
    assert.equal((await api.call("GET", "/v1/user", ALICE)).status, 200);
    await new Promise((r) => setTimeout(r, 80));
    const fresh = await api.call("GET", "/v1/user", ALICE);
    assert.equal(fresh.status, 200);
    assert.equal(fresh.headers.get("x-ratelimit-remaining"), "2", "a new window after the old one ended");
    api.emu.limiter.configure(1000, 60_000);
  });

  it("does not rate-limit unauthenticated requests", async () => {
    const res = await api.call("GET", "/v1/user", "f".repeat(40));
    assert.equal(res.status, 401);
    assert.equal(res.headers.get("x-ratelimit-limit"), null);
  });
});
