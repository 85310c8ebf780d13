import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { GitterApiError, GitterNotFoundError, GitterTokenInvalidError } from "../../src/gitter/errors";
import { RateLimiter } from "../../src/gitter/rate-limit";
import { GitterRestClient } from "../../src/gitter/rest";
import { FakeGitter, json, SAMPLE } from "./gitter-fake-server";

const TOKEN = "0123456789abcdef0123456789abcdef01234567";

const gitter = new FakeGitter();

/** Waits are skipped: these tests only check what is sent and how answers are read. */
function client(): GitterRestClient {
  const sleep = async () => undefined;
  return new GitterRestClient({
    apiUrl: gitter.url,
    token: TOKEN,
    retry: { maxAttempts: 3, baseMs: 100, maxMs: 1000, sleep },
    limiter: new RateLimiter({ sleep }),
  });
}

before(() => gitter.start());
after(() => gitter.stop());

describe("GitterRestClient requests", () => {
  it("sends the token as a Bearer header and JSON bodies with a Content-Length, never chunked", async () => {
    gitter.reset((req, res) => json(res, 200, SAMPLE.message(JSON.parse(req.body).text)));
    const text = "héllo 👋 wörld";
    const sent = await client().sendMessage("room/1", { text });
    assert.equal(sent.text, text);
    const [req] = gitter.seen;
    assert.equal(req.method, "POST");
    assert.equal(req.url, "/v1/rooms/room%2F1/chatMessages");
    assert.equal(req.headers.authorization, `Bearer ${TOKEN}`);
    assert.equal(req.headers.accept, "application/json");
    assert.equal(req.headers["content-type"], "application/json");
    assert.equal(req.headers["content-length"], String(Buffer.byteLength(req.body)));
    assert.equal(req.headers["transfer-encoding"], undefined);
    assert.deepEqual(JSON.parse(req.body), { text });
  });

  it("tolerates a base URL with a trailing /v1 or slash", async () => {
    gitter.reset((_req, res) => json(res, 200, { id: "u1", username: "alice" }));
    for (const apiUrl of [`${gitter.url}/`, `${gitter.url}/v1`, `${gitter.url}/v1/`]) {
      await new GitterRestClient({ apiUrl, token: TOKEN }).getCurrentUser();
    }
    assert.deepEqual(gitter.seen.map((s) => s.url), ["/v1/user/me", "/v1/user/me", "/v1/user/me"]);
  });

  it("maps every call to Gitter's method, path, query and body", async () => {
    gitter.reset((req, res) => {
      if (req.method === "DELETE" && req.url.includes("/chatMessages/")) return void res.writeHead(204).end();
      if (req.url === "/v1/user/me") return json(res, 200, { id: "u1", username: "alice" });
      if (req.url === "/v1/user") return json(res, 200, [{ id: "u1", username: "alice" }]);
      if (req.url.includes("/users")) return json(res, 200, req.url.startsWith("/v1/users/") ? SAMPLE.user : [SAMPLE.user]);
      if (req.url.includes("q=")) return json(res, 200, { results: [req.url.startsWith("/v1/user") ? SAMPLE.user : SAMPLE.room] });
      if (req.url.includes("chatMessages")) return json(res, 200, /chatMessages(\?|\/m1\/thread)/.test(req.url) ? [SAMPLE.message()] : SAMPLE.message());
      if (req.url === "/v1/rooms" && req.method === "GET") return json(res, 200, [SAMPLE.room]);
      if (/^\/v1\/(rooms|user\/u1\/rooms)(\/r1)?$/.test(req.url) && req.method !== "DELETE") return json(res, 200, SAMPLE.room);
      json(res, 200, { success: true });
    });
    const c = client();
    const calls: Array<[() => Promise<unknown>, string, string, unknown?]> = [
      [() => c.getCurrentUserFromList(), "GET", "/v1/user"],
      [() => c.getCurrentUser(), "GET", "/v1/user/me"],
      [() => c.listRooms(), "GET", "/v1/rooms"],
      [() => c.resolveRoom("gitterHQ/gitter"), "POST", "/v1/rooms", { uri: "gitterHQ/gitter" }],
      [() => c.joinRoom("r1"), "POST", "/v1/user/u1/rooms", { id: "r1" }],
      [() => c.leaveRoom("r1"), "DELETE", "/v1/rooms/r1/users/u1"],
      [() => c.hideRoom("r1"), "DELETE", "/v1/user/u1/rooms/r1"],
      [() => c.getRoom("r1"), "GET", "/v1/rooms/r1"],
      [() => c.listRoomMembers("r1", { limit: 100, skip: 95, q: "al" }), "GET", "/v1/rooms/r1/users?limit=100&skip=95&q=al"],
      [() => c.listRoomMembers("r1"), "GET", "/v1/rooms/r1/users"],
      [
        () => c.listMessages("r1", { limit: 20, beforeId: "b", afterId: "a", aroundId: "c", skip: 3, includeThreads: true }),
        "GET",
        "/v1/rooms/r1/chatMessages?limit=20&beforeId=b&afterId=a&aroundId=c&skip=3&includeThreads=true",
      ],
      [() => c.getMessage("r1", "m1"), "GET", "/v1/rooms/r1/chatMessages/m1"],
      [() => c.sendMessage("r1", { text: "/me waves", status: true, parentId: "p1" }), "POST", "/v1/rooms/r1/chatMessages", { text: "/me waves", status: true, parentId: "p1" }],
      [() => c.editMessage("r1", "m1", "edited"), "PUT", "/v1/rooms/r1/chatMessages/m1", { text: "edited" }],
      [() => c.deleteMessage("r1", "m1"), "DELETE", "/v1/rooms/r1/chatMessages/m1"],
      [() => c.listThread("r1", "m1", { limit: 5, afterId: "x" }), "GET", "/v1/rooms/r1/chatMessages/m1/thread?limit=5&afterId=x"],
      [() => c.getUnreadItems("r1"), "GET", "/v1/user/u1/rooms/r1/unreadItems"],
      [() => c.markRead("r1", ["m1", "m2"]), "POST", "/v1/user/u1/rooms/r1/unreadItems", { chat: ["m1", "m2"] }],
      [() => c.markAllRead("r1"), "DELETE", "/v1/user/u1/rooms/r1/unreadItems/all"],
      [() => c.searchUsers("ali", { limit: 5 }), "GET", "/v1/user?q=ali&type=gitter&limit=5"],
      [() => c.searchRooms("gitter", { skip: 10 }), "GET", "/v1/rooms?q=gitter&skip=10"],
      [() => c.getUserByUsername("some one"), "GET", "/v1/users/some%20one"],
    ];
    for (const [call, method, url, body] of calls) {
      const before = gitter.seen.length;
      await call();
      assert.equal(gitter.seen.length, before + 1, `${method} ${url} sent exactly one request`);
      const req = gitter.seen[before];
      assert.equal(`${req.method} ${req.url}`, `${method} ${url}`);
      if (body === undefined) assert.equal(req.body, "", `${method} ${url} has no body`);
      else assert.deepEqual(JSON.parse(req.body), body, `${method} ${url} body`);
    }
  });

  it("unwraps search results, and learns its own id once for the calls that need it", async () => {
    gitter.reset((req, res) => {
      if (req.url === "/v1/user/me") return json(res, 200, { id: "self", username: "alice" });
      if (req.url.startsWith("/v1/user?q=")) return json(res, 200, { results: [{ id: "u9", username: "bob" }], hasMoreResults: false });
      if (req.url === "/v1/user/self/rooms") return json(res, 200, SAMPLE.room);
      json(res, 200, { success: true });
    });
    const c = client();
    const users = await c.searchUsers("bob");
    assert.deepEqual(users.map((u) => u.username), ["bob"]);
    await c.joinRoom("r1");
    await c.markAllRead("r1");
    await c.markRead("r1", []); // nothing to send: Gitter would answer 400
    assert.deepEqual(gitter.seen.map((s) => `${s.method} ${s.url}`), [
      "GET /v1/user?q=bob&type=gitter",
      "GET /v1/user/me",
      "POST /v1/user/self/rooms",
      "DELETE /v1/user/self/rooms/r1/unreadItems/all",
    ]);
  });

  it("uses a user id given up front instead of asking Gitter", async () => {
    gitter.reset((_req, res) => json(res, 200, { success: true }));
    await new GitterRestClient({ apiUrl: gitter.url, token: TOKEN, userId: "known" }).hideRoom("r1");
    assert.deepEqual(gitter.seen.map((s) => `${s.method} ${s.url}`), ["DELETE /v1/user/known/rooms/r1"]);
  });

  it("handles a 204 delete with an empty body", async () => {
    gitter.reset((_req, res) => void res.writeHead(204).end());
    assert.equal(await client().deleteMessage("r1", "m1"), undefined);
  });

  it("rejects an empty /v1/user array with an API error", async () => {
    gitter.reset((_req, res) => json(res, 200, []));
    await assert.rejects(client().getCurrentUserFromList(), GitterApiError);
  });

  it("rejects an unparseable success body", async () => {
    gitter.reset((_req, res) => void res.writeHead(200, { "Content-Type": "text/html" }).end("<html>oops</html>"));
    await assert.rejects(client().listRooms(), (err: GitterApiError) => err.status === 200 && /unparseable/.test(err.message));
  });
});

