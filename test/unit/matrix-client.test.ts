// The client against a fake homeserver over real HTTP: it records every request and answers from a script.
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, beforeEach, describe, it } from "node:test";
import { MatrixClient, TXN_ID_KEY } from "../../src/matrix/client";
import { CONNECTION_FAILED, MatrixApiError } from "../../src/matrix/errors";
import { configureLogging } from "../../src/util/log";

const AS_TOKEN = "as-secret-token-1234";
const BOT = "@gitterbot:example.org";

interface Recorded {
  method: string;
  /** Decoded, for matching. */
  path: string;
  /** As sent, to check the encoding. */
  rawPath: string;
  query: URLSearchParams;
  authorization: string | undefined;
  contentType: string | undefined;
  body: string;
}

type Reply = { status: number; body?: unknown; headers?: Record<string, string> };
type Script = (req: Recorded) => Reply | undefined;

class FakeHomeserver {
  readonly requests: Recorded[] = [];
  private scripts: Script[] = [];
  private server = http.createServer((req, res) => this.handle(req, res));
  url = "";

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  reset(): void {
    this.requests.length = 0;
    this.scripts = [];
  }

  /** Answers requests matching `match` with `replies` in turn, the last one forever. */
  on(match: (r: Recorded) => boolean, ...replies: Reply[]): void {
    let n = 0;
    this.scripts.push((r) => (match(r) ? replies[Math.min(n++, replies.length - 1)] : undefined));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://x");
      const rec: Recorded = {
        method: req.method ?? "",
        path: decodeURIComponent(url.pathname),
        rawPath: url.pathname,
        query: url.searchParams,
        authorization: req.headers.authorization,
        contentType: req.headers["content-type"],
        body: Buffer.concat(chunks).toString("utf8"),
      };
      this.requests.push(rec);
      let reply: Reply | undefined;
      for (const script of this.scripts) reply ??= script(rec);
      reply ??= { status: 404, body: { errcode: "M_UNRECOGNIZED", error: "unscripted" } };
      res.writeHead(reply.status, { "content-type": "application/json", ...reply.headers });
      res.end(JSON.stringify(reply.body ?? {}));
    });
  }
}

const hs = new FakeHomeserver();
const logLines: string[] = [];
let waits: number[] = [];

function client(maxAttempts = 4): MatrixClient {
  return MatrixClient.connect({
    homeserverUrl: hs.url + "/",
    asToken: AS_TOKEN,
    userId: BOT,
    maxAttempts,
    backoff: { baseMs: 100, maxMs: 1000, random: () => 0.5 },
    sleep: async (ms) => void waits.push(ms),
  });
}

const path = (p: string) => (r: Recorded) => r.path === p;
const startsWith = (p: string) => (r: Recorded) => r.path.startsWith(p);
const isSend = (r: Recorded) => r.method === "PUT" && r.path.includes("/send/");
const isHistory = (r: Recorded) => r.method === "GET" && r.path.endsWith("/messages");
/** The room's recent events, as the check before repeating a send reads them. */
const history = (...chunk: Record<string, unknown>[]) => hs.on(isHistory, { status: 200, body: { chunk } });

before(async () => {
  configureLogging({ sink: { write: (line) => void logLines.push(line) }, level: "debug" });
  await hs.start();
});
after(async () => {
  configureLogging({ sink: undefined, level: "info" });
  await hs.stop();
});
beforeEach(() => {
  hs.reset();
  waits = [];
});

