// The Application Service API router over real HTTP, recording into the real SQLite store.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import { gzipSync } from "node:zlib";
import path from "node:path";
import { after, afterEach, before, beforeEach, describe, it } from "node:test";
import { createAppserviceApp, MAX_TRANSACTION_DEPTH } from "../../src/matrix/appservice";
import { openStore } from "../../src/store/knex-store";
import type { InboxStore, Store } from "../../src/store/store";
import { configureLogging } from "../../src/util/log";

const HS_TOKEN = "hs-token-0123456789abcdef";
const logLines: string[] = [];

interface Harness {
  url: string;
  nudges: number;
  close(): Promise<void>;
}

async function serve(inbox: InboxStore, maxBodyBytes?: number): Promise<Harness> {
  const harness: Harness = { url: "", nudges: 0, close: async () => undefined };
  const app = createAppserviceApp({
    hsToken: HS_TOKEN,
    inbox,
    isOurUser: (id) => /^@(gitter_.+|gitterbot):example\.org$/.test(id),
    onTransaction: () => harness.nudges++,
    maxBodyBytes,
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  harness.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  harness.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return harness;
}

function put(url: string, body: unknown, token: string | null = HS_TOKEN): Promise<Response> {
  return fetch(url, {
    method: "PUT",
    headers: { "content-type": "application/json", ...(token === null ? {} : { authorization: `Bearer ${token}` }) },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

const event = (id: string, room = "!r:example.org") => ({
  event_id: id,
  room_id: room,
  sender: "@alice:example.org",
  type: "m.room.message",
  content: { msgtype: "m.text", body: id },
});

let dir: string;
let store: Store;
let hs: Harness;

before(() => configureLogging({ sink: { write: (line) => void logLines.push(line) }, level: "debug" }));
after(() => configureLogging({ sink: undefined, level: "info" }));
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "appservice-"));
  store = await openStore(`sqlite:${path.join(dir, "bridge.db")}`);
  hs = await serve(store.inbox);
});
afterEach(async () => {
  await hs.close();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe("appservice transactions: authentication", () => {
  it("answers 401 M_UNAUTHORIZED without a token and 403 M_FORBIDDEN with a wrong one", async () => {
    const url = `${hs.url}/_matrix/app/v1/transactions/t1`;
    const missing = await put(url, { events: [] }, null);
    assert.equal(missing.status, 401);
    assert.equal(await errcode(missing), "M_UNAUTHORIZED");
    for (const wrong of ["nope", HS_TOKEN + "x", HS_TOKEN.slice(0, -1), ""]) {
      const res = await put(url, { events: [event("$x")] }, wrong);
      assert.equal(res.status, 403, wrong);
      assert.equal(await errcode(res), "M_FORBIDDEN");
    }
    const query = await fetch(`${url}?access_token=wrong`, { method: "PUT", body: "{}" });
    assert.equal(query.status, 403);
    assert.equal(await store.inbox.countPending(), 0);
  });

  it("accepts the token from the legacy access_token query parameter", async () => {
    const res = await fetch(`${hs.url}/_matrix/app/v1/transactions/t1?access_token=${HS_TOKEN}`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ events: [event("$q")] }),
    });
    assert.equal(res.status, 200);
    assert.equal(await store.inbox.countPending(), 1);
  });

  it("guards every endpoint, not only transactions", async () => {
    for (const p of ["/_matrix/app/v1/users/@gitter_a:example.org", "/_matrix/app/v1/rooms/%23a:example.org", "/_matrix/app/v1/thirdparty/protocol/gitter"]) {
      assert.equal((await fetch(hs.url + p)).status, 401, p);
    }
    assert.equal((await fetch(`${hs.url}/_matrix/app/v1/ping`, { method: "POST", body: "{}" })).status, 401);
  });
});

