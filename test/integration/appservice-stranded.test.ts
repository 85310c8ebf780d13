// The appservice router refusing, once, the transaction that follows a skipped id, over real HTTP and the real
// SQLite store: nothing of it is lost or recorded twice, and the bridge then asks the homeserver to hurry.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { after, afterEach, before, beforeEach, describe, it } from "node:test";
import { createAppserviceApp } from "../../src/matrix/appservice";
import { openStore } from "../../src/store/knex-store";
import type { Store } from "../../src/store/store";
import { configureLogging } from "../../src/util/log";

const HS_TOKEN = "hs-token-0123456789abcdef";

const message = (id: string) => ({ event_id: id, room_id: "!r:example.org", sender: "@alice:example.org", type: "m.room.message", content: { msgtype: "m.text", body: id } });
const ghostMessage = (id: string) => ({ ...message(id), sender: "@gitter_bob:example.org" });
const receipt = (id: string) => ({ type: "m.receipt", room_id: "!r:example.org", content: { [id]: { "m.read": { "@alice:example.org": { ts: 1 } } } } });

let dir: string;
let store: Store;
let server: Server;
let url: string;
let recoveries: number;

const logLines: string[] = [];
before(() => configureLogging({ sink: { write: (line) => void logLines.push(line) }, level: "debug" }));
after(() => configureLogging({ sink: undefined, level: "info" }));
/** Serves the appservice API on the store as a bridge process does; a second call is the next process. */
async function startProcess(): Promise<void> {
  const isOurUser = (id: string) => id.startsWith("@gitter_");
  const app = createAppserviceApp({ hsToken: HS_TOKEN, inbox: store.inbox, isOurUser, onRecovery: () => recoveries++ });
  server = await new Promise((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/_matrix/app/v1/transactions`;
}

const stopProcess = () => new Promise<void>((resolve) => server.close(() => resolve()));

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "appservice-stranded-"));
  store = await openStore(`sqlite:${path.join(dir, "bridge.db")}`);
  recoveries = 0;
  await startProcess();
});
afterEach(async () => {
  await stopProcess();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

async function put(txnId: string, body: unknown): Promise<number> {
  const res = await fetch(`${url}/${txnId}`, {
    method: "PUT",
    headers: { "content-type": "application/json", authorization: `Bearer ${HS_TOKEN}` },
    body: JSON.stringify(body),
  });
  await res.arrayBuffer();
  return res.status;
}

const recorded = async () =>
  (await store.inbox.pendingEvents(100)).map((p) => p.event.event_id ?? `receipt ${Object.keys(p.event.content as object)[0]}`);

describe("a transaction after a skipped id", () => {
  it("is refused once, its receipts kept; the skipped one and then it are recorded in that order, once", async () => {
    assert.equal(await put("1", { events: [message("$1")] }), 200);
    assert.equal(await put("2", { events: [message("$2")] }), 200);
    // 3 was left behind by the homeserver; 4 carries a message and a receipt, which a resend would not carry.
    assert.equal(await put("4", { events: [message("$4")], ephemeral: [receipt("$2")] }), 503);
    assert.equal(await put("5", { events: [message("$5")] }), 503, "a newer one is refused until 4 is back");
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(recoveries, 1, "asked the homeserver to hurry, once");
    assert.equal(await put("3", { events: [message("$3")] }), 200);
    assert.equal(await put("4", { events: [message("$4")] }), 200);
    assert.equal(await put("5", { events: [message("$5")] }), 200);
    assert.equal(await put("5", { events: [message("$5")] }), 200);
    assert.deepEqual(await recorded(), ["$1", "$2", "receipt $2", "$3", "$4", "$5"]);
    assert.equal(recoveries, 1);
    assert.equal(logLines.filter((l) => /the homeserver skipped one/.test(l)).length, 2);
    assert.equal(logLines.some((l) => l.includes(HS_TOKEN)), false);
  });

  it("is refused too when the bridge restarted between the one before the skipped id and it", async () => {
    assert.equal(await put("1", { events: [message("$1")] }), 200);
    assert.equal(await put("2", { events: [ghostMessage("$2")] }), 200, "the bridge's own events only");
    await stopProcess();
    await startProcess();
    // 3 was left behind while no bridge was listening, or at the end of Synapse's recovery after the restart.
    assert.equal(await put("4", { events: [message("$4")] }), 503);
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(recoveries, 1);
    assert.equal(await put("3", { events: [message("$3")] }), 200);
    assert.equal(await put("4", { events: [message("$4")] }), 200);
    assert.deepEqual(await recorded(), ["$1", "$3", "$4"]);
  });

  it("is not seen across a restart when nothing was skipped, the last one before it the bridge's own", async () => {
    assert.equal(await put("1", { events: [message("$1")] }), 200);
    assert.equal(await put("2", { events: [ghostMessage("$2")] }), 200);
    await stopProcess();
    await startProcess();
    assert.equal(await put("3", { events: [message("$3")] }), 200);
    assert.equal(await put("2", { events: [ghostMessage("$2")] }), 200, "sent again, as after a lost answer");
    assert.equal(await put("4", { events: [message("$4")] }), 200);
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(recoveries, 0);
    assert.deepEqual(await recorded(), ["$1", "$3", "$4"]);
  });
});