describe("MatrixClient requests", () => {
  it("authenticates with the as_token in a header and acts through user_id", async () => {
    hs.on(path("/_matrix/client/v3/account/whoami"), { status: 200, body: { user_id: "@gitter_alice:example.org" } });
    const res = await client().as("@gitter_alice:example.org").whoami();
    assert.equal(res.user_id, "@gitter_alice:example.org");
    const [req] = hs.requests;
    assert.equal(req.authorization, `Bearer ${AS_TOKEN}`);
    assert.equal(req.query.get("user_id"), "@gitter_alice:example.org");
    assert.equal(req.query.get("access_token"), null);
  });

  it("sends events with a PUT on the caller's txn id, encoded", async () => {
    hs.on(startsWith("/_matrix/client/v3/rooms/"), { status: 200, body: { event_id: "$e1" } });
    const id = await client().sendEvent("!room:example.org", "m.room.message", { body: "hi", msgtype: "m.text" }, "g/1 2");
    assert.equal(id, "$e1");
    const [req] = hs.requests;
    assert.equal(req.method, "PUT");
    assert.equal(req.rawPath, "/_matrix/client/v3/rooms/!room%3Aexample.org/send/m.room.message/g%2F1%202");
    assert.deepEqual(JSON.parse(req.body), { body: "hi", msgtype: "m.text", [TXN_ID_KEY]: "g/1 2" });
    assert.equal(req.contentType, "application/json");
  });

  it("registers with the appservice login type and treats M_USER_IN_USE as done", async () => {
    hs.on(path("/_matrix/client/v3/register"), { status: 400, body: { errcode: "M_USER_IN_USE", error: "User ID already taken." } });
    await client().registerUser("gitter_alice");
    const body = JSON.parse(hs.requests[0].body);
    assert.deepEqual(body, { type: "m.login.application_service", username: "gitter_alice", inhibit_login: true });
    assert.equal(hs.requests.length, 1);
  });

  it("creates rooms with a private preset and defaulted state keys", async () => {
    hs.on(path("/_matrix/client/v3/createRoom"), { status: 200, body: { room_id: "!new:example.org" } });
    const roomId = await client().createRoom({
      name: "gitterHQ/gitter",
      invite: ["@alice:example.org"],
      isDirect: true,
      initialState: [{ type: "m.room.avatar", content: { url: "mxc://x/y" } }],
      powerLevelContentOverride: { users: { [BOT]: 100 } },
    });
    assert.equal(roomId, "!new:example.org");
    assert.deepEqual(JSON.parse(hs.requests[0].body), {
      preset: "private_chat",
      visibility: "private",
      name: "gitterHQ/gitter",
      invite: ["@alice:example.org"],
      is_direct: true,
      initial_state: [{ type: "m.room.avatar", state_key: "", content: { url: "mxc://x/y" } }],
      power_level_content_override: { users: { [BOT]: 100 } },
    });
  });

  it("uploads bytes with their content type and returns the mxc uri", async () => {
    hs.on(path("/_matrix/media/v3/upload"), { status: 200, body: { content_uri: "mxc://example.org/abc" } });
    const mxc = await client().uploadMedia(new Uint8Array([1, 2, 3]), "image/png", "a b.png");
    assert.equal(mxc, "mxc://example.org/abc");
    assert.equal(hs.requests[0].contentType, "image/png");
    assert.equal(hs.requests[0].query.get("filename"), "a b.png");
    assert.equal(hs.requests[0].body, "\u0001\u0002\u0003");
  });

  it("joins with every via server and reads state, members and account data", async () => {
    hs.on(startsWith("/_matrix/client/v3/join/"), { status: 200, body: { room_id: "!r:example.org" } });
    hs.on(path("/_matrix/client/v3/rooms/!r:example.org/joined_members"), {
      status: 200,
      body: { joined: { "@a:x": { display_name: "A", avatar_url: "mxc://x/a" }, "@b:x": {} } },
    });
    hs.on(startsWith("/_matrix/client/v3/rooms/!r:example.org/state/"), { status: 404, body: { errcode: "M_NOT_FOUND" } });
    hs.on(startsWith("/_matrix/client/v3/user/"), { status: 404, body: { errcode: "M_NOT_FOUND" } });
    const c = client();
    assert.equal(await c.join("#room:a.org", ["a.org", "b.org"]), "!r:example.org");
    assert.deepEqual(hs.requests[0].query.getAll("via"), ["a.org", "b.org"]);
    assert.equal(hs.requests[0].rawPath, "/_matrix/client/v3/join/%23room%3Aa.org");
    const members = await c.getJoinedMembers("!r:example.org");
    assert.deepEqual([...members], [["@a:x", { displayName: "A", avatarUrl: "mxc://x/a" }], ["@b:x", {}]]);
    assert.equal(await c.getStateEvent("!r:example.org", "m.room.topic"), null);
    assert.equal(await c.getAccountData("m.direct"), null);
    assert.equal(hs.requests.at(-1)!.path, `/_matrix/client/v3/user/${BOT}/account_data/m.direct`);
  });

  it("asks the homeserver to ping us", async () => {
    hs.on(path("/_matrix/client/v1/appservice/gitter/ping"), { status: 200, body: { duration_ms: 12 } });
    assert.deepEqual(await client().ping("gitter", "t1"), { durationMs: 12 });
    assert.deepEqual(JSON.parse(hs.requests[0].body), { transaction_id: "t1" });
  });
});