describe("appservice transactions: bodies", () => {
  it("answers 400 to malformed transactions and records nothing", async () => {
    const url = `${hs.url}/_matrix/app/v1/transactions/bad`;
    const cases: [unknown, string][] = [
      ["{not json", "M_NOT_JSON"],
      [{}, "M_BAD_JSON"],
      [{ events: "x" }, "M_BAD_JSON"],
      [{ events: [1] }, "M_BAD_JSON"],
      [{ events: [event("$ok"), null] }, "M_BAD_JSON"],
      [{ events: [[]] }, "M_BAD_JSON"],
      [{ events: [], ephemeral: {} }, "M_BAD_JSON"],
      [[], "M_BAD_JSON"],
      ["42", "M_NOT_JSON"],
    ];
    for (const [body, expected] of cases) {
      const res = await put(url, body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(await errcode(res), expected, JSON.stringify(body));
    }
    assert.equal(await store.inbox.countPending(), 0);
    // The server survived all of that.
    assert.equal((await put(url, { events: [event("$after")] })).status, 200);
  });

  it("answers 413 to a body over the limit", async () => {
    const small = await serve(store.inbox, 1024);
    try {
      const res = await put(`${small.url}/_matrix/app/v1/transactions/big`, { events: [{ ...event("$big"), pad: "x".repeat(4096) }] });
      assert.equal(res.status, 413);
      assert.equal(await errcode(res), "M_TOO_LARGE");
    } finally {
      await small.close();
    }
    assert.equal(await store.inbox.countPending(), 0);
  });
});

describe("appservice transactions: bodies that break the reader", () => {
  const nested = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;
  /** A transaction whose one event's content holds `filler` (raw JSON) under `x`. */
  const withContent = (id: string, filler: string) =>
    JSON.stringify({ events: [event(id)] }).replace(`"body":"${id}"`, `"body":"${id}","x":${filler}`);

  it("answers 400 to a body that claims gzip but is not, and goes on serving", async () => {
    const url = `${hs.url}/_matrix/app/v1/transactions/gz`;
    const claim = (body: Uint8Array, target = url, method = "PUT") =>
      fetch(target, {
        method,
        headers: { authorization: `Bearer ${HS_TOKEN}`, "content-type": "application/json", "content-encoding": "gzip" },
        body,
      });
    const plain = Buffer.from(JSON.stringify({ events: [event("$plain")] }));
    const cut = gzipSync(plain).subarray(0, 20);
    for (const body of [plain, cut]) {
      const res = await claim(body);
      assert.equal(res.status, 400);
      assert.deepEqual(await res.json(), { errcode: "M_NOT_JSON", error: "Body does not decode as its Content-Encoding says" });
    }
    assert.equal((await claim(plain, `${hs.url}/_matrix/app/v1/ping`, "POST")).status, 400);
    assert.equal(await store.inbox.countPending(), 0);
    assert.equal((await claim(gzipSync(plain))).status, 200);
    assert.equal((await put(`${hs.url}/_matrix/app/v1/transactions/after`, { events: [event("$after")] })).status, 200);
    assert.deepEqual((await store.inbox.pendingEvents(10)).map((e) => e.event.event_id), ["$plain", "$after"]);
  });

  it(`answers 400 to JSON nested deeper than ${MAX_TRANSACTION_DEPTH} levels and records the deepest allowed`, async () => {
    const url = `${hs.url}/_matrix/app/v1/transactions`;
    for (const depth of [MAX_TRANSACTION_DEPTH, 20_000]) {
      const res = await put(`${url}/deep`, withContent("$deep", nested(depth)));
      assert.equal(res.status, 400, `content nested ${depth} deep`);
      assert.deepEqual(await res.json(), { errcode: "M_BAD_JSON", error: `JSON nested deeper than ${MAX_TRANSACTION_DEPTH} levels` });
    }
    assert.equal(await store.inbox.countPending(), 0);
    // The body, its events list and the event take three levels, its content a fourth.
    const deepest = withContent("$deepest", nested(MAX_TRANSACTION_DEPTH - 4));
    assert.equal((await put(`${url}/deepest`, deepest)).status, 200);
    const [stored] = await store.inbox.pendingEvents(10);
    assert.equal(stored?.event.event_id, "$deepest");
    assert.equal(JSON.stringify(stored?.event.content), JSON.stringify((JSON.parse(deepest) as { events: [{ content: unknown }] }).events[0].content));
  });

  it("answers 400 to a path whose %-escapes do not decode", async () => {
    const res = await put(`${hs.url}/_matrix/app/v1/transactions/%E0%A4%A`, { events: [event("$x")] });
    assert.equal(res.status, 400);
    assert.equal(await errcode(res), "M_INVALID_PARAM");
    const user = await fetch(`${hs.url}/_matrix/app/v1/users/%E0%A4%A`, { headers: { authorization: `Bearer ${HS_TOKEN}` } });
    assert.equal(user.status, 400);
    assert.equal(await store.inbox.countPending(), 0);
  });
});

describe("appservice transactions: recording", () => {
  it("records the transaction before answering 200", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const enteredAccept = new Promise<void>((resolve) => (entered = resolve));
    const slowInbox: InboxStore = {
      ...bind(store.inbox),
      acceptTransaction: async (txnId, events, now) => {
        entered();
        await gate;
        return store.inbox.acceptTransaction(txnId, events, now);
      },
    };
    const slow = await serve(slowInbox);
    // Released in `finally` too, so a failed assertion cannot leave the request (and the run) hanging.
    try {
      let answered = false;
      const response = put(`${slow.url}/_matrix/app/v1/transactions/slow`, { events: [event("$s1"), event("$s2")] }).then((res) => {
        answered = true;
        return res;
      });
      await enteredAccept;
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(answered, false, "no answer while the write is still running");
      release();
      const res = await response;
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), {});
      // Checked on arrival of the 200: the events are already in the database.
      assert.equal(await store.inbox.countPending(), 2);
      assert.equal(slow.nudges, 1);
    } finally {
      release();
      await slow.close();
    }
  });

  it("answers 500 when the write fails, so the homeserver retries, and records the retry", async () => {
    let failing = true;
    const flaky: InboxStore = {
      ...bind(store.inbox),
      acceptTransaction: async (txnId, events, now) => {
        if (failing) throw new Error("database is locked");
        return store.inbox.acceptTransaction(txnId, events, now);
      },
    };
    const server = await serve(flaky);
    try {
      const url = `${server.url}/_matrix/app/v1/transactions/t500`;
      const first = await put(url, { events: [event("$f")] });
      assert.equal(first.status, 500);
      assert.equal(await errcode(first), "M_UNKNOWN");
      assert.equal(server.nudges, 0);
      failing = false;
      assert.equal((await put(url, { events: [event("$f")] })).status, 200);
      assert.equal(await store.inbox.countPending(), 1);
      assert.equal(server.nudges, 1);
    } finally {
      await server.close();
    }
  });

  it("acknowledges a replayed txn id without recording it again", async () => {
    const url = `${hs.url}/_matrix/app/v1/transactions/dup`;
    assert.equal((await put(url, { events: [event("$d1")] })).status, 200);
    assert.equal((await put(url, { events: [event("$d1")] })).status, 200);
    assert.equal(await store.inbox.countPending(), 1);
    assert.equal(hs.nudges, 1);
  });

  it("acknowledges the bridge's own events without recording them, and keeps the others of the transaction", async () => {
    const own = { ...event("$own1"), sender: "@gitter_bob:example.org" };
    const bot = { ...event("$own2"), sender: "@gitterbot:example.org" };
    assert.equal((await put(`${hs.url}/_matrix/app/v1/transactions/own-only`, { events: [own, bot] })).status, 200);
    assert.equal(await store.inbox.countPending(), 0);
    assert.equal(hs.nudges, 0);
    assert.equal((await put(`${hs.url}/_matrix/app/v1/transactions/mixed`, { events: [own, event("$theirs")] })).status, 200);
    assert.deepEqual((await store.inbox.pendingEvents(10)).map((p) => p.event.event_id), ["$theirs"]);
    assert.equal(hs.nudges, 1);
  });

  it("records new events under a txn id used before, as a homeserver that restarted its count sends them", async () => {
    const url = `${hs.url}/_matrix/app/v1/transactions/1`;
    assert.equal((await put(url, { events: [event("$r1")] })).status, 200);
    assert.equal((await put(url, { events: [event("$r2")] })).status, 200);
    assert.deepEqual((await store.inbox.pendingEvents(10)).map((p) => p.event.event_id), ["$r1", "$r2"]);
    assert.equal(hs.nudges, 2);
  });

  it("records read receipts pushed as ephemeral events after the room events, once, and drops other ephemera", async () => {
    const receipt = (id: string) => ({
      type: "m.receipt",
      room_id: "!r:example.org",
      content: { [id]: { "m.read": { "@alice:example.org": { ts: 1 } } } },
    });
    const typing = { type: "m.typing", room_id: "!r:example.org", content: { user_ids: ["@alice:example.org"] } };
    const both = { events: [event("$e1")], ephemeral: [receipt("$e1"), typing], "de.sorunome.msc2409.ephemeral": [receipt("$e1"), typing] };
    assert.equal((await put(`${hs.url}/_matrix/app/v1/transactions/eph1`, both)).status, 200);
    const unstable = { events: [], "de.sorunome.msc2409.ephemeral": [receipt("$e2"), "junk"] };
    assert.equal((await put(`${hs.url}/_matrix/app/v1/transactions/eph2`, unstable)).status, 200);
    const pending = await store.inbox.pendingEvents(10);
    assert.deepEqual(
      pending.map((p) => [p.event.type, p.event.event_id ?? Object.keys(p.event.content as object)[0]]),
      [["m.room.message", "$e1"], ["m.receipt", "$e1"], ["m.receipt", "$e2"]],
    );
  });

  it("serves the legacy unprefixed path too", async () => {
    assert.equal((await put(`${hs.url}/transactions/legacy`, { events: [event("$l")] })).status, 200);
    assert.equal(await store.inbox.countPending(), 1);
  });
});