describe("GitterRestClient errors", () => {
  it("turns 401 into GitterTokenInvalidError without retrying", async () => {
    gitter.reset((_req, res) => json(res, 401, { error: "Unauthorized" }));
    await assert.rejects(client().getCurrentUser(), (err: unknown) => {
      assert.ok(err instanceof GitterTokenInvalidError);
      assert.match(err.userMessage, /no longer valid/);
      return true;
    });
    assert.equal(gitter.seen.length, 1);
  });

  it("turns 404 into GitterNotFoundError and 400 into GitterApiError with the server's text", async () => {
    gitter.reset((_req, res) => json(res, 404, { error: "Not Found" }));
    await assert.rejects(client().getRoom("nope"), GitterNotFoundError);
    gitter.reset((_req, res) => json(res, 400, { error: "Text is required" }));
    await assert.rejects(client().sendMessage("r1", { text: "" }), (err: GitterApiError) => err.status === 400 && err.serverMessage === "Text is required");
    assert.equal(gitter.seen.length, 1);
  });

  it("never puts the token into an error, even when the server echoes it", async () => {
    gitter.reset((_req, res) => json(res, 403, { error: `token ${TOKEN} may not do that` }));
    await assert.rejects(client().getRoom("r1"), (err: GitterApiError) => {
      assert.ok(!err.message.includes(TOKEN) && !err.userMessage.includes(TOKEN) && !err.bodyText.includes(TOKEN));
      assert.match(err.bodyText, /\[redacted\]/);
      return true;
    });
  });
});