describe("MatrixClient retries", () => {
  const send = (c: MatrixClient, txn: string) => c.sendEvent("!r:x", "m.room.message", { body: txn }, txn);

  it("waits as long as a 429 asks in retry_after_ms", async () => {
    hs.on(startsWith("/_matrix/client/v3/rooms/"),
      { status: 429, body: { errcode: "M_LIMIT_EXCEEDED", retry_after_ms: 1234 } },
      { status: 200, body: { event_id: "$ok" } });
    assert.equal(await send(client(), "t1"), "$ok");
    assert.deepEqual(waits, [1234]);
    assert.equal(hs.requests.length, 2);
  });

  it("falls back to the Retry-After header", async () => {
    hs.on(startsWith("/_matrix/client/v3/rooms/"),
      { status: 429, body: { errcode: "M_LIMIT_EXCEEDED" }, headers: { "retry-after": "2" } },
      { status: 200, body: { event_id: "$ok" } });
    await send(client(), "t1");
    assert.deepEqual(waits, [2000]);
  });

  it("retries a 500 with backoff, then succeeds with the same request", async () => {
    history();
    hs.on(isSend,
      { status: 500, body: { errcode: "M_UNKNOWN", error: "db hiccup" } },
      { status: 502, body: "Bad Gateway" },
      { status: 200, body: { event_id: "$ok" } });
    assert.equal(await send(client(), "t1"), "$ok");
    assert.deepEqual(waits, [75, 150]); // equal jitter at random()=0.5: 3/4 of 100, then of 200
    const sends = hs.requests.filter(isSend);
    assert.equal(sends.length, 3);
    assert.equal(new Set(sends.map((r) => r.path + r.body)).size, 1);
  });

  it("keeps the caller's order: a retried call finishes before the next starts", async () => {
    history();
    hs.on((r) => r.path.endsWith("/a"), { status: 503 }, { status: 200, body: { event_id: "$a" } });
    hs.on((r) => r.path.endsWith("/b"), { status: 200, body: { event_id: "$b" } });
    const c = client();
    await send(c, "a");
    await send(c, "b");
    assert.deepEqual(hs.requests.filter(isSend).map((r) => r.path.slice(-1)), ["a", "a", "b"]);
  });

  it("gives up after maxAttempts with the last error", async () => {
    history();
    hs.on(isSend, { status: 500, body: { errcode: "M_UNKNOWN", error: "down" } });
    const err = await send(client(3), "t1").then(() => null, (e: unknown) => e);
    assert.ok(err instanceof MatrixApiError);
    assert.equal(err.status, 500);
    assert.equal(hs.requests.filter(isSend).length, 3);
  });

  it("does not retry a 4xx, and explains it for the log", async () => {
    hs.on(startsWith("/_matrix/client/v3/rooms/"), { status: 403, body: { errcode: "M_FORBIDDEN", error: "User @x:y not in room !r:x" } });
    const err = await send(client(), "t1").then(() => null, (e: unknown) => e);
    assert.ok(err instanceof MatrixApiError);
    assert.equal(err.errcode, "M_FORBIDDEN");
    assert.match(err.message, /PUT \/_matrix\/client\/v3\/rooms\/.* 403 M_FORBIDDEN: User @x:y not in room/);
    assert.equal(hs.requests.length, 1);
  });

  it("does not repeat a room creation the homeserver may have done", async () => {
    hs.on(path("/_matrix/client/v3/createRoom"), { status: 502 });
    await assert.rejects(client().createRoom({ name: "x" }), (e: unknown) => e instanceof MatrixApiError && e.status === 502);
    assert.equal(hs.requests.length, 1);
  });

  it("but does repeat it after a 429, which did nothing", async () => {
    hs.on(path("/_matrix/client/v3/createRoom"),
      { status: 429, body: { errcode: "M_LIMIT_EXCEEDED", retry_after_ms: 5 } },
      { status: 200, body: { room_id: "!n:x" } });
    assert.equal(await client().createRoom({}), "!n:x");
  });

  it("gives up at once on a 429 asking for longer than it is willing to wait", async () => {
    hs.on(startsWith("/_matrix/client/v3/rooms/"), { status: 429, body: { errcode: "M_LIMIT_EXCEEDED", retry_after_ms: 3_600_000 } });
    await assert.rejects(send(client(), "t1"), (e: unknown) => e instanceof MatrixApiError && e.retryAfterMs === 3_600_000);
    assert.equal(hs.requests.length, 1);
  });

  it("retries network failures and reports them without a status", async () => {
    const dead = MatrixClient.connect({
      homeserverUrl: "http://127.0.0.1:1",
      asToken: AS_TOKEN,
      userId: BOT,
      maxAttempts: 3,
      sleep: async (ms) => void waits.push(ms),
    });
    const err = await dead.whoami().then(() => null, (e: unknown) => e);
    assert.ok(err instanceof MatrixApiError);
    assert.equal(err.errcode, CONNECTION_FAILED);
    assert.equal(err.status, 0);
    assert.equal(waits.length, 2);
  });

  it("never writes the as_token into logs or errors", async () => {
    logLines.length = 0;
    hs.on(startsWith("/_matrix/client/v3/rooms/"), { status: 500, body: { errcode: "M_UNKNOWN" } });
    const err = await send(client(2), "t1").catch((e: Error) => e);
    assert.ok(logLines.length > 0);
    for (const text of [...logLines, String(err), (err as Error).stack ?? ""]) assert.ok(!text.includes(AS_TOKEN));
  });
});