describe("appservice queries", () => {
  const get = (p: string) => fetch(hs.url + p, { headers: { authorization: `Bearer ${HS_TOKEN}` } });

  it("claims users in our namespace and no others", async () => {
    const ours = await get(`/_matrix/app/v1/users/${encodeURIComponent("@gitter_alice:example.org")}`);
    assert.equal(ours.status, 200);
    assert.deepEqual(await ours.json(), {});
    const other = await get(`/_matrix/app/v1/users/${encodeURIComponent("@alice:example.org")}`);
    assert.equal(other.status, 404);
    assert.equal(await errcode(other), "M_NOT_FOUND");
  });

  it("has no rooms by alias, no third-party protocols, and says so", async () => {
    const alias = await get(`/_matrix/app/v1/rooms/${encodeURIComponent("#gitter_x:example.org")}`);
    assert.equal(alias.status, 404);
    assert.equal(await errcode(alias), "M_NOT_FOUND");
    for (const p of ["/_matrix/app/v1/thirdparty/protocol/gitter", "/_matrix/app/v1/thirdparty/user?x=1", "/_matrix/app/v1/thirdparty/location/gitter"]) {
      const res = await get(p);
      assert.equal(res.status, 404, p);
      assert.equal(await errcode(res), "M_NOT_FOUND");
    }
    const unknown = await get("/_matrix/app/v1/nothing-here");
    assert.equal(unknown.status, 404);
    assert.equal(await errcode(unknown), "M_UNRECOGNIZED");
  });

  it("answers the homeserver's ping", async () => {
    const res = await fetch(`${hs.url}/_matrix/app/v1/ping`, {
      method: "POST",
      headers: { authorization: `Bearer ${HS_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ transaction_id: "ping-1" }),
    });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {});
  });
});

describe("appservice logging", () => {
  it("never logged the hs_token, whatever the requests above did", () => {
    assert.ok(logLines.length > 0);
    for (const line of logLines) assert.ok(!line.includes(HS_TOKEN), line);
  });
});

async function errcode(res: Response): Promise<unknown> {
  return ((await res.json()) as { errcode?: unknown }).errcode;
}

/** The store's inbox methods bound to it, so a test can replace one and keep the rest real. */
function bind(inbox: InboxStore): InboxStore {
  return {
    acceptTransaction: inbox.acceptTransaction.bind(inbox),
    newestTransaction: inbox.newestTransaction.bind(inbox),
    pendingEvents: inbox.pendingEvents.bind(inbox),
    markProcessed: inbox.markProcessed.bind(inbox),
    countPending: inbox.countPending.bind(inbox),
    pruneProcessed: inbox.pruneProcessed.bind(inbox),
    forgetHandledContent: inbox.forgetHandledContent.bind(inbox),
  };
}
