// Transactions in over real HTTP, out through the inbox processor, with the real SQLite store in between.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { after, afterEach, before, beforeEach, describe, it } from "node:test";
import { createAppserviceApp } from "../../src/matrix/appservice";
import { InboxProcessor, type EventHandler } from "../../src/matrix/inbox-processor";
import { openStore } from "../../src/store/knex-store";
import type { InboxStore, Store } from "../../src/store/store";
import { configureLogging } from "../../src/util/log";

const HS_TOKEN = "hs-token-inbox";
const logLines: string[] = [];

type Ev = { event_id: string; room_id: string; sender: string; type: string; content: Record<string, unknown> };
const ev = (id: string, room: string): Ev => ({ event_id: id, room_id: room, sender: "@alice:example.org", type: "m.room.message", content: { body: id } });

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

let dir: string;
let dbUrl: string;
let store: Store;
let server: Server;
let url: string;
let processor: InboxProcessor | null;

/** Serves the router in front of `inbox`, nudging whichever processor is current. */
async function serve(inbox: InboxStore): Promise<void> {
  const app = createAppserviceApp({ hsToken: HS_TOKEN, inbox, isOurUser: () => false, onTransaction: () => processor?.nudge() });
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function send(txnId: string, events: Ev[]): Promise<void> {
  const res = await fetch(`${url}/_matrix/app/v1/transactions/${txnId}`, {
    method: "PUT",
    headers: { authorization: `Bearer ${HS_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ events }),
  });
  assert.equal(res.status, 200);
}

function startProcessor(handler: EventHandler, inbox: InboxStore = store.inbox, extra = {}): Promise<void> {
  processor = new InboxProcessor({ inbox, handler, concurrency: 4, batchSize: 2, retryDelayMs: 10, ...extra });
  return processor.start();
}

before(() => configureLogging({ sink: { write: (line) => void logLines.push(line) }, level: "info" }));
after(() => configureLogging({ sink: undefined }));
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "inbox-"));
  dbUrl = `sqlite:${path.join(dir, "bridge.db")}`;
  store = await openStore(dbUrl);
  processor = null;
  await serve(store.inbox);
});
afterEach(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  // A test that failed half-way may leave a handler blocked for good: do not let that hang the run.
  const grace = new Promise<void>((resolve) => setTimeout(resolve, 5000).unref());
  await Promise.race([processor?.stop(), grace]);
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe("inbox processor", { timeout: 60_000 }, () => {
  it("handles each room's events in order while other rooms go on", async () => {
    const seen: string[] = [];
    const firstOfA = deferred();
    const bDone = deferred();
    await startProcessor(async (e) => {
      const id = e.event_id as string;
      if (id === "$a1") await firstOfA.promise;
      seen.push(id);
      if (id === "$b2") bDone.resolve();
    });
    await send("t1", [ev("$a1", "!a:x"), ev("$b1", "!b:x"), ev("$a2", "!a:x")]);
    await send("t2", [ev("$a3", "!a:x"), ev("$b2", "!b:x")]);
    try {
      // Room b finishes although room a is stuck on its first event.
      await bDone.promise;
      assert.deepEqual(seen, ["$b1", "$b2"]);
      assert.equal(processor!.depth("!a:x"), 3);
      assert.equal(processor!.depths().get("!a:x"), 3);
    } finally {
      firstOfA.resolve(); // even when an assertion failed, so stop() in afterEach cannot hang
    }
    await processor!.idle();
    assert.deepEqual(seen.filter((id) => id.startsWith("$a")), ["$a1", "$a2", "$a3"]);
    assert.equal(await store.inbox.countPending(), 0);
  });

  it("handles a replayed transaction once", async () => {
    const seen: string[] = [];
    await startProcessor(async (e) => void seen.push(e.event_id as string));
    await send("same", [ev("$1", "!r:x"), ev("$2", "!r:x")]);
    await processor!.idle();
    await send("same", [ev("$1", "!r:x"), ev("$2", "!r:x")]);
    // The same events again under a new txn id (a homeserver resending after a restart) are skipped too.
    await send("other", [ev("$2", "!r:x"), ev("$3", "!r:x")]);
    await processor!.idle();
    assert.deepEqual(seen, ["$1", "$2", "$3"]);
  });

  it("isolates a failing handler: logged once with ids, not retried, the room moves on", async () => {
    logLines.length = 0;
    const seen: string[] = [];
    await startProcessor(async (e) => {
      seen.push(e.event_id as string);
      if (e.event_id === "$bad") throw new Error("gitter said no");
    });
    await send("t1", [ev("$ok1", "!r:x"), ev("$bad", "!r:x"), ev("$ok2", "!r:x")]);
    await processor!.idle();
    assert.deepEqual(seen, ["$ok1", "$bad", "$ok2"]);
    assert.equal(await store.inbox.countPending(), 0);
    const errors = logLines.filter((l) => l.includes("event handler failed"));
    assert.equal(errors.length, 1);
    for (const field of ["$bad", "!r:x", "@alice:example.org", "gitter said no"]) assert.ok(errors[0].includes(field), field);
  });

  it("after a restart, handles what the previous process left pending, in order", async () => {
    // The first process records transactions but is stopped while a handler runs.
    const running = deferred();
    const release = deferred();
    const first: string[] = [];
    await startProcessor(async (e) => {
      first.push(e.event_id as string);
      running.resolve();
      await release.promise;
    });
    await send("t1", [ev("$1", "!r:x"), ev("$2", "!r:x"), ev("$3", "!r:x")]);
    await running.promise;
    const stopped = processor!.stop();
    release.resolve();
    await stopped; // waited for the running handler
    assert.deepEqual(first, ["$1"]);
    await send("t2", [ev("$4", "!r:x")]); // recorded while no processor runs
    await store.close();

    store = await openStore(dbUrl);
    const second: string[] = [];
    await startProcessor(async (e) => void second.push(e.event_id as string));
    await processor!.idle();
    assert.deepEqual(second, ["$2", "$3", "$4"]);
    assert.equal(await store.inbox.countPending(), 0);
  });

  it("handles again an event whose handler never finished before a crash", async () => {
    const running = deferred();
    await startProcessor(async () => {
      running.resolve();
      await new Promise(() => undefined); // the process dies here
    });
    await send("t1", [ev("$1", "!r:x"), ev("$2", "!r:x")]);
    await running.promise;
    processor = null; // abandoned, never stopped: a crash
    await store.close();

    store = await openStore(dbUrl);
    const seen: string[] = [];
    await startProcessor(async (e) => void seen.push(e.event_id as string));
    await processor!.idle();
    assert.deepEqual(seen, ["$1", "$2"]);
  });

  it("reads past a long backlog in small batches without skipping or repeating", async () => {
    const events = Array.from({ length: 25 }, (_, i) => ev(`$${i}`, `!room${i % 3}:x`));
    await send("big", events);
    const seen: string[] = [];
    await startProcessor(async (e) => void seen.push(e.event_id as string), store.inbox, { maxInFlight: 4 });
    await processor!.idle();
    assert.deepEqual([...seen].sort(), events.map((e) => e.event_id).sort());
    for (const room of ["!room0:x", "!room1:x", "!room2:x"]) {
      const inRoom = events.filter((e) => e.room_id === room).map((e) => e.event_id);
      assert.deepEqual(seen.filter((id) => inRoom.includes(id)), inRoom);
    }
  });

  it("keeps going when the inbox cannot be read or marked for a while", async () => {
    let readFailures = 1;
    let markFailures = 1;
    const flaky: InboxStore = {
      acceptTransaction: (t, e, n) => store.inbox.acceptTransaction(t, e, n),
      newestTransaction: () => store.inbox.newestTransaction(),
      countPending: () => store.inbox.countPending(),
      pruneProcessed: (before) => store.inbox.pruneProcessed(before),
      forgetHandledContent: () => store.inbox.forgetHandledContent(),
      pendingEvents: async (limit) => {
        if (readFailures-- > 0) throw new Error("SQLITE_BUSY");
        return store.inbox.pendingEvents(limit);
      },
      markProcessed: async (seq) => {
        if (markFailures-- > 0) throw new Error("SQLITE_BUSY");
        return store.inbox.markProcessed(seq);
      },
    };
    await send("t1", [ev("$1", "!r:x"), ev("$2", "!r:x")]);
    const seen: string[] = [];
    const both = deferred();
    await startProcessor(async (e) => {
      seen.push(e.event_id as string);
      if (seen.length === 2) both.resolve();
    }, flaky);
    await both.promise; // reached only through the retry after the failed read
    await processor!.idle();
    assert.deepEqual(seen, ["$1", "$2"]); // the unmarked one was not handled twice
    assert.equal(await store.inbox.countPending(), 0);
  });

  // What the bridge injects: "outage" failures are worth waiting out, anything else is not.
  const outages = { retryDelay: (err: unknown) => ((err as Error).message === "outage" ? 5 : null) };

  it("retries a handler that hit an outage, holding back only that room", async () => {
    const seen: string[] = [];
    let failures = 3;
    const otherRoomDone = deferred();
    await startProcessor(async (e) => {
      const id = e.event_id as string;
      if (id === "$a1" && failures-- > 0) {
        await otherRoomDone.promise;
        throw new Error("outage");
      }
      seen.push(id);
      if (id === "$b1") otherRoomDone.resolve();
    }, store.inbox, outages);
    await send("t1", [ev("$a1", "!a:x"), ev("$a2", "!a:x"), ev("$b1", "!b:x")]);
    await processor!.idle();
    assert.deepEqual(seen, ["$b1", "$a1", "$a2"]);
    assert.equal(await store.inbox.countPending(), 0);
  });

  it("still drops an event whose handler failed for another reason", async () => {
    const seen: string[] = [];
    await startProcessor(async (e) => {
      seen.push(e.event_id as string);
      if (e.event_id === "$bad") throw new Error("refused");
    }, store.inbox, outages);
    await send("t1", [ev("$bad", "!r:x"), ev("$ok", "!r:x")]);
    await processor!.idle();
    assert.deepEqual(seen, ["$bad", "$ok"]);
    assert.equal(await store.inbox.countPending(), 0);
  });

  it("leaves an event pending when stopped during an outage, and the next start handles it", async () => {
    const tried = deferred();
    await startProcessor(async () => {
      tried.resolve();
      throw new Error("outage");
    }, store.inbox, { retryDelay: () => 60_000 });
    await send("t1", [ev("$1", "!r:x")]);
    await tried.promise;
    await processor!.stop(); // does not wait out the minute-long backoff
    assert.equal(await store.inbox.countPending(), 1);

    const seen: string[] = [];
    await startProcessor(async (e) => void seen.push(e.event_id as string));
    await processor!.idle();
    assert.deepEqual(seen, ["$1"]);
    assert.equal(await store.inbox.countPending(), 0);
  });
});