describe("MatrixClient sends that got no answer", () => {
  const send = (c: MatrixClient, txn: string) => c.sendEvent("!r:x", "m.room.message", { body: txn }, txn);
  const mine = (txn: string, eventId: string) => ({ event_id: eventId, sender: BOT, type: "m.room.message", content: { body: txn, [TXN_ID_KEY]: txn } });

  it("looks for the send in the room before repeating it, and answers with the event found", async () => {
    history(mine("other", "$other"), mine("t1", "$applied"));
    hs.on(isSend, { status: 502, body: "Bad Gateway" }, { status: 200, body: { event_id: "$twice" } });
    assert.equal(await send(client(), "t1"), "$applied");
    assert.equal(hs.requests.filter(isSend).length, 1, "not sent a second time");
    const look = hs.requests.find(isHistory)!;
    assert.equal(look.path, "/_matrix/client/v3/rooms/!r:x/messages");
    assert.equal(look.query.get("dir"), "b");
    assert.equal(look.query.get("user_id"), BOT);
    assert.deepEqual(JSON.parse(look.query.get("filter")!), { senders: [BOT], types: ["m.room.message"] });
  });

  it("sends again when the room does not hold it", async () => {
    history(mine("other", "$other"));
    hs.on(isSend, { status: 500 }, { status: 200, body: { event_id: "$second" } });
    assert.equal(await send(client(), "t1"), "$second");
    assert.deepEqual(hs.requests.map((r) => (isSend(r) ? "send" : isHistory(r) ? "look" : r.path)), ["send", "look", "send"]);
  });

  it("remembers the doubt across calls: a later call for the same send looks first", async () => {
    history(mine("t1", "$applied"));
    hs.on(isSend, { status: 500 });
    const c = client(1);
    await assert.rejects(send(c, "t1"), (e: unknown) => e instanceof MatrixApiError && e.status === 500);
    assert.equal(await send(c, "t1"), "$applied");
    assert.equal(hs.requests.filter(isSend).length, 1);
  });

  it("does not send again while the room cannot be read", async () => {
    hs.on(isHistory, { status: 503 }, { status: 503 }, { status: 200, body: { chunk: [] } });
    hs.on(isSend, { status: 500 }, { status: 200, body: { event_id: "$ok" } });
    assert.equal(await send(client(6), "t1"), "$ok");
    assert.deepEqual(hs.requests.map((r) => (isSend(r) ? "send" : "look")), ["send", "look", "look", "look", "send"]);
  });

  it("looks before the first try when an earlier process may have sent it", async () => {
    history(mine("t1", "$before-restart"));
    hs.on(isSend, { status: 200, body: { event_id: "$twice" } });
    const c = client();
    assert.equal(await c.sendEvent("!r:x", "m.room.message", { body: "t1" }, "t1", { mayExist: true }), "$before-restart");
    assert.equal(await c.sendEvent("!r:x", "m.room.message", { body: "t2" }, "t2", { mayExist: true }), "$twice");
    assert.deepEqual(hs.requests.map((r) => (isSend(r) ? "send" : "look")), ["look", "look", "send"]);
  });

  it("does not look when the homeserver surely did nothing (429)", async () => {
    hs.on(isSend, { status: 429, body: { errcode: "M_LIMIT_EXCEEDED", retry_after_ms: 5 } }, { status: 200, body: { event_id: "$ok" } });
    assert.equal(await send(client(), "t1"), "$ok");
    assert.equal(hs.requests.filter(isHistory).length, 0);
  });
});
